import { z } from 'zod';
import { resolveCut, type SegmentPlan } from '../model/cuts';
import { WEIGHTS_DIGEST_PATTERN } from '../model/weights_digest';
import { horizontalStudy, StudyConfigSchema, type StudyConfig } from '../study/config';
import { BEST_ROUND_METRICS } from '../study/best_round';
import type { SplitPlan } from '../topology/split_plan';

// What an exported segment is, stored in its model.json as `userDefinedMetadata` (where
// tfjs keeps it: `model.getUserDefinedMetadata()` after tf.loadLayersModel). Enough to
// put the segments of one study back together, to check that they belong together, and
// to prepare images the way the study did, with no access to the relay.

export const SEGMENT_FORMAT = 'splitnn-segment/1';

const count = z.number().int().nonnegative();
const digest = z.string().regex(WEIGHTS_DIGEST_PATTERN);
const shape = z.array(z.number().int().positive()).min(1).max(8);

/** Which piece of the model a segment is, named for its place from the images to the logits. */
export type SegmentPart = 'bottom' | 'middle' | 'head';

export const SegmentMetadataSchema = z.object({
  format: z.literal(SEGMENT_FORMAT),
  study: z.object({ id: z.string().min(1).max(128), name: z.string().max(120) }),
  /** Rounds of training these weights carry: the study's completed rounds when they were exported. */
  trainedRounds: count,
  /** Who held the segment during training. */
  role: z.enum(['client', 'server']),
  /** bottom: takes the images; head: gives the class logits; middle: between two cuts (U-shaped server). */
  part: z.enum(['bottom', 'middle', 'head']),
  /** Position from the input (0) to the logits (segmentCount - 1). */
  index: count,
  segmentCount: z.number().int().min(2).max(8),
  topology: z.enum(['vanilla', 'u-shaped']),
  model: z.string(),
  /** The layer after which each cut falls, input side first. */
  cuts: z.array(z.string()).min(1),
  /** The model's top-level layers this segment holds. */
  layers: z.array(z.string()).min(1),
  /** Per-sample shapes (no batch dimension): images [height, width, channels] for the bottom. */
  inputShape: shape,
  outputShape: shape,
  /** Class names in label order: column k of the head's output is classes[k]. */
  classes: z.array(z.string()).min(2),
  /** The study's configuration (preprocessing, seed, validation share, wire codec). */
  config: StudyConfigSchema,
  /**
   * The digest of this role's weights as exported, all its segments together, input side
   * first (model/weights_digest.ts): the same as the study's validation row names when these
   * are the weights it validated.
   */
  weightsDigest: digest.optional(),
  /** The study's pooled validation figures after `trainedRounds` (server exports only). */
  validation: z
    .object({
      round: count,
      accuracy: z.number().min(0).max(1),
      loss: z.number().nullable(),
      auc: z.number().nullable(),
      count,
      /** The digests of the client and server weights that validation scored. */
      weights: z.object({ client: digest.optional(), server: digest.optional() }).optional(),
      /** Whether this is the study's best round by its best-round metric (study/best_round.ts), which exports default to. */
      best: z.boolean().optional(),
      metric: z.enum(BEST_ROUND_METRICS).optional(),
      /** A binary study's decision threshold on class 1's probability, chosen on this round's validation, and its rates there. */
      operatingPoint: z
        .object({ threshold: z.number().gt(0).lt(1), sensitivity: z.number().min(0).max(1), specificity: z.number().min(0).max(1), balancedAccuracy: z.number().min(0).max(1) })
        .optional(),
    })
    .optional(),
});
export type SegmentMetadata = z.infer<typeof SegmentMetadataSchema>;

export interface SegmentDescription {
  study: { id: string; config: StudyConfig };
  split: SplitPlan;
  plan: SegmentPlan;
  trainedRounds: number;
  /** The digest of all of the role's weights (see SegmentMetadata.weightsDigest). */
  weightsDigest?: string;
  validation?: SegmentMetadata['validation'];
}

/** The metadata of one segment of a study's split. */
export function segmentMetadata({ study, split, plan, trainedRounds, weightsDigest, validation }: SegmentDescription): SegmentMetadata {
  const segmentCount = split.client.length + split.server.length;
  // By index: the plan may come from another build of the same split (a participant's roles).
  const holds = (plans: readonly SegmentPlan[]): boolean => plans.some((candidate) => candidate.index === plan.index);
  const role = holds(split.client) ? 'client' : holds(split.server) ? 'server' : undefined;
  if (!role) throw new Error(`segment ${plan.index} is not part of this split`);
  const { config } = study;
  return {
    format: SEGMENT_FORMAT,
    study: { id: study.id, name: config.name },
    trainedRounds,
    role,
    part: plan.index === 0 ? 'bottom' : plan.index === segmentCount - 1 ? 'head' : 'middle',
    index: plan.index,
    segmentCount,
    topology: horizontalStudy(config).topology,
    model: split.spec.name,
    cuts: split.cuts.map((cut) => split.spec.layers[resolveCut(split.spec, cut)]?.name ?? String(cut)),
    layers: plan.layers.map((layer) => layer.name),
    inputShape: plan.inputShape.slice(),
    outputShape: plan.outputShape.slice(),
    classes: config.classes.slice(),
    config,
    ...(weightsDigest ? { weightsDigest } : {}),
    ...(validation ? { validation } : {}),
  };
}

/** The folder (or file prefix) a segment is written to: `client-segment0`, `server-segment1`. */
export function segmentFileStem(metadata: Pick<SegmentMetadata, 'role' | 'index'>): string {
  return `${metadata.role}-segment${metadata.index}`;
}

/** For people: "client bottom segment 0 (conv1 .. pool1)". */
export function describeSegment(metadata: SegmentMetadata): string {
  const layers = metadata.layers.length > 1 ? `${metadata.layers[0]} .. ${metadata.layers[metadata.layers.length - 1]}` : metadata.layers[0];
  return `${metadata.role} ${metadata.part} segment ${metadata.index} (${layers})`;
}
