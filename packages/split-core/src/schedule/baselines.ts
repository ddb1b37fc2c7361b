import { federatedAverageGroups } from './fedavg';
import type { Federation, SegmentWeights, TrainingGroup } from './federation';
import { SHARED_SERVER } from './federation';
import { asError, type RoundOutcome, type Schedule, type ScheduleOptions } from './schedule';
import { trainAll } from './splitfed';

// The baselines' rounds over a federation whose groups train the whole model on their own
// devices (no server segment; the federation knows that from the study's method). Every
// group starts each round from the model the study stands at: a late joiner, or a client
// that missed the last average, is handed it first.

/** Hands `weights` to every group not known to hold them; a group that cannot take them is failed for the round. */
async function handToAll(federation: Federation, weights: SegmentWeights | undefined): Promise<Map<string, Error>> {
  const refused = new Map<string, Error>();
  if (!weights) return refused;
  const pending = federation.groups.filter((group) => !federation.holds?.(group, weights));
  const results = await Promise.allSettled(pending.map((group) => federation.writeGroupWeights(group, weights)));
  results.forEach((result, i) => {
    if (result.status === 'rejected') refused.set((pending[i] as TrainingGroup).id, asError(result.reason));
  });
  return refused;
}

/** Trains the groups that took the study's weights; the others count as failed. */
async function trainFromLatest(federation: Federation, latest: SegmentWeights | undefined): Promise<RoundOutcome> {
  const refused = await handToAll(federation, latest);
  const ready = federation.groups.filter((group) => !refused.has(group.id));
  const outcome = await trainAll({ groups: ready, trainGroup: (group, key) => federation.trainGroup(group, key) }, () => SHARED_SERVER);
  for (const [groupId, error] of refused) outcome.failed.push({ groupId, error });
  return outcome;
}

/** Federated averaging: each group trains the whole model for the study's local epochs, then the sample-weighted average goes to all who finished. */
export class FederatedAveragingSchedule implements Schedule {
  readonly name = 'fedavg' as const;
  private average: SegmentWeights | undefined;

  constructor(options: ScheduleOptions = {}) {
    this.average = options.startFrom;
  }

  get latestGroupWeights(): SegmentWeights | undefined {
    return this.average;
  }

  async runRound(federation: Federation): Promise<RoundOutcome> {
    const outcome = await trainFromLatest(federation, this.average);
    const completed = federation.groups.filter((group) => outcome.completed.includes(group.id));
    this.average = (await federatedAverageGroups(federation, completed, outcome)) ?? this.average;
    return outcome;
  }
}

/**
 * Large-batch synchronous SGD: the groups train side by side, their gradients averaged at
 * every step by the federation, so all who finished hold the same model; the study stands at
 * the first one's.
 */
export class LargeBatchSgdSchedule implements Schedule {
  readonly name = 'lbsgd' as const;
  private latest: SegmentWeights | undefined;

  constructor(options: ScheduleOptions = {}) {
    this.latest = options.startFrom;
  }

  get latestGroupWeights(): SegmentWeights | undefined {
    return this.latest;
  }

  async runRound(federation: Federation): Promise<RoundOutcome> {
    const outcome = await trainFromLatest(federation, this.latest);
    for (const group of federation.groups.filter((candidate) => outcome.completed.includes(candidate.id))) {
      try {
        this.latest = await federation.readGroupWeights(group);
        break;
      } catch (error) {
        outcome.failed.push({ groupId: group.id, error: asError(error) });
        outcome.completed = outcome.completed.filter((id) => id !== group.id);
      }
    }
    return outcome;
  }
}
