import {
  countSegmentParams,
  encodedSize,
  getHorizontalDescriptor,
  getModelSpec,
  nameByteLength,
  planSegments,
  protocol,
  scheduleDescriptor,
  segmentFlops,
  type CutPoint,
  type HorizontalTopologyDescriptor,
  type RoleAssignment,
  type SegmentPlan,
  type WireCrossing,
} from '@splitlearn/split-core/pure';

// Who holds what in a study and what crosses the network, derived from the study's
// configuration with split-core's own model catalogue, cut planning and topology and
// schedule descriptors (tfjs-free), so the diagram matches what the engine builds. Sizes are
// exact codec frame sizes for a full batch (the same rule as the Contribute page's "what
// leaves this device").

type Config = protocol.StudyInfo['config'];
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

function cutName(cuts: readonly CutPoint[], cut: number): string {
  return cuts.length === 1 ? `cut “${String(cuts[0])}”` : `cut ${cut + 1} “${String(cuts[cut])}”`;
}

/** One step's crossing of the wire, sized for a full batch. */
function crossingOf(crossing: WireCrossing, plans: readonly SegmentPlan[], cuts: readonly CutPoint[], batch: number, codec: Encoding): Crossing {
  if (crossing.kind === 'labels') {
    // Labels travel raw as int32 whatever the codec: a label must arrive exactly.
    return { direction: crossing.direction, what: 'Labels of the batch', shape: [batch], bytes: encodedSize([batch], 'int32', 'fp32', nameByteLength('labels')), encoding: 'int32' };
  }
  const cut = crossing.cut ?? 0;
  // Segment k ends at cut k: its output is the cut's tensor.
  const shape = [batch, ...(plans[cut]?.outputShape ?? [])];
  const what = `${crossing.kind === 'activations' ? 'Activations' : 'Gradients'} at ${cutName(cuts, cut)}`;
  return { direction: crossing.direction, what, shape, bytes: encodedSize(shape, 'float32', codec, nameByteLength(crossing.kind)), encoding: codec };
}

export function describeTopology(config: Config): TopologyResult {
  let descriptor: HorizontalTopologyDescriptor;
  let model: string;
  let plans: SegmentPlan[];
  let cuts: CutPoint[];
  let assignment: RoleAssignment;
  try {
    const horizontal = protocol.horizontalStudy(config);
    descriptor = getHorizontalDescriptor(horizontal.topology);
    model = horizontal.model;
    const spec = getModelSpec(horizontal.model, { numClasses: horizontal.classes.length, inputShape: horizontal.inputShape });
    cuts = horizontal.cuts ?? descriptor.defaultCuts(spec);
    plans = planSegments(spec, cuts);
    assignment = descriptor.assign(plans);
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : String(error) };
  }
  const batch = config.batchSize;
  const codec = config.codec;
  const last = plans.length - 1;
  const lossHere = (side: 'client' | 'server'): string => (descriptor.lossHolder === side ? ', loss' : '');
  const hospitalSegments = assignment.client.map((plan) =>
    plan.index === last ? segmentView(plan, 'client-head', `Client head${lossHere('client')}`) : segmentView(plan, 'client-bottom', assignment.client.length > 1 ? 'Client segment (input side)' : 'Client segment'),
  );
  const relaySegments = assignment.server.map((plan) => segmentView(plan, 'server', plan.index === last ? `Server segment${lossHere('server')}` : 'Server segment (middle)'));
  const clientParams = hospitalSegments.reduce((sum, segment) => sum + segment.params, 0);
  const clientFlops = hospitalSegments.reduce((sum, segment) => sum + segment.flopsPerSample, 0);
  const serverFlops = relaySegments.reduce((sum, segment) => sum + segment.flopsPerSample, 0);
  const schedule = scheduleDescriptor(config.schedule);
  return {
    ok: true,
    description: {
      topology: config.topology,
      model,
      schedule: config.schedule,
      codec,
      hospital: { holds: [...descriptor.holds.client], segments: hospitalSegments },
      relay: { holds: [...descriptor.holds.server], segments: relaySegments },
      perStep: descriptor.wirePlan.train.map((crossing) => crossingOf(crossing, plans, cuts, batch, codec)),
      // Client segments travel as fp32 bundles; the estimate counts values (headers are a few bytes per tensor).
      perRound: (schedule?.weightsPerRound ?? []).map((transfer) => ({ direction: transfer.direction, what: transfer.what, bytes: clientParams * 4, encoding: 'fp32' as const })),
      schedulePlain: schedule?.plain ?? `Schedule ${config.schedule}.`,
      neverLeaves: ['Images (decoded and used only on the hospital’s device)', 'File and folder names', ...descriptor.neverLeaves],
      clientFlopsShare: clientFlops + serverFlops === 0 ? 0 : clientFlops / (clientFlops + serverFlops),
    },
  };
}
