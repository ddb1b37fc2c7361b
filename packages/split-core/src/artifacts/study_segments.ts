import type { NamedWeight } from '../model/weights';
import { weightsDigest } from '../model/weights_digest';
import { studySplit } from '../study/model';
import type { StudyConfig } from '../study/config';
import { segmentFileStem, segmentMetadata, type SegmentMetadata } from './metadata';
import { DEFAULT_WEIGHTS_FILE, segmentFilesFromWeights, type SegmentFiles } from './segment_files';

/**
 * The files of one role's segments of a study, from stored weights (a checkpoint): one
 * weight set per segment of the role, input side first, as the relay checkpoints them.
 */
export async function roleSegmentFiles(options: {
  study: { id: string; config: StudyConfig };
  role: SegmentMetadata['role'];
  weights: readonly (readonly NamedWeight[])[];
  trainedRounds: number;
  validation?: SegmentMetadata['validation'];
  weightsFile?: (stem: string) => string;
}): Promise<SegmentFiles[]> {
  const { study, role, weights, trainedRounds, validation, weightsFile = () => DEFAULT_WEIGHTS_FILE } = options;
  const split = studySplit(study.config);
  const plans = split[role];
  if (plans.length !== weights.length) {
    throw new Error(`a ${study.config.topology} study has ${plans.length} ${role} segment(s), but ${weights.length} weight set(s) were given`);
  }
  const files: SegmentFiles[] = [];
  const digest = weightsDigest(weights);
  for (const [i, plan] of plans.entries()) {
    const metadata = segmentMetadata({ study, split, plan, trainedRounds, weightsDigest: digest, ...(validation ? { validation } : {}) });
    // Named as training/roles.ts names the live segments: a client's own export looks the same.
    files.push(await segmentFilesFromWeights(plan, `${role}_segment${plan.index}`, weights[i] ?? [], metadata, weightsFile(segmentFileStem(metadata))));
  }
  return files;
}
