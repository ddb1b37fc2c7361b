// How a study trains (PAPER.md Tables 1-2, Fig. 3): split learning, or one of the two
// baselines it is compared with, where every client trains the whole model. Tfjs-free: the
// study schema, the dashboard and the contribute page read it.

export const METHOD_NAMES = ['splitnn', 'fedavg', 'lbsgd'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

export interface MethodDescriptor {
  name: MethodName;
  title: string;
  /** One sentence for researchers and participants: who trains what, what travels. */
  summary: string;
  /** Whether a server segment trains with the clients; the baselines' clients hold the whole model and the server only averages. */
  serverSegment: boolean;
  /** Large-batch SGD: after every step the clients' gradients are averaged through the relay before anyone applies them. */
  syncsGradients: boolean;
  /** Federated averaging: each round a client makes the study's local epochs over its data before the average. */
  localEpochs: boolean;
  /** What a client's device keeps to itself under this method, beyond its data (the contribute page's "what leaves this device"). */
  neverLeaves: readonly string[];
}

const WHOLE_MODEL_KEEPS = ['Labels: the loss is computed on this device', 'Activations of any layer: the whole model runs on this device', 'Predictions'];

export const METHOD_DESCRIPTORS: Readonly<Record<MethodName, MethodDescriptor>> = {
  splitnn: {
    name: 'splitnn',
    title: 'Split learning',
    summary: 'Each client trains the first layers of the model; the relay trains the rest. Cut-layer activations and their gradients cross the wire, never the images.',
    serverSegment: true,
    syncsGradients: false,
    localEpochs: false,
    neverLeaves: [],
  },
  fedavg: {
    name: 'fedavg',
    title: 'Federated averaging (baseline)',
    summary: 'Each client trains the whole model on its own data for the study\u2019s local epochs, then sends its weights; the relay averages them, weighted by samples, and sends the average back.',
    serverSegment: false,
    syncsGradients: false,
    localEpochs: true,
    neverLeaves: WHOLE_MODEL_KEEPS,
  },
  lbsgd: {
    name: 'lbsgd',
    title: 'Large-batch synchronous SGD (baseline)',
    summary: 'At every step each client computes the whole model\u2019s gradient on its own batch and sends it; the relay averages the gradients, weighted by samples, and every client applies the same average.',
    serverSegment: false,
    syncsGradients: true,
    localEpochs: false,
    neverLeaves: WHOLE_MODEL_KEEPS,
  },
};

/** The method of any study: split learning unless it names a baseline. */
export function studyMethod(config: object): MethodDescriptor {
  const method = 'method' in config ? config.method : undefined;
  return METHOD_DESCRIPTORS[(METHOD_NAMES as readonly unknown[]).includes(method) ? (method as MethodName) : 'splitnn'];
}

/** The rounds a study runs: its schedule for split learning, the baseline's own otherwise (schedule/get.ts takes both names). */
export function studyScheduleName(config: { schedule: string }): string {
  const method = studyMethod(config);
  return method.serverSegment ? config.schedule : method.name;
}
