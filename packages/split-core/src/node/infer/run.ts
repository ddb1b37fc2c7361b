import { chainSegments, checkRole, disposeChain, predictProbabilities, type SegmentChain } from '../../artifacts/chain';
import { checkValidatedWeights, type WeightsCheck } from '../../artifacts/validated_weights';
import { describeSegment, type SegmentMetadata } from '../../artifacts/metadata';
import type { LoadedSegment } from '../../artifacts/segment_files';
import type { Encoding } from '../../codec/types';
import { batchToTensors } from '../../data/batches';
import type { Dataset, Sample, SkippedFile } from '../../data/dataset';
import { DEMO_CLASSES, generateDemoDataset } from '../../data/demo';
import { DEMO_DATA_SEED } from '../../data/demo_shard';
import type { ImageShape } from '../../data/image';
import { evaluateClassification, type ClassificationMetrics } from '../../metrics/classification';
import { ratesAtThreshold } from '../../metrics/operating_point';
import { evaluationBatches } from '../../runtime/batch_order';
import { runEpochLoop } from '../../runtime/epoch_loop';
import { loadLocalData } from '../client/local_data';
import { readImageFolder } from '../data/image_folder';
import { readSegment, segmentModelPaths } from '../segment_files';
import type { InferArgs } from './args';

// Inference with a study's exported segments, on images the command reads itself: what a
// researcher runs to check that the files they were handed compute what the study
// validated, or to score a new labelled set.

export interface InferResult {
  study: { id: string; name: string };
  model: string;
  topology: string;
  trainedRounds: number;
  classes: string[];
  segments: { source: string; role: SegmentMetadata['role']; part: SegmentMetadata['part']; index: number; trainedRounds: number }[];
  /** What was scored: the folder, or the demo images. */
  data: string;
  /** How cut tensors were rounded between segments. */
  cutCodec: Encoding;
  /** At the argmax (0.5 for two classes). */
  metrics: ClassificationMetrics;
  /** A binary study with an operating point: the same images at the study's threshold (chosen on its validation). */
  atThreshold?: { threshold: number; accuracy: number; sensitivity: number; specificity: number; balancedAccuracy: number };
  skipped: SkippedFile[];
  /** The study's own pooled validation figures after the rounds trained, when the server export carries them. */
  studyValidation?: NonNullable<SegmentMetadata['validation']>;
  /** The weights scored, and whether they are exactly those the study's validation scored. */
  weights: Omit<WeightsCheck, 'warnings'>;
  warnings: string[];
}

export interface InferHooks {
  onInfo?: (message: string) => void;
}

async function loadGiven(paths: readonly string[], role: SegmentMetadata['role']): Promise<LoadedSegment[]> {
  const segments: LoadedSegment[] = [];
  for (const given of paths) {
    for (const modelPath of await segmentModelPaths(given)) {
      const segment = await readSegment(modelPath);
      segments.push(segment);
      checkRole(segment, role);
    }
  }
  return segments;
}

function imageShapeOf(chain: SegmentChain): ImageShape {
  const shape = chain.segments[0]?.metadata.inputShape ?? [];
  if (shape.length !== 3) throw new Error(`this study's model takes [${shape.join(', ')}] (not images): the inference command reads images only`);
  return shape as unknown as ImageShape;
}

interface LoadedData {
  dataset: Dataset;
  skipped: SkippedFile[];
  description: string;
}

async function loadData(args: InferArgs, chain: SegmentChain): Promise<LoadedData> {
  const sampleShape = imageShapeOf(chain);
  if (args.data !== 'demo') {
    const read = await readImageFolder(args.data, { sampleShape, classes: chain.classes, ...(args.labels ? { labels: args.labels } : {}) });
    if (read.unknownClasses.length > 0) {
      throw new Error(
        args.labels
          ? `${args.labels} has labels that are not classes of this study: ${read.unknownClasses.join(', ')} (the study's classes: ${chain.classes.join(', ')}). Use the study's class names in the CSV`
          : `${args.data} has class folders that are not classes of this study: ${read.unknownClasses.join(', ')} (the study's classes: ${chain.classes.join(', ')}). Name the sub-folders like the study's classes`,
      );
    }
    return { dataset: read.dataset, skipped: read.skipped, description: args.data };
  }
  if (chain.classes.join('\u0000') !== DEMO_CLASSES.join('\u0000')) {
    throw new Error(`--data demo holds ${DEMO_CLASSES.join('/')} images, but this study's classes are ${chain.classes.join(', ')}: pass a folder of the study's images`);
  }
  const [size, , channels] = sampleShape;
  if (args.shard.length === 0) {
    const { val } = generateDemoDataset({ seed: DEMO_DATA_SEED, size, channels: channels === 3 ? 3 : 1, trainSize: 0 });
    return { dataset: val, skipped: [], description: 'demo validation set' };
  }
  // Exactly what `npm run client -- --data demo --shard K/N` kept for validation in this study.
  const study = { id: chain.study.id, config: chain.config, state: 'finished' as const, round: chain.trainedRounds };
  const samples = [];
  for (const shard of args.shard) samples.push(...(await loadLocalData(study, { source: 'demo', shard })).val.samples);
  const shards = args.shard.map((shard) => `${shard.index + 1}/${shard.count}`).join(', ');
  return { dataset: { classes: chain.classes.slice(), sampleShape: [...sampleShape], samples }, skipped: [], description: `demo validation images of client(s) ${shards}` };
}

async function score(chain: SegmentChain, dataset: Dataset, batchSize: number, cutCodec: Encoding): Promise<ClassificationMetrics> {
  const numClasses = chain.classes.length;
  const batches = evaluationBatches(dataset.samples, batchSize);
  const tally = await runEpochLoop(batches.length, (step) => {
    const tensors = batchToTensors(batches[step] as Sample[], dataset.sampleShape, numClasses);
    try {
      return Promise.resolve({ probabilities: predictProbabilities(chain, tensors.x, cutCodec), labels: tensors.labels, samples: tensors.labels.shape[0] });
    } finally {
      tensors.x.dispose();
    }
  });
  return tally.metrics(numClasses) ?? evaluateClassification([], [], numClasses);
}

/** Loads and checks the segments, reads the images, scores them. Throws with what to fix. */
export async function runInfer(args: InferArgs, hooks: InferHooks = {}): Promise<InferResult> {
  const given = [...(await loadGiven(args.client, 'client')), ...(await loadGiven(args.server, 'server'))];
  let chain: SegmentChain;
  try {
    chain = chainSegments(given);
  } catch (error) {
    for (const segment of given) segment.model.dispose();
    throw error;
  }
  try {
    for (const segment of chain.segments) hooks.onInfo?.(`${describeSegment(segment.metadata)}, after ${segment.metadata.trainedRounds} rounds: ${segment.source}`);
    const data = await loadData(args, chain);
    if (data.dataset.samples.length === 0) throw new Error(`${data.description} holds no usable image of the study's classes (${chain.classes.join(', ')})`);
    hooks.onInfo?.(`${data.description}: ${data.dataset.samples.length} images, ${data.skipped.length} skipped`);
    const cutCodec: Encoding = args.cutCodec === 'study' ? chain.config.codec : args.cutCodec;
    const metrics = await score(chain, data.dataset, args.batch ?? chain.config.batchSize, cutCodec);
    const studyValidation = chain.segments.find((segment) => segment.metadata.validation)?.metadata.validation;
    const atThreshold = studyValidation?.operatingPoint && metrics.thresholds ? ratesAtThreshold(metrics.thresholds, studyValidation.operatingPoint.threshold) : undefined;
    const { warnings: weightWarnings, ...weights } = checkValidatedWeights(chain);
    return {
      study: chain.study,
      model: chain.segments[0]?.metadata.model ?? '',
      topology: chain.config.topology,
      trainedRounds: chain.trainedRounds,
      classes: chain.classes,
      segments: chain.segments.map(({ source, metadata }) => ({ source, role: metadata.role, part: metadata.part, index: metadata.index, trainedRounds: metadata.trainedRounds })),
      data: data.description,
      cutCodec,
      metrics,
      ...(atThreshold ? { atThreshold } : {}),
      skipped: data.skipped,
      ...(studyValidation ? { studyValidation } : {}),
      weights,
      warnings: [...chain.warnings, ...weightWarnings],
    };
  } finally {
    disposeChain(chain);
  }
}
