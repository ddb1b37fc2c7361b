import { Worker } from 'node:worker_threads';
import type { model, network, protocol } from '@splitlearn/split-core';
import type { EpochRequest, EvalOutcome, FromWorker, ServerEpochFailure, ServerRequest, ToWorker, TrainTally } from './worker_messages';

// The event loop's handle on one study's segment worker: requests with replies, epochs with
// their frames, and the frames the worker sends towards a participant.

export interface EpochResult extends EvalOutcome, Partial<TrainTally> {
  steps: number;
  loss?: number;
}

export interface SegmentHostEvents {
  /** A frame the server segment sends to a participant. */
  onFrame: (participantId: string, epochId: string, header: protocol.StepHeader, payload: Uint8Array) => void;
  /** A frame from a participant was refused (duplicate, out of order). */
  onRefused: (participantId: string, code: network.FrameRefusal['code'], message: string) => void;
  onFatal: (message: string) => void;
  /** The worker thread stopped without being asked to (a crash, out of memory): every pending request has failed. */
  onExit?: (reason: string) => void;
  /** A training step of a group finished on the server (progress for the dashboard). */
  onStepDone?: (members: readonly string[], tally: TrainTally) => void;
  onReady?: (backend: string) => void;
}

const WORKER_URL = new URL('./segment_worker.ts', import.meta.url);

/** The server's side of an epoch failed; `code` names the failures the relay acts on. */
export class ServerEpochError extends Error {
  constructor(
    message: string,
    readonly code?: ServerEpochFailure,
  ) {
    super(message);
    this.name = 'ServerEpochError';
  }
}

/** A worker's JS heap cap: a runaway study fails its own thread instead of the relay (tensors live in wasm memory, outside it). */
const WORKER_HEAP_MB = 2048;

export class SegmentHost {
  /** Segment worker threads alive in this process (each holds a study's server segments): what /api/health reports. */
  static #alive = 0;
  static get alive(): number {
    return SegmentHost.#alive;
  }

  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private nextRequest = 1;
  private clientLayouts: model.WeightSpec[][][] = [];
  /** Why the worker is gone, once it is. */
  private stopped: string | undefined;
  private terminating = false;
  private readonly requests = new Map<number, { resolve: (bundles: Uint8Array[] | undefined) => void; reject: (error: Error) => void }>();
  private readonly epochs = new Map<string, { resolve: (result: EpochResult) => void; reject: (error: Error) => void }>();

  constructor(config: protocol.StudyConfig, events: SegmentHostEvents, weights?: Uint8Array[]) {
    // The worker runs TypeScript through tsx's loader, as the relay itself does; a worker does
    // not inherit the parent's loader hooks, so it registers them before importing its entry.
    const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
    this.worker = new Worker(bootstrap, { eval: true, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    SegmentHost.#alive++;
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker): void => {
        switch (message.type) {
          case 'ready':
            this.clientLayouts = message.clientLayouts;
            events.onReady?.(message.backend);
            resolve();
            return;
          case 'frame':
            events.onFrame(message.participantId, message.epochId, message.header, message.payload);
            return;
          case 'refused':
            events.onRefused(message.participantId, message.code, message.message);
            return;
          case 'step-done':
            events.onStepDone?.(message.members, { samples: message.samples, ...(message.correct !== undefined ? { correct: message.correct } : {}) });
            return;
          case 'epoch-done': {
            const pending = this.epochs.get(message.epochId);
            this.epochs.delete(message.epochId);
            if (!pending) return;
            if (message.ok) {
              const { type: _type, epochId: _id, ok: _ok, ...result } = message;
              pending.resolve(result);
            } else pending.reject(new ServerEpochError(message.message, message.code));
            return;
          }
          case 'reply': {
            const pending = this.requests.get(message.requestId);
            this.requests.delete(message.requestId);
            if (!pending) return;
            if (message.ok) pending.resolve(message.bundles);
            else pending.reject(new Error(message.message));
            return;
          }
          case 'fatal':
            reject(new Error(message.message));
            events.onFatal(message.message);
            return;
        }
      };
      this.worker.on('message', onMessage);
      this.worker.on('error', (error) => {
        reject(error);
        events.onFatal(error.message);
        this.failAll(error);
      });
      this.worker.on('exit', (code) => {
        SegmentHost.#alive--;
        const reason = `the segment worker stopped (exit code ${code})`;
        this.stopped = reason;
        reject(new Error(reason));
        // A dead thread never answers: every pending request fails now, and every later one at once.
        this.failAll(new Error(reason));
        if (!this.terminating) events.onExit?.(reason);
      });
    });
    // Whoever waits on readiness sees its failure; nobody waiting must not make it unhandled.
    this.ready.catch(() => undefined);
    this.post({ type: 'init', config, ...(weights ? { weights } : {}) });
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  /** The variables of a party's client segments (party 0 in a horizontal study), known once ready. */
  clientLayout(party: number): model.WeightSpec[][] {
    const layout = this.clientLayouts[party];
    if (!layout) throw new Error(`the segment worker ${this.clientLayouts.length === 0 ? 'is not ready yet' : `knows no party ${party}`}`);
    return layout;
  }

  runEpoch(request: EpochRequest): Promise<EpochResult> {
    return new Promise((resolve, reject) => {
      if (this.stopped) return reject(new Error(this.stopped));
      this.epochs.set(request.epochId, { resolve, reject });
      this.post({ type: 'epoch', ...request });
    });
  }

  /** Forwards a participant's frame to its link in the epoch it belongs to. */
  deliver(epochId: string, participantId: string, header: protocol.StepHeader, payload: Uint8Array): void {
    // Copied into a buffer of its own: socket.io may hand a view into a pooled buffer, which
    // must not be transferred to another thread.
    const own = new Uint8Array(payload);
    this.post({ type: 'frame', epochId, participantId, header, payload: own }, [own.buffer]);
  }

  abort(epochId: string, reason: string): void {
    this.post({ type: 'abort', epochId, reason });
  }

  async readServer(serverKey: string): Promise<Uint8Array[]> {
    return (await this.request({ type: 'read-server', serverKey })) ?? [];
  }

  async writeServer(serverKey: string, bundles: Uint8Array[]): Promise<void> {
    await this.request({ type: 'write-server', serverKey, bundles });
  }

  async averageServers(keys: readonly string[], sampleCounts: readonly number[], into: string): Promise<void> {
    await this.request({ type: 'average-servers', keys: [...keys], sampleCounts: [...sampleCounts], into });
  }

  async dropServer(serverKey: string): Promise<void> {
    await this.request({ type: 'drop-server', serverKey });
  }

  async terminate(): Promise<void> {
    this.terminating = true;
    this.failAll(new Error('segment worker stopped'));
    await this.worker.terminate();
  }

  private request(message: ServerRequest): Promise<Uint8Array[] | undefined> {
    const requestId = this.nextRequest++;
    return new Promise((resolve, reject) => {
      if (this.stopped) return reject(new Error(this.stopped));
      this.requests.set(requestId, { resolve, reject });
      this.post({ ...message, requestId });
    });
  }

  private post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (this.stopped) return;
    this.worker.postMessage(message, transfer);
  }

  private failAll(error: Error): void {
    for (const pending of this.epochs.values()) pending.reject(error);
    for (const pending of this.requests.values()) pending.reject(error);
    this.epochs.clear();
    this.requests.clear();
  }
}
