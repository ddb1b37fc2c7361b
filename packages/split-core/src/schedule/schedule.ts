import type { Federation } from './federation';

// How many clients take turns against the server (PAPER.md, "Many clients"). A round is
// one local epoch of every client.

export type ScheduleName = 'round-robin' | 'splitfed-v1' | 'splitfed-v2';
export const SCHEDULE_NAMES: readonly ScheduleName[] = ['round-robin', 'splitfed-v1', 'splitfed-v2'];

export interface Schedule {
  readonly name: ScheduleName;
  runRound(federation: Federation): Promise<void>;
}
