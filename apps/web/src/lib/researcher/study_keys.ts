// The study keys of sealed hand-offs this console made, by study id, in sessionStorage: the
// invite link carries a study's key in its fragment (#key=..., never sent to any server), and
// the relay has only the key's check, so this tab is the one place the console can read it
// back from. A tab that did not create the study does not have it (the invite panel says so).

const PREFIX = 'splitlearn:study-key:';
/** Where keys are kept when storage is disabled: until the page closes. */
const inMemory = new Map<string, string>();

export function loadStudyKey(storage: Pick<Storage, 'getItem'>, studyId: string): string | undefined {
  try {
    return storage.getItem(PREFIX + studyId) ?? inMemory.get(studyId);
  } catch {
    return inMemory.get(studyId);
  }
}

export function saveStudyKey(storage: Pick<Storage, 'setItem'>, studyId: string, key: string): void {
  inMemory.set(studyId, key);
  try {
    storage.setItem(PREFIX + studyId, key);
  } catch {
    // Storage can be disabled (private mode, policy): the key then lasts until the page closes.
  }
}
