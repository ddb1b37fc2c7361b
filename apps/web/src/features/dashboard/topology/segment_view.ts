import { countSegmentParams, encodedSize, nameByteLength, scheduleDescriptor, segmentFlops, type SegmentPlan, type WireCrossing } from '@splitlearn/split-core/pure';
import type { Crossing, Encoding, ParticipantView, SegmentRole, SegmentView } from './topology_description';

// The parts every topology's description is made of: a segment as people read it, a wire
// crossing sized as the codec frames it, and the schedule's weight traffic. Sizes are exact
// codec frame sizes for a full batch (the same rule as the Contribute page's "what leaves
// this device").

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

/** `fedRawData`: the segment reads the client's own data, so it computes no input gradient (one fed cut activations sends it back). */
export function segmentView(plan: SegmentPlan, role: SegmentRole, title: string, fedRawData: boolean): SegmentView {
  const flops = segmentFlops(plan.layers, plan.inputShape, { needsInputGradient: !fedRawData });
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

/** The tensor at a cut as a link carries it: its per-sample shape and how people name it. */
export interface CutTensor {
  sampleShape: readonly number[];
  /** e.g. `cut “pool1”`. */
  label: string;
}

/** How a topology words its tensor crossings (a vertical party gets only its slice of the joined gradient). */
export interface CrossingWords {
  activations: string;
  gradients: string;
}

const PLAIN_WORDS: CrossingWords = { activations: 'Activations', gradients: 'Gradients' };

/** One step's crossing of a link, sized for a full batch; `cuts[k]` is the tensor of the crossing's cut k. */
export function crossingOf(crossing: WireCrossing, cuts: readonly CutTensor[], batch: number, codec: Encoding, words: CrossingWords = PLAIN_WORDS): Crossing {
  if (crossing.kind === 'labels') {
    // Labels travel raw as int32 whatever the codec: a label must arrive exactly.
    return { direction: crossing.direction, what: 'Labels of the batch', shape: [batch], bytes: encodedSize([batch], 'int32', 'fp32', nameByteLength('labels')), encoding: 'int32' };
  }
  const cut = cuts[crossing.cut ?? 0];
  if (!cut) throw new Error(`the topology sends a tensor at cut ${(crossing.cut ?? 0) + 1}, but the split has ${cuts.length} cut(s)`);
  const shape = [batch, ...cut.sampleShape];
  return { direction: crossing.direction, what: `${words[crossing.kind]} at ${cut.label}`, shape, bytes: encodedSize(shape, 'float32', codec, nameByteLength(crossing.kind)), encoding: codec };
}

/**
 * A client's weight traffic per round under the schedule, for the segments it holds. `words`
 * replace the schedule's own (written for groups of one hospital) where a group is several.
 */
export function weightTraffic(schedule: string, segments: readonly SegmentView[], words?: Record<Crossing['direction'], string>): Crossing[] {
  const params = segments.reduce((sum, segment) => sum + segment.params, 0);
  // Client segments travel as fp32 bundles; the estimate counts values (headers are a few bytes per tensor).
  return (scheduleDescriptor(schedule)?.weightsPerRound ?? []).map((transfer) => ({ direction: transfer.direction, what: words?.[transfer.direction] ?? transfer.what, bytes: params * 4, encoding: 'fp32' as const }));
}

export function scheduleInWords(schedule: string): string {
  return scheduleDescriptor(schedule)?.plain ?? `Schedule ${schedule}.`;
}

/** Share of a step's FLOPs that run on the clients (each column counted once: a horizontal column is one hospital's step). */
export function clientShare(participants: readonly ParticipantView[], relaySegments: readonly SegmentView[]): number {
  const flops = (segments: readonly SegmentView[]): number => segments.reduce((sum, segment) => sum + segment.flopsPerSample, 0);
  const client = participants.reduce((sum, participant) => sum + flops(participant.segments), 0);
  const total = client + flops(relaySegments);
  return total === 0 ? 0 : client / total;
}
