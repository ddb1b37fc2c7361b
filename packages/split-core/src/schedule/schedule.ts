import type { Federation, SegmentWeights } from './federation';

// How groups take turns against the server (PAPER.md, "Many clients"). A round is one
// local epoch of every group.

export type ScheduleName = 'round-robin' | 'splitfed-v1' | 'splitfed-v2';
export const SCHEDULE_NAMES: readonly ScheduleName[] = ['round-robin', 'splitfed-v1', 'splitfed-v2'];

/**
 * What happened to each group in a round. Over a network a client can vanish mid-epoch:
 * its group's work is abandoned and the round goes on with the others, never failing as a whole.
 */
export interface RoundOutcome {
  /** Group ids. */
  completed: string[];
  failed: { groupId: string; error: Error }[];
  /** Samples the server processed for each group that finished its epoch, by group id: the averaging weights. */
  trained: Map<string, number>;
}

export function emptyOutcome(): RoundOutcome {
  return { completed: [], failed: [], trained: new Map() };
}

export interface ScheduleOptions {
  /** Client weights every group starts the first round from (a study resumed, or another schedule's last). */
  startFrom?: SegmentWeights;
}

export interface Schedule {
  /** The schedule's name, or the baseline method's (schedule/baselines.ts). */
  readonly name: ScheduleName | 'fedavg' | 'lbsgd';
  runRound(federation: Federation): Promise<RoundOutcome>;
  /**
   * The group weights the study stands at after the last round: the last hand-off, or the
   * last average. What a late joiner, the validation and a checkpoint take; undefined
   * before any group completed a round.
   */
  readonly latestGroupWeights: SegmentWeights | undefined;
}

export function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
