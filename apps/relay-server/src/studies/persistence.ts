import type { protocol } from '@splitlearn/split-core';

/** What a running study records; implemented over SQLite and the checkpoint files. */
export interface StudyPersistence {
  saveProgress(studyId: string, state: protocol.StudyState, round: number): void;
  recordMetrics(studyId: string, round: number, phase: 'train' | 'val', participantId: string | null, metrics: Record<string, unknown>): void;
  audit(studyId: string | null, actor: 'researcher' | 'participant' | 'relay', action: string, details?: Record<string, unknown>): void;
  saveCheckpoint(studyId: string, round: number, blobs: Record<string, Uint8Array>): Promise<void>;
}
