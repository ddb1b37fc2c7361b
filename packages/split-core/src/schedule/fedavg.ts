import { averageWeights } from '../model/weights';
import type { Federation, SegmentWeights, TrainingGroup } from './federation';
import { asError, type RoundOutcome } from './schedule';

/** Sample-weighted mean of several groups' segment weights, segment by segment. */
export function averageSegmentWeights(sets: readonly SegmentWeights[], sampleCounts: readonly number[]): SegmentWeights {
  const first = sets[0];
  if (!first) return [];
  return first.map((_, segment) => averageWeights(sets.map((set) => set[segment] ?? []), sampleCounts));
}

/**
 * FedAvg of client segments (McMahan et al. 2017) over the groups that completed the
 * round, each weighted by the samples the server processed for it; every one of them leaves
 * the round with the average. Returns the average, or undefined when no group completed.
 */
export async function federatedAverageGroups(federation: Federation, groups: readonly TrainingGroup[], outcome: RoundOutcome): Promise<SegmentWeights | undefined> {
  const uploads = await Promise.allSettled(groups.map((group) => federation.readGroupWeights(group)));
  const sets: SegmentWeights[] = [];
  const counts: number[] = [];
  const contributors: TrainingGroup[] = [];
  uploads.forEach((upload, i) => {
    const group = groups[i] as TrainingGroup;
    if (upload.status === 'fulfilled') {
      sets.push(upload.value);
      counts.push(outcome.trained.get(group.id) ?? 0);
      contributors.push(group);
    } else {
      outcome.failed.push({ groupId: group.id, error: asError(upload.reason) });
      outcome.completed = outcome.completed.filter((id) => id !== group.id);
    }
  });
  if (sets.length === 0) return undefined;
  const average = averageSegmentWeights(sets, counts);
  const downloads = await Promise.allSettled(contributors.map((group) => federation.writeGroupWeights(group, average)));
  downloads.forEach((download, i) => {
    if (download.status === 'rejected') outcome.failed.push({ groupId: (contributors[i] as TrainingGroup).id, error: asError(download.reason) });
  });
  return average;
}
