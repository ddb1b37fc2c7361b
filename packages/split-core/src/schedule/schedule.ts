import type { Federation } from './federation';

// How many clients take turns against the server (PAPER.md, "Many clients"). A round is
// one local epoch of every client.

export type ScheduleName = 'round-robin' | 'splitfed-v1' | 'splitfed-v2';
export const SCHEDULE_NAMES: readonly ScheduleName[] = ['round-robin', 'splitfed-v1', 'splitfed-v2'];

/**
 * What happened to each client in a round. Over a network a client can vanish mid-epoch:
 * its work is abandoned and the round goes on with the others, never failing as a whole.
 */
export interface RoundOutcome {
  completed: string[];
  failed: { clientId: string; error: Error }[];
}

export interface Schedule {
  readonly name: ScheduleName;
  runRound(federation: Federation): Promise<RoundOutcome>;
}

export function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
