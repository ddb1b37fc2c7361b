// What a running study tells the rest of the relay about itself (the dashboard feeds viewers
// from it). Called synchronously from the study's event loop work: implementations must be
// quick and must not throw.

export interface StudyObserver {
  /** State, round or configuration changed. */
  studyChanged(studyId: string): void;
  /** A round's metrics were stored. */
  roundRecorded(studyId: string, round: number): void;
  /** A participant came, went, changed status or made progress. */
  clientsChanged(studyId: string): void;
}
