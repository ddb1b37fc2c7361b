import type { model, network, protocol } from '@splitlearn/split-core';

// Messages between the relay's event loop and the worker thread that holds a study's
// server segments. Training steps run in the worker, so a step of tens of milliseconds
// never delays another client's messages or heartbeats (ARCHITECTURE.md).

export interface EpochRequest {
  epochId: string;
  /** The group's participants, in the order of the server's links (a vertical label holder first). */
  members: string[];
  serverKey: string;
  round: number;
  phase: 'train' | 'eval';
  steps: number;
  receiveTimeoutMs: number;
  /** The codec of this epoch's cut tensors: the study's may change between rounds. */
  encoding: protocol.StudyConfig['codec'];
  /** A vertical study whose server holds the labels: each batch's labels, in the epoch's batch order. */
  serverLabels?: number[][];
  /**
   * Where members feed members (multi-hop, extended vanilla): who feeds whom, and which
   * members' batches carry the labels. The server then has a line only to the members feeding
   * it and to a label holder that does not.
   */
  wiring?: { stages: protocol.Stage[]; labelHolders: number[] };
}

/** What the server segment counted over a training epoch (or one step of it). */
export interface TrainTally {
  /** Samples the server processed. */
  samples: number;
  /** Of those, classified correctly, where the server holds the loss (vanilla). */
  correct?: number;
  /** A binary task whose labels reached the server: what its cut gradients reveal of them (privacy/label_leakage.ts; NaN where a class was missing). */
  leak?: { norm: number; direction: number; samples: number };
}

type ScoredMetrics = { accuracy: number; loss: number; auc: number; sensitivity: number; specificity: number; confusion: number[][]; count: number };

export interface EvalOutcome {
  /** Vanilla: the server scored the client's validation activations. */
  metrics?: ScoredMetrics;
  /** Multi-task: each task's figures, in head order (the first is also `metrics`). */
  tasks?: ScoredMetrics[];
  /** The digest of the server segment weights an evaluation ran with. */
  weightsDigest?: string;
}

type ServerRequest =
  | { type: 'read-server'; serverKey: string }
  | { type: 'write-server'; serverKey: string; bundles: Uint8Array[] }
  /** FedAvg of server copies `keys` into copy `into`, where the copies live. */
  | { type: 'average-servers'; keys: string[]; sampleCounts: number[]; into: string }
  | { type: 'drop-server'; serverKey: string };

export type ServerRequestMessage = ServerRequest & { requestId: number };

/** The model diverged on the server: its loss was NaN or infinite, and the step was not applied. */
export type ServerEpochFailure = 'non-finite';

export type ToWorker =
  | { type: 'init'; config: protocol.StudyConfig; weights?: Uint8Array[] }
  | ({ type: 'epoch' } & EpochRequest)
  | { type: 'frame'; epochId: string; participantId: string; header: protocol.StepHeader; payload: Uint8Array }
  | { type: 'abort'; epochId: string; reason: string }
  | ServerRequestMessage;

export type { ServerRequest };

export type FromWorker =
  /** `backend` says which tfjs backend the segments train on, and why; `clientLayouts` each party's client segments. */
  | { type: 'ready'; backend: string; clientLayouts: model.WeightSpec[][][] }
  | { type: 'frame'; epochId: string; participantId: string; header: protocol.StepHeader; payload: Uint8Array }
  | ({ type: 'refused'; epochId: string; participantId: string } & network.FrameRefusal)
  /** A step of a training epoch finished on the server: the clients table shows progress. */
  | ({ type: 'step-done'; epochId: string; members: string[]; step: number } & TrainTally)
  | ({ type: 'epoch-done'; epochId: string; ok: true; steps: number; loss?: number } & Partial<TrainTally> & EvalOutcome)
  /** `code` says what kind of failure the server side had, where the relay acts on it. */
  | { type: 'epoch-done'; epochId: string; ok: false; message: string; code?: ServerEpochFailure }
  | { type: 'reply'; requestId: number; ok: true; bundles?: Uint8Array[] }
  | { type: 'reply'; requestId: number; ok: false; message: string }
  | { type: 'fatal'; message: string };
