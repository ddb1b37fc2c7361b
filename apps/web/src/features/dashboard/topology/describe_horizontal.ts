import { getHorizontalDescriptor, getModelSpec, planSegments, type CutPoint, type protocol } from '@splitlearn/split-core/pure';
import { clientShare, crossingOf, scheduleInWords, segmentView, weightTraffic, type CutTensor } from './segment_view';
import type { ParticipantView, TopologyDescription } from './topology_description';

// Vanilla and U-shaped: every hospital holds the same segments of one catalogue model, so the
// description has one participant column ("each hospital"), derived with split-core's model
// catalogue, cut planning and topology descriptor so it matches what the engine builds.

function cutName(cuts: readonly CutPoint[], cut: number): string {
  return cuts.length === 1 ? `cut “${String(cuts[0])}”` : `cut ${cut + 1} “${String(cuts[cut])}”`;
}

/** Throws where the configuration cannot be split (unknown model, bad cut). */
export function describeHorizontal(config: protocol.HorizontalStudyConfig): TopologyDescription {
  const descriptor = getHorizontalDescriptor(config.topology);
  const spec = getModelSpec(config.model, { numClasses: config.classes.length, inputShape: config.inputShape });
  const cuts = config.cuts ?? descriptor.defaultCuts(spec);
  const plans = planSegments(spec, cuts);
  const assignment = descriptor.assign(plans);
  const last = plans.length - 1;
  const lossHere = (side: 'client' | 'server'): string => (descriptor.lossHolder === side ? ', loss' : '');
  // Only the first segment reads the images; every later one is fed a cut's activations.
  const hospitalSegments = assignment.client.map((plan) =>
    plan.index === last
      ? segmentView(plan, 'client-head', `Client head${lossHere('client')}`, plan.index === 0)
      : segmentView(plan, 'client-bottom', assignment.client.length > 1 ? 'Client segment (input side)' : 'Client segment', plan.index === 0),
  );
  const relaySegments = assignment.server.map((plan) => segmentView(plan, 'server', plan.index === last ? `Server segment${lossHere('server')}` : 'Server segment (middle)', plan.index === 0));
  // Segment k ends at cut k: its output is the cut's tensor.
  const cutTensors: CutTensor[] = cuts.map((_, cut) => ({ sampleShape: plans[cut]?.outputShape ?? [], label: cutName(cuts, cut) }));
  const neverLeaves = ['Images (decoded and used only on the hospital’s device)', 'File and folder names', ...descriptor.neverLeaves];
  const hospital: ParticipantView = {
    title: 'Each hospital (browser or Node client)',
    holdsLabels: true,
    holds: [...descriptor.holds.client],
    segments: hospitalSegments,
    perStep: descriptor.wirePlan.train.map((crossing) => crossingOf(crossing, cutTensors, config.batchSize, config.codec)),
    perRound: weightTraffic(config.schedule, hospitalSegments),
    neverLeaves,
  };
  return {
    topology: config.topology,
    model: config.model,
    schedule: config.schedule,
    codec: config.codec,
    participants: [hospital],
    relay: { holds: [...descriptor.holds.server], segments: relaySegments },
    schedulePlain: scheduleInWords(config.schedule),
    neverLeaves,
    clientFlopsShare: clientShare([hospital], relaySegments),
  };
}
