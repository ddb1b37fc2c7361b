import { encodedBundleSize, encodedSize, getTopologyDescriptor, nameByteLength, POINT_BYTES, SEALED_OVERHEAD_BYTES, studyMethod, TAG_BYTES, upCrossings, type Encoding, type MethodName, type TopologyName, type WireCrossing } from '@splitlearn/split-core/pure';
import type { Egress, WireItem } from '../../worker/messages';

// "What leaves this device", computed from the study configuration, this client's split and
// split-core's topology descriptor (the tensors each step sends), never from observation, so
// the page can state it before the first byte is sent and an end-to-end test can hold the
// measured traffic against it. Sizes are exact codec frame sizes: network/stream_link.ts
// names every step frame after its kind ('activations', 'labels', 'gradients'), encodes
// labels raw (int32) and everything else with the study's codec; client-segment weights
// always travel as fp32 bundles (model/weights_frames.ts).

type WireKind = WireItem['kind'];

export interface EgressInput {
  topology: TopologyName;
  codec: Encoding;
  batchSize: number;
  /** Per-sample shape at each cut, input side first: one cut in vanilla, two in U-shaped. */
  cutShapes: number[][];
  /** Each client segment's variables in model order, named as readWeights names them. */
  clientWeights: { name: string; shape: number[] }[][];
  /** The study's hand-off is sealed with its key: each weight bundle travels with the cipher's overhead. */
  sealedHandoff?: boolean;
  /** A vertical party without the labels sends none. */
  holdsLabels?: boolean;
  /** What this device trains on: images (horizontal, or a vertical image party), a table of patients (a vertical table party), or nothing of its own (an intermediate participant). */
  data?: 'images' | 'table' | 'none';
  /** Where the study has positions: this device's name for it, and for an intermediate participant (a hop) the per-sample shape of what it receives. */
  position?: { name: string; intermediateInput?: number[] };
  /** A vertical party: the rows it brings to the alignment, once its table is read. */
  alignmentRows?: number;
  /** A baseline study: this device trains the whole model (clientWeights is its one segment). */
  method?: MethodName;
  /** The study's privacy settings in plain words, passed on as they are. */
  privacy?: string[];
}

interface ItemPlan {
  kind: WireKind;
  description: string;
  sampleShape: number[];
  dtype: 'float32' | 'int32';
}

const ORDINALS = ['first', 'second', 'third', 'fourth'];

function describeCrossing(crossing: WireCrossing, cut: number): string {
  switch (crossing.kind) {
    case 'labels':
      return 'Labels (class numbers) of the batch';
    case 'activations':
      return cut === 0 ? 'Cut-layer activations (the output of the layers that run on this device)' : `Activations at the ${ORDINALS[cut] ?? `#${cut + 1}`} cut`;
    case 'gradients':
      return `Gradients at the ${ORDINALS[cut] ?? `#${cut + 1}`} cut (to update the server layers)`;
  }
}

/** The tensors this device sends at each step of a phase (per-sample shapes), as the topology's descriptor lists them. */
function itemPlans(input: EgressInput, phase: 'train' | 'eval'): ItemPlan[] {
  const received = input.position?.intermediateInput;
  if (received) {
    // An intermediate participant (a hop) passes its layers' outputs on and, while training, hands the gradients at its input back.
    const output = input.cutShapes[0] ?? [];
    const forward: ItemPlan = { kind: 'activations', description: 'Activations of the layers that run on this device, to the next participant (or the server)', sampleShape: output, dtype: 'float32' };
    const back: ItemPlan = { kind: 'gradients', description: 'Gradients at this device’s input, back to the participant(s) whose outputs it received', sampleShape: received, dtype: 'float32' };
    return phase === 'train' ? [forward, back] : [forward];
  }
  const descriptor = getTopologyDescriptor(input.topology);
  return upCrossings(descriptor.wirePlan[phase], input.holdsLabels ?? true).map((crossing): ItemPlan => {
    if (crossing.kind === 'labels') return { kind: 'labels', description: describeCrossing(crossing, 0), sampleShape: [], dtype: 'int32' };
    const cut = crossing.cut ?? 0;
    const sampleShape = input.cutShapes[cut];
    if (!sampleShape) throw new Error(`a ${input.topology} split needs ${cut + 1} cut shape(s), got ${input.cutShapes.length}`);
    return { kind: crossing.kind, description: describeCrossing(crossing, cut), sampleShape, dtype: 'float32' };
  });
}

function frameBytes(plan: ItemPlan, batch: number, encoding: Encoding): number {
  // Labels are int32 and always raw; the codec records 'fp32' for them (codec/types.ts).
  const itemEncoding = plan.dtype === 'int32' ? 'fp32' : encoding;
  return encodedSize([batch, ...plan.sampleShape], plan.dtype, itemEncoding, nameByteLength(plan.kind));
}

function toWireItem(plan: ItemPlan, input: EgressInput): WireItem {
  return {
    kind: plan.kind,
    description: plan.description,
    shape: [input.batchSize, ...plan.sampleShape],
    dtype: plan.dtype,
    encoding: plan.dtype === 'int32' ? 'fp32' : input.codec,
    bytes: frameBytes(plan, input.batchSize, input.codec),
  };
}

function weightsBundleBytes(weights: { name: string; shape: number[] }[], sealed = false): number {
  return encodedBundleSize(weights.map((weight) => encodedSize(weight.shape, 'float32', 'fp32', nameByteLength(weight.name)))) + (sealed ? SEALED_OVERHEAD_BYTES : 0);
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

const NEVER_LEAVES_DATA: Record<NonNullable<EgressInput['data']>, string[]> = {
  images: ['Your images (pixels are decoded and kept only in this browser tab)', 'File names and folder names', 'DICOM headers (patient names, ids, dates, UIDs): only the pixels are read, and they stay in this browser tab'],
  table: ['Your table (its values are read and kept only in this browser tab)', 'The file name and the column names'],
  none: ['This device holds no patient data: it never receives images, tables or labels, only the cut outputs of the participant(s) before it'],
};

/**
 * What lining a vertical party's rows up with the others' sends, before any training
 * (network/party_alignment.ts answering the relay's align:* steps): a public key, its
 * patients' ids blinded, the others' blinded ids blinded again, the tags of its own, and at
 * the leader the sealed tag key. A plain id or a plain hash of one is never among them.
 */
function alignmentEgress(rows: number): NonNullable<Egress['alignment']> {
  const blindedIdBytes = rows * POINT_BYTES;
  const tagBytes = rows * TAG_BYTES;
  const items = [
    { description: 'A public key for this alignment only (to receive the shared tag key)', bytes: POINT_BYTES },
    { description: `The ids of your ${rows} patients, blinded: each a point on the ristretto255 curve under a secret that never leaves this device`, bytes: blindedIdBytes },
    { description: "The other parties' blinded ids, blinded again with this device's secret (32 bytes per patient of theirs)" },
    { description: 'A tag per patient of yours, computed from the blinded ids with a key the relay never sees', bytes: tagBytes },
    { description: 'If this device leads the alignment: the tag key, sealed for each other party (32 bytes each)' },
  ];
  return { rows, blindedIdBytes, tagBytes, items };
}

/**
 * A baseline's steps: federated averaging sends nothing during a round's steps (its weights
 * go once the local epochs are done); large-batch SGD sends the whole model's gradients, one
 * fp32 bundle of its trainable variables (a batch-norm layer's moving statistics are not
 * trained), at every training step. Validation is scored here: nothing leaves.
 */
function baselineSteps(input: EgressInput): { train: WireItem[]; eval: WireItem[] } {
  if (!studyMethod({ method: input.method }).syncsGradients) return { train: [], eval: [] };
  const trainable = (input.clientWeights[0] ?? []).filter((weight) => !/moving_(mean|variance)$/.test(weight.name));
  const values = trainable.reduce((sum, weight) => sum + elementCount(weight.shape), 0);
  const item: WireItem = {
    kind: 'gradients',
    description: 'Gradients of the whole model’s weights on this batch, to be averaged with the other hospitals’ (they describe the model’s update, not any single image)',
    shape: [values],
    dtype: 'float32',
    encoding: 'fp32',
    bytes: weightsBundleBytes(trainable),
  };
  return { train: [item], eval: [] };
}

export function describeEgress(input: EgressInput): Egress {
  const method = studyMethod({ method: input.method });
  if (!method.serverSegment) {
    return {
      topology: input.topology,
      codec: input.codec,
      batchSize: input.batchSize,
      ...baselineSteps(input),
      weights: input.clientWeights.map((weights, segment) => ({ segment, tensors: weights.length, values: weights.reduce((sum, weight) => sum + elementCount(weight.shape), 0), bytes: weightsBundleBytes(weights, input.sealedHandoff) })),
      ...(input.data ? { data: input.data } : {}),
      method: { title: method.title, summary: method.summary },
      ...(input.privacy ? { privacy: input.privacy } : {}),
      neverLeaves: [...NEVER_LEAVES_DATA[input.data ?? 'images'], ...method.neverLeaves],
    };
  }
  const descriptor = getTopologyDescriptor(input.topology);
  // A vertical party without the labels may still have them in its CSV (a table's label column, an image party's mapping): they stay.
  const unusedLabels = getTopologyDescriptor(input.topology).alignsRows && input.holdsLabels === false ? [`Any label column your ${input.data === 'images' ? 'mapping CSV' : 'table'} has (the study’s labels come from elsewhere)`] : [];
  const neverLeaves = [...NEVER_LEAVES_DATA[input.data ?? 'images'], ...descriptor.neverLeaves, ...unusedLabels];
  return {
    topology: input.topology,
    codec: input.codec,
    batchSize: input.batchSize,
    train: itemPlans(input, 'train').map((plan) => toWireItem(plan, input)),
    eval: itemPlans(input, 'eval').map((plan) => toWireItem(plan, input)),
    weights: input.clientWeights.map((weights, segment) => ({
      segment,
      tensors: weights.length,
      values: weights.reduce((sum, weight) => sum + elementCount(weight.shape), 0),
      bytes: weightsBundleBytes(weights, input.sealedHandoff),
    })),
    ...(descriptor.alignsRows && input.alignmentRows !== undefined ? { alignment: alignmentEgress(input.alignmentRows) } : {}),
    ...(input.data ? { data: input.data } : {}),
    ...(input.position ? { role: input.position.name } : {}),
    ...(input.privacy ? { privacy: input.privacy } : {}),
    neverLeaves,
  };
}

/**
 * Size of the batch at `stepIndex` (0-based) of a round: the client cycles through
 * ceil(n / batchSize) batches in which only the last is partial (network/participant.ts).
 */
export function batchSizeAt(sampleCount: number, batchSize: number, stepIndex: number): number {
  if (sampleCount <= 0) return 0;
  const batches = Math.ceil(sampleCount / batchSize);
  const index = stepIndex % batches;
  return index < batches - 1 ? batchSize : sampleCount - batchSize * (batches - 1);
}

export type DeclaredBytes = Record<WireKind, number>;

export function noDeclaredBytes(): DeclaredBytes {
  return { activations: 0, labels: 0, gradients: 0 };
}

/** Upload bytes the study declares for one completed step with a batch of `batch` samples. */
export function declaredStepBytes(input: EgressInput, phase: 'train' | 'eval', batch: number): DeclaredBytes {
  const bytes = noDeclaredBytes();
  if (!studyMethod({ method: input.method }).serverSegment) {
    // A baseline's gradient bundle is the model's size whatever the batch.
    for (const item of baselineSteps(input)[phase]) bytes[item.kind] += item.bytes;
    return bytes;
  }
  for (const plan of itemPlans(input, phase)) bytes[plan.kind] += frameBytes(plan, batch, input.codec);
  return bytes;
}

export function addDeclared(total: DeclaredBytes, step: DeclaredBytes): DeclaredBytes {
  return { activations: total.activations + step.activations, labels: total.labels + step.labels, gradients: total.gradients + step.gradients };
}
