import { isIntermediate, positionNames, privacyDisclosure, weightSpecs, type protocol, type SegmentPlan } from '@splitlearn/split-core/pure';
import type { EgressInput } from './what_leaves';

// What a participant's device will send, as the input of "what leaves this device": from the
// study's configuration, the segments the device's role holds and their weight layout
// (split-core's, from the layer specs: no model is built), so the training worker, before the
// first byte, and the researcher's console, before the study exists, state the same thing.

type StudyInfo = Pick<protocol.StudyInfo, 'config'>;

/**
 * Per-sample shape at every cut this client's link carries, input side first: the output of
 * every segment but the model's last. A vertical party's one cut is its encoder's output.
 */
export function cutShapes(clientPlans: readonly SegmentPlan[], serverPlans: readonly SegmentPlan[]): number[][] {
  const segments = [...clientPlans, ...serverPlans].sort((a, b) => a.index - b.index);
  return segments.slice(0, -1).map((segment) => segment.outputShape);
}

/** This client's roles in the study: the segments it holds and the server's, and whether its batches carry the labels. */
export interface ClientRoleView {
  client: readonly SegmentPlan[];
  server: readonly SegmentPlan[];
  holdsLabels: boolean;
}

/** What a client trains on: images in a horizontal study; a vertical party's table or images, as its input says. */
export function clientDataKind(study: StudyInfo, party: number | undefined): NonNullable<EgressInput['data']> {
  const { config } = study;
  if (!('parties' in config)) return 'images';
  const input = party === undefined ? undefined : config.parties[party]?.input;
  return input !== undefined && 'image' in input ? 'images' : 'table';
}

/**
 * `vertical`: which party this client is, and the rows it brings to the alignment once they
 * are read; `position`: in a study with positions, the one this client takes.
 */
export function egressInputFor(study: StudyInfo, role: ClientRoleView, clientWeights: EgressInput['clientWeights'], vertical?: { party: number; alignmentRows?: number }, position?: number): EgressInput {
  const { config } = study;
  const name = position === undefined ? undefined : positionNames(config)?.[position];
  if (position !== undefined && isIntermediate(config, position)) {
    const [segment] = role.client;
    return {
      topology: config.topology,
      codec: config.codec,
      batchSize: config.batchSize,
      cutShapes: [segment?.outputShape ?? []],
      clientWeights,
      holdsLabels: false,
      data: 'none',
      position: { name: name ?? `Position ${position}`, intermediateInput: segment?.inputShape ?? [] },
      privacy: privacyDisclosure(config),
      ...(config.handoffKeyCheck !== undefined ? { sealedHandoff: true } : {}),
    };
  }
  const method = 'method' in config ? config.method : undefined;
  return {
    ...(name !== undefined ? { position: { name } } : {}),
    ...(method !== undefined && method !== 'splitnn' ? { method } : {}),
    privacy: privacyDisclosure(config),
    ...(config.handoffKeyCheck !== undefined ? { sealedHandoff: true } : {}),
    topology: config.topology,
    codec: config.codec,
    batchSize: config.batchSize,
    cutShapes: cutShapes(role.client, role.server),
    clientWeights,
    holdsLabels: role.holdsLabels,
    data: clientDataKind(study, vertical?.party),
    ...(vertical?.alignmentRows !== undefined ? { alignmentRows: vertical.alignmentRows } : {}),
  };
}

/** Each client segment's variables, named and shaped as readWeights will name them at a hand-off or aggregation. */
export function clientWeightLayout(client: readonly SegmentPlan[]): EgressInput['clientWeights'] {
  return client.map((plan) => weightSpecs(plan.layers, plan.inputShape));
}
