import type { protocol } from '@splitlearn/split-core';

/** What a running study records; implemented over SQLite and the checkpoint files. */
export interface StudyPersistence {
  saveProgress(studyId: string, state: protocol.StudyState, round: number): void;
  /** A running study's changed settings (schedule, codec). */
  saveConfig(studyId: string, config: protocol.StudyConfig): void;
  recordMetrics(studyId: string, round: number, phase: 'train' | 'val', participantId: string | null, metrics: Record<string, unknown>): void;
  /** A line about one participant must name it in `participantId`: withdrawal redacts by that column. */
  audit(studyId: string | null, actor: 'researcher' | 'participant' | 'relay', action: string, details?: Record<string, unknown>, participantId?: string): void;
  saveCheckpoint(studyId: string, round: number, blobs: Record<string, Uint8Array>): Promise<void>;
  /** The checkpoint of the study's best round (study/best_round.ts): its number and its client segments' bundles, in order; undefined when there is none. */
  bestCheckpoint(studyId: string): Promise<{ round: number; client: Uint8Array[] } | undefined>;
}
