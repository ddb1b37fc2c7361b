import type { SegmentPlan } from '../model/cuts';
import { ModelSpecError } from '../model/errors';
import type { HorizontalTopologyDescriptor, TopologyDescriptor, TopologyName } from './descriptor';
import { TOPOLOGY_NAMES } from './descriptor';

// The descriptors of the SplitNN configurations (PAPER.md); the steps that run them are in
// vanilla.ts, u_shaped.ts and vertical.ts, each pointing at its descriptor.

/** Vanilla (Fig. 2a): cut activations and labels up, the cut gradient down. */
export const vanillaDescriptor: HorizontalTopologyDescriptor = {
  name: 'vanilla',
  lossHolder: 'server',
  sendsLabels: true,
  alignsRows: false,
  cutCount: 1,
  defaultCuts: (spec) => [spec.defaultCuts.vanilla],
  assign(plans: SegmentPlan[]) {
    if (plans.length !== 2) throw new ModelSpecError('invalid-cut', `vanilla split learning needs exactly one cut, got ${plans.length - 1}`);
    return { client: [plans[0] as SegmentPlan], server: [plans[1] as SegmentPlan] };
  },
  wirePlan: {
    train: [
      { direction: 'up', kind: 'activations', cut: 0 },
      { direction: 'up', kind: 'labels' },
      { direction: 'down', kind: 'gradients', cut: 0 },
    ],
    // The server scores validation too: it needs the labels.
    eval: [
      { direction: 'up', kind: 'activations', cut: 0 },
      { direction: 'up', kind: 'labels' },
    ],
  },
  holds: {
    client: ['Images', 'Labels (sent with every batch)', 'Client segment'],
    server: ['Server segment', 'The loss: it receives the labels', 'Predictions on validation data'],
  },
  neverLeaves: [],
};

/** U-shaped (Fig. 2b): the client keeps the last layers, the loss and the labels. */
export const uShapedDescriptor: HorizontalTopologyDescriptor = {
  name: 'u-shaped',
  lossHolder: 'client',
  sendsLabels: false,
  alignsRows: false,
  cutCount: 2,
  defaultCuts: (spec) => [...spec.defaultCuts.uShaped],
  assign(plans: SegmentPlan[]) {
    if (plans.length !== 3) throw new ModelSpecError('invalid-cut', `U-shaped split learning needs exactly two cuts, got ${plans.length - 1}`);
    return { client: [plans[0] as SegmentPlan, plans[2] as SegmentPlan], server: [plans[1] as SegmentPlan] };
  },
  wirePlan: {
    train: [
      { direction: 'up', kind: 'activations', cut: 0 },
      { direction: 'down', kind: 'activations', cut: 1 },
      { direction: 'up', kind: 'gradients', cut: 1 },
      { direction: 'down', kind: 'gradients', cut: 0 },
    ],
    eval: [
      { direction: 'up', kind: 'activations', cut: 0 },
      { direction: 'down', kind: 'activations', cut: 1 },
    ],
  },
  holds: {
    client: ['Images', 'Labels (never leave)', 'Client segment and head', 'The loss and predictions'],
    server: ['Server segment (middle layers only)'],
  },
  neverLeaves: ['Labels', 'Predictions'],
};

/**
 * Vertical (Fig. 2c): K parties hold different features of the same patients; each sends its
 * cut activations, the label holder also the labels; each gets its slice of the gradient.
 */
export const verticalDescriptor: TopologyDescriptor = {
  name: 'vertical',
  lossHolder: 'server',
  sendsLabels: true,
  alignsRows: true,
  wirePlan: {
    train: [
      { direction: 'up', kind: 'activations', cut: 0 },
      { direction: 'up', kind: 'labels', labelHolderOnly: true },
      { direction: 'down', kind: 'gradients', cut: 0 },
    ],
    eval: [
      { direction: 'up', kind: 'activations', cut: 0 },
      { direction: 'up', kind: 'labels', labelHolderOnly: true },
    ],
  },
  holds: {
    client: ['Its own columns or images of the shared patients', 'Labels (the label holder only)', 'Its party segment'],
    server: ['Server segment over the joined cut outputs', 'The loss: it receives the labels from the label holder'],
  },
  neverLeaves: ['Patient ids (only blinded ids are exchanged to align rows)', 'Other parties’ data'],
};

export const TOPOLOGY_DESCRIPTORS: Record<TopologyName, TopologyDescriptor> = { vanilla: vanillaDescriptor, 'u-shaped': uShapedDescriptor, vertical: verticalDescriptor };

export class UnknownTopologyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownTopologyError';
  }
}

function unknown(name: string): UnknownTopologyError {
  return new UnknownTopologyError(`unknown topology '${name}': choose one of ${TOPOLOGY_NAMES.join(', ')}`);
}

export function getTopologyDescriptor(name: string): TopologyDescriptor {
  const descriptor = (TOPOLOGY_DESCRIPTORS as Record<string, TopologyDescriptor | undefined>)[name];
  if (!descriptor) throw unknown(name);
  return descriptor;
}

/** Topologies where all clients hold the same segments of one model (vanilla, U-shaped). */
export function getHorizontalDescriptor(name: string): HorizontalTopologyDescriptor {
  const descriptor = getTopologyDescriptor(name);
  if (!('assign' in descriptor)) {
    throw new UnknownTopologyError(`the ${name} topology plans one model per party; here choose ${TOPOLOGY_NAMES.filter((other) => 'assign' in TOPOLOGY_DESCRIPTORS[other]).join(' or ')}`);
  }
  return descriptor as HorizontalTopologyDescriptor;
}
