import * as tf from '@tensorflow/tfjs';
import { decodeTensor } from '../codec/decode_tensor';
import { encodeTensor } from '../codec/encode_tensor';
import { dataToTensor, tensorToData } from '../codec/tensor_frames';
import type { Encoding } from '../codec/types';
import { studySplit } from '../study/model';
import type { StudyConfig } from '../study/config';
import { SegmentFilesError } from './errors';
import { describeSegment, type SegmentMetadata } from './metadata';
import type { LoadedSegment } from './segment_files';

// Puts exported segments back together in input-to-logits order, refusing any set that
// would silently compute something else: segments of two studies, a missing or doubled
// piece, shapes that do not meet at a cut, disagreeing class names.

export interface SegmentChain {
  /** Input side first. */
  segments: LoadedSegment[];
  study: SegmentMetadata['study'];
  config: StudyConfig;
  classes: string[];
  /** The fewest rounds any segment carries. */
  trainedRounds: number;
  /** Usable but worth knowing (segments exported after different rounds). */
  warnings: string[];
}

const sameShape = (a: readonly (number | null)[], b: readonly (number | null)[]): boolean => a.length === b.length && a.every((dim, i) => dim === b[i]);
const showShape = (shape: readonly (number | null)[]): string => `[${shape.join(', ')}]`;

/** Refuses a segment passed as the other role's (e.g. the server's files given as --client). */
export function checkRole(segment: LoadedSegment, role: SegmentMetadata['role']): void {
  if (segment.metadata.role !== role) {
    throw new SegmentFilesError('wrong-role', `${segment.source} holds the ${describeSegment(segment.metadata)}, but was given as a ${role} segment: pass it with --${segment.metadata.role}`);
  }
}

function checkModelShapes(segment: LoadedSegment): void {
  const { model, metadata, source } = segment;
  const input = model.inputs[0]?.shape.slice(1) ?? [];
  const output = model.outputs[0]?.shape.slice(1) ?? [];
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || !sameShape(input, metadata.inputShape) || !sameShape(output, metadata.outputShape)) {
    throw new SegmentFilesError(
      'shape-mismatch',
      `${source}: the model maps ${showShape(input)} to ${showShape(output)}, but its metadata says ${showShape(metadata.inputShape)} to ${showShape(metadata.outputShape)}: the files were edited or mixed up; export them again`,
    );
  }
}

/** Orders and checks the segments of one study; throws SegmentFilesError saying what to pass instead. */
export function chainSegments(given: readonly LoadedSegment[]): SegmentChain {
  const first = given[0];
  if (!first) throw new SegmentFilesError('missing-segment', 'no segment given: pass the client segment(s) with --client and the server segment with --server');
  const studies = new Map(given.map((segment) => [segment.metadata.study.id, segment]));
  if (studies.size > 1) {
    const list = [...studies.values()].map((segment) => `${segment.source} is from study "${segment.metadata.study.name}" (${segment.metadata.study.id})`).join('; ');
    throw new SegmentFilesError('different-studies', `the segments come from different studies: ${list}. Use the segments of one study`);
  }
  for (const segment of given) {
    if (segment.metadata.classes.join('\u0000') !== first.metadata.classes.join('\u0000')) {
      throw new SegmentFilesError('class-mismatch', `${segment.source} has classes (${segment.metadata.classes.join(', ')}) but ${first.source} has (${first.metadata.classes.join(', ')})`);
    }
    checkModelShapes(segment);
  }

  const { config } = first.metadata;
  const split = studySplit(config);
  const plans = [...split.client.map((plan) => ({ plan, role: 'client' as const })), ...split.server.map((plan) => ({ plan, role: 'server' as const }))].sort((a, b) => a.plan.index - b.plan.index);
  const segments: LoadedSegment[] = [];
  for (const { plan, role } of plans) {
    const matches = given.filter((segment) => segment.metadata.index === plan.index);
    if (matches.length > 1) {
      throw new SegmentFilesError('duplicate-segment', `segment ${plan.index} was given twice (${matches.map((segment) => segment.source).join(', ')}): pass each segment once`);
    }
    const found = matches[0];
    if (!found) {
      const which = config.topology === 'u-shaped' && role === 'client' && plan.index > 0 ? 'the client head segment (the U-shaped last layers)' : `the ${role} segment`;
      throw new SegmentFilesError('missing-segment', `${which} (segment ${plan.index} of ${plans.length}, layers ${plan.layers.map((layer) => layer.name).join(', ')}) is missing: pass it with --${role}`);
    }
    segments.push(found);
  }
  const stray = given.find((segment) => !segments.includes(segment));
  if (stray) throw new SegmentFilesError('unexpected-segment', `${stray.source} (segment ${stray.metadata.index}) is not part of a ${config.topology} split into ${plans.length} segments`);

  for (let i = 1; i < segments.length; i++) {
    const before = segments[i - 1] as LoadedSegment;
    const after = segments[i] as LoadedSegment;
    if (!sameShape(before.metadata.outputShape, after.metadata.inputShape)) {
      throw new SegmentFilesError(
        'shape-mismatch',
        `${before.source} outputs ${showShape(before.metadata.outputShape)} but ${after.source} takes ${showShape(after.metadata.inputShape)}: they do not meet at the cut; use segments of one export`,
      );
    }
  }
  const head = segments[segments.length - 1] as LoadedSegment;
  if (!sameShape(head.metadata.outputShape, [first.metadata.classes.length])) {
    throw new SegmentFilesError('shape-mismatch', `${head.source} outputs ${showShape(head.metadata.outputShape)}, not one score for each of the ${first.metadata.classes.length} classes`);
  }

  const rounds = new Set(segments.map((segment) => segment.metadata.trainedRounds));
  const warnings =
    rounds.size > 1
      ? [`the segments were exported after different rounds (${segments.map((segment) => `${segment.metadata.role} segment ${segment.metadata.index}: ${segment.metadata.trainedRounds}`).join(', ')}): they were never validated together`]
      : [];
  return {
    segments,
    study: first.metadata.study,
    config,
    classes: first.metadata.classes.slice(),
    trainedRounds: Math.min(...rounds),
    warnings,
  };
}

/**
 * What a cut tensor looks like after crossing the wire in `encoding`: the study validated
 * with fp16 or int8 cut tensors, so reproducing its figures exactly means the same rounding.
 */
function throughCodec(tensor: tf.Tensor, encoding: Encoding): tf.Tensor {
  const frame = encodeTensor(tensorToData(tensor, 'activations'), encoding);
  return dataToTensor(decodeTensor(frame, { maxFrameBytes: frame.byteLength }));
}

/** Class probabilities [batch, classes] for a batch of images, through every segment in turn. */
export function predictProbabilities(chain: SegmentChain, images: tf.Tensor, cutEncoding: Encoding = 'fp32'): tf.Tensor {
  return tf.tidy(() => {
    let x = images;
    chain.segments.forEach((segment, i) => {
      // apply, as the study's evaluation did (segment.ts infer); predict would re-batch by 32.
      x = segment.model.apply(x, { training: false }) as tf.Tensor;
      if (i < chain.segments.length - 1 && cutEncoding !== 'fp32') x = throughCodec(x, cutEncoding);
    });
    return tf.softmax(x);
  });
}

export function disposeChain(chain: SegmentChain): void {
  for (const segment of chain.segments) segment.model.dispose();
}
