import { encodedSize, getModelSpec, getTopologyDescriptor, nameByteLength, planSegments, type protocol } from '@splitlearn/split-core/pure';
import { clientShare, segmentView, weightTraffic } from './segment_view';
import type { Crossing, Encoding, ParticipantView, TopologyDescription } from './topology_description';

// Multi-hop (PAPER.md Fig. 4c): one catalogue model cut into a chain. One column per place in
// the chain, input side first: the data holders (every hospital with images is one, alike),
// then each hop; the relay runs the last segment. Each column says what it sends to whom:
// cut outputs forward to the next place, gradients back to the previous one, and the labels
// from the data holders straight to the relay.

type ChainConfig = Extract<protocol.StudyInfo['config'], { topology: 'multi-hop' }>;

function tensorCrossing(direction: Crossing['direction'], kind: 'activations' | 'gradients', what: string, sampleShape: readonly number[], batch: number, codec: Encoding): Crossing {
  const shape = [batch, ...sampleShape];
  return { direction, what, shape, bytes: encodedSize(shape, 'float32', codec, nameByteLength(kind)), encoding: codec };
}

/** Throws where the configuration cannot be split (unknown model, bad cuts). */
export function describeChain(config: ChainConfig): TopologyDescription {
  const descriptor = getTopologyDescriptor(config.topology);
  const spec = getModelSpec(config.model, { numClasses: config.classes.length, inputShape: config.inputShape });
  const cuts = config.cuts ?? spec.defaultCuts.multiHop;
  if (!cuts) throw new Error(`model ${config.model} has no default multi-hop cuts: the study must name them`);
  const plans = planSegments(spec, cuts);
  const server = plans[plans.length - 1];
  if (!server || plans.length < 3) throw new Error('a multi-hop chain needs at least two participants before the relay');
  const hops = plans.length - 2;
  const place = (index: number): string => (index === 0 ? 'the data holder' : index === plans.length - 1 ? 'the relay' : `hop ${index}`);
  const { batchSize: batch, codec } = config;
  const participants = plans.slice(0, -1).map((plan, index): ParticipantView => {
    const cut = `cut “${String(cuts[index])}”`;
    const segment = segmentView(plan, 'client-bottom', index === 0 ? 'The first segment' : `Segment ${index + 1} of the chain`, index === 0);
    const forward = tensorCrossing('up', 'activations', `Activations at ${cut}, to ${place(index + 1)}`, plan.outputShape, batch, codec);
    const back = tensorCrossing('down', 'gradients', `Gradients at ${cut}, from ${place(index + 1)}`, plan.outputShape, batch, codec);
    const labels: Crossing = { direction: 'up', what: 'Labels of the batch, straight to the relay', shape: [batch], bytes: encodedSize([batch], 'int32', 'fp32', nameByteLength('labels')), encoding: 'int32' };
    return {
      title: index === 0 ? 'Each data holder (browser or Node client, position 0)' : `Hop ${index} of ${hops} (position ${index})`,
      party: index,
      holdsLabels: index === 0,
      holds: [...(index === 0 ? descriptor.holds.client : (descriptor.holds.intermediate ?? []))],
      segments: [segment],
      perStep: index === 0 ? [forward, labels, back] : [forward, back],
      perRound: weightTraffic(config.schedule, [segment]),
      neverLeaves: index === 0 ? ['Images (decoded and used only on the data holder’s device)', 'File and folder names'] : ['It holds no patient data: it never receives images or labels'],
    };
  });
  const relaySegments = [segmentView(server, 'server', 'Last segment, loss', false)];
  return {
    topology: config.topology,
    model: `${config.model}, ${plans.length - 1} places before the relay`,
    schedule: config.schedule,
    codec,
    participants,
    relay: { holds: [...descriptor.holds.server, `Takes hop ${hops}’s cut outputs and each data holder’s labels`], segments: relaySegments },
    schedulePlain: `Round-robin: each data holder in turn trains through the same ${hops} hop${hops === 1 ? '' : 's'}; the next data holder starts from the previous one’s first segment.`,
    neverLeaves: ['Images (decoded and used only on a data holder’s device)', ...descriptor.neverLeaves],
    clientFlopsShare: clientShare(participants, relaySegments),
  };
}
