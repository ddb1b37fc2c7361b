import { federatedAverageGroups } from './fedavg';
import type { Federation, SegmentWeights, TrainingGroup } from './federation';
import { SHARED_SERVER } from './federation';
import { asError, emptyOutcome, type RoundOutcome, type Schedule, type ScheduleOptions } from './schedule';

// SplitFed (Thapa et al. 2020, arXiv 2004.12088): all groups train at the same time and
// their client segments are FedAvg'ed (weighted by samples) at the end of each round. A
// group that fails its epoch is left out of both averages.

export async function trainAll(federation: Pick<Federation, 'groups' | 'trainGroup'>, serverKeyOf: (group: TrainingGroup) => string): Promise<RoundOutcome> {
  const results = await Promise.allSettled(federation.groups.map((group) => federation.trainGroup(group, serverKeyOf(group))));
  const outcome = emptyOutcome();
  results.forEach((result, i) => {
    const groupId = (federation.groups[i] as TrainingGroup).id;
    if (result.status === 'fulfilled') {
      outcome.completed.push(groupId);
      outcome.trained.set(groupId, result.value.samples);
    }
    else outcome.failed.push({ groupId, error: asError(result.reason) });
  });
  return outcome;
}

abstract class SplitFedSchedule implements Schedule {
  abstract readonly name: 'splitfed-v1' | 'splitfed-v2';
  private average: SegmentWeights | undefined;
  /** Weights to hand every group before the first round, then forgotten. */
  private startFrom: SegmentWeights | undefined;

  constructor(options: ScheduleOptions = {}) {
    this.average = options.startFrom;
    this.startFrom = options.startFrom;
  }

  get latestGroupWeights(): SegmentWeights | undefined {
    return this.average;
  }

  async runRound(federation: Federation): Promise<RoundOutcome> {
    const start = this.startFrom;
    this.startFrom = undefined;
    // Every group starts from one model, so that the first average is of comparable weights.
    const handed = start ? await Promise.allSettled(federation.groups.map((group) => federation.writeGroupWeights(group, start))) : [];
    const outcome = await this.trainRound(federation);
    handed.forEach((result, i) => {
      const groupId = (federation.groups[i] as TrainingGroup).id;
      if (result.status === 'rejected' && !outcome.failed.some((failure) => failure.groupId === groupId)) {
        outcome.failed.push({ groupId, error: asError(result.reason) });
        outcome.completed = outcome.completed.filter((id) => id !== groupId);
      }
    });
    const completed = federation.groups.filter((group) => outcome.completed.includes(group.id));
    this.average = (await federatedAverageGroups(federation, completed, outcome)) ?? this.average;
    return outcome;
  }

  protected abstract trainRound(federation: Federation): Promise<RoundOutcome>;
}

/** SFLV1: one server copy per group, averaged into the shared server after each round. */
export class SplitFedV1Schedule extends SplitFedSchedule {
  readonly name = 'splitfed-v1' as const;

  protected async trainRound(federation: Federation): Promise<RoundOutcome> {
    const copyKey = (group: TrainingGroup): string => `group:${group.id}`;
    const start = await federation.readServerWeights(SHARED_SERVER);
    await Promise.all(federation.groups.map((group) => federation.writeServerWeights(copyKey(group), start)));
    const outcome = await trainAll(federation, copyKey);
    const completed = federation.groups.filter((group) => outcome.completed.includes(group.id));
    if (completed.length > 0) {
      await federation.averageServerCopies(
        completed.map(copyKey),
        completed.map((group) => outcome.trained.get(group.id) ?? 0),
        SHARED_SERVER,
      );
    }
    return outcome;
  }
}

/** SFLV2: one shared server segment processes the groups' batches in turn. */
export class SplitFedV2Schedule extends SplitFedSchedule {
  readonly name = 'splitfed-v2' as const;

  protected trainRound(federation: Federation): Promise<RoundOutcome> {
    return trainAll(federation, () => SHARED_SERVER);
  }
}
