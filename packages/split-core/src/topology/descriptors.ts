import type { SegmentPlan } from '../model/cuts';
import { ModelSpecError } from '../model/errors';
import type { HorizontalTopologyDescriptor, TopologyDescriptor, TopologyName } from './descriptor';
import { TOPOLOGY_NAMES } from './descriptor';

// The descriptors of the SplitNN configurations (PAPER.md); the steps that run them are in
// vanilla.ts, u_shaped.ts and vertical.ts, each pointing at its descriptor.

/** Vanilla (Fig. 2a): cut activations and labels up, the cut gradient down. */
export const vanillaDescriptor: HorizontalTopologyDescriptor = {
  name: 'vanilla',
  intermediates: false,
  title: 'Vanilla split',
  participation: 'Vanilla: the first layers run here; the server holds the rest and the labels it is sent',
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
  intermediates: false,
  title: 'U-shaped split',
  participation: 'U-shaped: the first and last layers run here; labels and predictions stay here',
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
  intermediates: false,
  title: 'Vertical split',
  participation: 'Vertical: this device holds some of the data about patients the other parties also hold; its first layers run here and the server joins the parties’ outputs',
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

/**
 * Extended vanilla (Fig. 4a): the parties' cut outputs, joined, pass through an intermediate
 * participant's segment before the server; gradients come back through it. A party's link
 * is a vertical party's, with its cut tensors exchanged with the intermediate participant.
 */
export const extendedDescriptor: TopologyDescriptor = {
  ...verticalDescriptor,
  name: 'extended',
  intermediates: true,
  title: 'Extended vanilla split',
  participation: 'Extended vanilla: the parties hold different data about the same patients; an intermediate participant joins their first layers’ outputs and runs more layers before the server',
  holds: {
    client: ['Its own columns or images of the shared patients', 'Labels (the label holder only, sent straight to the server)', 'Its party segment'],
    intermediate: ['Its segment over the parties’ joined cut outputs', 'No raw data, no labels'],
    server: ['Server segment over the intermediate participant’s outputs', 'The loss: it receives the labels from the label holder'],
  },
  neverLeaves: ['Patient ids (only blinded ids are exchanged to align rows)', 'Other parties’ data', 'Labels never pass through the intermediate participant'],
};

/**
 * Multi-task (Fig. 4b): the parties feed a server with several heads, each with its own task,
 * labels and loss; the label holder sends one label per task, and every party receives the
 * gradient of the tasks' weighted loss.
 */
export const multiTaskDescriptor: TopologyDescriptor = {
  ...verticalDescriptor,
  name: 'multi-task',
  intermediates: false,
  title: 'Multi-task split',
  participation: 'Multi-task: the parties hold different data about the same patients; the server joins their outputs and trains one head per task',
  holds: {
    client: ['Its own columns or images of the shared patients', 'Labels of every task (the label holder only)', 'Its party segment'],
    server: ['Server segment over the joined cut outputs, with one head per task', 'Each task’s loss: it receives every task’s labels from the label holder'],
  },
};

/**
 * Multi-hop (Fig. 4c): a chain of participants before the server. The data holder's link is
 * vanilla's, its cut tensors exchanged with the first hop; each hop passes activations on and
 * gradients back; the labels go straight to the server.
 */
export const multiHopDescriptor: TopologyDescriptor = {
  name: 'multi-hop',
  intermediates: true,
  title: 'Multi-hop split',
  participation: 'Multi-hop: the data holder runs the first layers, each hop of the chain the next ones, the server the rest; labels go straight to the server',
  lossHolder: 'server',
  sendsLabels: true,
  alignsRows: false,
  wirePlan: vanillaDescriptor.wirePlan,
  holds: {
    client: ['Images', 'Labels (sent straight to the server, never through a hop)', 'The first segment of the chain'],
    intermediate: ['Its segment of the chain', 'No raw data, no labels: only the previous participant’s cut outputs'],
    server: ['The last segment', 'The loss: it receives the labels from the data holder'],
  },
  neverLeaves: ['Images reach no hop: the first hop sees only cut outputs'],
};

export const TOPOLOGY_DESCRIPTORS: Record<TopologyName, TopologyDescriptor> = {
  vanilla: vanillaDescriptor,
  'u-shaped': uShapedDescriptor,
  vertical: verticalDescriptor,
  extended: extendedDescriptor,
  'multi-task': multiTaskDescriptor,
  'multi-hop': multiHopDescriptor,
};

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
