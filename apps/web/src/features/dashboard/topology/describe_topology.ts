import { countSegmentParams, encodedSize, getModelSpec, nameByteLength, planSegments, segmentFlops, type SegmentPlan } from '../../../lib/split_core_pure';
import type { StudyView } from '../feed/relay_events';

// Who holds what in a study and what crosses the network, derived from the study's
// configuration with split-core's own model catalogue and cut planning (tfjs-free), so the
// diagram matches what the engine builds. Sizes are exact codec frame sizes for a full batch
// (the same rule as the Contribute page's "what leaves this device").

type Config = StudyView['config'];
type Encoding = Config['codec'];

export type SegmentRole = 'client-bottom' | 'server' | 'client-head';

export interface SegmentView {
  role: SegmentRole;
  title: string;
  /** Layer names with their kind, input side first. */
  layers: string[];
  params: number;
  /** Forward + backward FLOPs per sample. */
  flopsPerSample: number;
  inputShape: number[];
  outputShape: number[];
}

export interface Crossing {
  direction: 'up' | 'down';
  what: string;
  /** [batch, ...per-sample shape] for tensors; absent for weight bundles. */
  shape?: number[];
  bytes: number;
  encoding: Encoding | 'int32';
}

export interface TopologyDescription {
  topology: Config['topology'];
  model: string;
  schedule: string;
  codec: Encoding;
  hospital: { holds: string[]; segments: SegmentView[] };
  relay: { holds: string[]; segments: SegmentView[] };
  /** Tensors crossing at every training step, in the order they are sent. */
  perStep: Crossing[];
  /** Weight traffic of each client per round, by schedule. */
  perRound: Crossing[];
  schedulePlain: string;
  neverLeaves: string[];
  /** Share of a training step's FLOPs that run on the client. */
  clientFlopsShare: number;
}

export type TopologyResult = { ok: true; description: TopologyDescription } | { ok: false; problem: string };

const SCHEDULE_PLAIN: Record<string, string> = {
  'round-robin':
    'Round-robin: hospitals take turns, one at a time, against one server segment. Before its turn a hospital downloads the client-segment weights the previous one left; after it, it uploads its own.',
  'splitfed-v1':
    'SplitFed V1: all hospitals train at once, each against its own copy of the server segment. At the end of each round the relay averages the server copies and the uploaded client segments (FedAvg, by samples) and sends the average back.',
  'splitfed-v2':
    'SplitFed V2: all hospitals train at once against one shared server segment. At the end of each round the relay averages the uploaded client segments (FedAvg, by samples) and sends the average back.',
};

function describeLayer(layer: SegmentPlan['layers'][number]): string {
  switch (layer.type) {
    case 'conv2d':
      return `${layer.name} (conv ${layer.kernelSize}×${layer.kernelSize}, ${layer.filters} filters)`;
    case 'depthwiseConv2d':
      return `${layer.name} (depthwise conv ${layer.kernelSize}×${layer.kernelSize})`;
    case 'dense':
      return `${layer.name} (dense, ${layer.units} units)`;
    case 'maxPool2d':
      return `${layer.name} (max pool ${layer.poolSize}×${layer.poolSize})`;
    case 'globalAvgPool2d':
      return `${layer.name} (global average pool)`;
    case 'residual':
      return `${layer.name} (residual block, ${layer.body.length} layers)`;
    case 'flatten':
    case 'activation':
      return `${layer.name} (${layer.type})`;
  }
}

function segmentView(plan: SegmentPlan, role: SegmentRole, title: string): SegmentView {
  // A segment fed raw data computes no input gradient; one fed cut activations sends it back.
  const flops = segmentFlops(plan.layers, plan.inputShape, { needsInputGradient: plan.index > 0 });
  return {
    role,
    title,
    layers: plan.layers.map(describeLayer),
    params: countSegmentParams(plan.layers, plan.inputShape),
    flopsPerSample: flops.forward + flops.backward,
    inputShape: plan.inputShape,
    outputShape: plan.outputShape,
  };
}

function tensor(direction: Crossing['direction'], what: string, kind: 'activations' | 'gradients', sampleShape: number[], batch: number, codec: Encoding): Crossing {
  const shape = [batch, ...sampleShape];
  return { direction, what, shape, bytes: encodedSize(shape, 'float32', codec, nameByteLength(kind)), encoding: codec };
}

function labels(batch: number): Crossing {
  // Labels travel raw as int32 whatever the codec: a label must arrive exactly.
  return { direction: 'up', what: 'Labels of the batch', shape: [batch], bytes: encodedSize([batch], 'int32', 'fp32', nameByteLength('labels')), encoding: 'int32' };
}

function weightCrossings(schedule: string, clientParams: number): Crossing[] {
  // Client segments travel as fp32 bundles; the estimate counts values (headers are a few bytes per tensor).
  const bytes = clientParams * 4;
  const bundle = (direction: Crossing['direction'], what: string): Crossing => ({ direction, what, bytes, encoding: 'fp32' });
  if (schedule === 'round-robin') return [bundle('down', 'Client-segment weights from the previous hospital, before its turn'), bundle('up', 'Its client-segment weights, after its turn (hand-off)')];
  if (schedule === 'splitfed-v1' || schedule === 'splitfed-v2') return [bundle('up', 'Its client-segment weights, at the end of the round'), bundle('down', 'The averaged client segments (FedAvg)')];
  return [];
}

export function describeTopology(config: Config): TopologyResult {
  let plans: SegmentPlan[];
  let cuts: (string | number)[];
  try {
    const spec = getModelSpec(config.model, { numClasses: config.classes.length, inputShape: config.inputShape });
    cuts = config.cuts ?? (config.topology === 'vanilla' ? [spec.defaultCuts.vanilla] : spec.defaultCuts.uShaped);
    plans = planSegments(spec, cuts);
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
  const batch = config.batchSize;
  const codec = config.codec;
  const [first, second, third] = plans;
  if (!first || !second) return { ok: false, problem: `the model splits into ${plans.length} segment(s); a split needs at least two` };

  let hospitalSegments: SegmentView[];
  let relaySegments: SegmentView[];
  let perStep: Crossing[];
  const neverLeaves = ['Images (decoded and used only on the hospital’s device)', 'File and folder names'];
  let hospitalHolds: string[];
  let relayHolds: string[];
  if (config.topology === 'vanilla') {
    hospitalSegments = [segmentView(first, 'client-bottom', 'Client segment')];
    relaySegments = [segmentView(second, 'server', 'Server segment, loss')];
    perStep = [
      tensor('up', `Activations at cut “${String(cuts[0])}”`, 'activations', first.outputShape, batch, codec),
      labels(batch),
      tensor('down', `Gradients at cut “${String(cuts[0])}”`, 'gradients', first.outputShape, batch, codec),
    ];
    hospitalHolds = ['Images', 'Labels (sent with every batch)', 'Client segment'];
    relayHolds = ['Server segment', 'The loss: it receives the labels', 'Predictions on validation data'];
  } else {
    if (!third) return { ok: false, problem: `a U-shaped split needs two cuts; ${config.model} was split into ${plans.length} segments` };
    hospitalSegments = [segmentView(first, 'client-bottom', 'Client segment (input side)'), segmentView(third, 'client-head', 'Client head, loss')];
    relaySegments = [segmentView(second, 'server', 'Server segment (middle)')];
    perStep = [
      tensor('up', `Activations at cut 1 “${String(cuts[0])}”`, 'activations', first.outputShape, batch, codec),
      tensor('down', `Activations at cut 2 “${String(cuts[1])}”`, 'activations', second.outputShape, batch, codec),
      tensor('up', `Gradients at cut 2 “${String(cuts[1])}”`, 'gradients', second.outputShape, batch, codec),
      tensor('down', `Gradients at cut 1 “${String(cuts[0])}”`, 'gradients', first.outputShape, batch, codec),
    ];
    hospitalHolds = ['Images', 'Labels (never leave)', 'Client segment and head', 'The loss and predictions'];
    relayHolds = ['Server segment (middle layers only)'];
    neverLeaves.push('Labels', 'Predictions');
  }
  const clientParams = hospitalSegments.reduce((sum, segment) => sum + segment.params, 0);
  const clientFlops = hospitalSegments.reduce((sum, segment) => sum + segment.flopsPerSample, 0);
  const serverFlops = relaySegments.reduce((sum, segment) => sum + segment.flopsPerSample, 0);
  return {
    ok: true,
    description: {
      topology: config.topology,
      model: config.model,
      schedule: config.schedule,
      codec,
      hospital: { holds: hospitalHolds, segments: hospitalSegments },
      relay: { holds: relayHolds, segments: relaySegments },
      perStep,
      perRound: weightCrossings(config.schedule, clientParams),
      schedulePlain: SCHEDULE_PLAIN[config.schedule] ?? `Schedule ${config.schedule}.`,
      neverLeaves,
      clientFlopsShare: clientFlops + serverFlops === 0 ? 0 : clientFlops / (clientFlops + serverFlops),
    },
  };
}
