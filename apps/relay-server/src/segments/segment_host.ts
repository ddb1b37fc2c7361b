import { Worker } from 'node:worker_threads';
import type { protocol } from '@splitlearn/split-core';
import type { EpochRequest, EvalOutcome, FromWorker, ServerRequest, ToWorker, TrainTally } from './worker_messages';

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
  onRefused: (participantId: string, code: 'duplicate' | 'out-of-order', message: string) => void;
  onFatal: (message: string) => void;
  /** A training step of a group finished on the server (progress for the dashboard). */
  onStepDone?: (members: readonly string[], tally: TrainTally) => void;
  onReady?: (backend: string) => void;
}

const WORKER_URL = new URL('./segment_worker.ts', import.meta.url);

export class SegmentHost {
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private nextRequest = 1;
  private readonly requests = new Map<number, { resolve: (bundles: Uint8Array[] | undefined) => void; reject: (error: Error) => void }>();
  private readonly epochs = new Map<string, { resolve: (result: EpochResult) => void; reject: (error: Error) => void }>();

  constructor(config: protocol.StudyConfig, events: SegmentHostEvents, weights?: Uint8Array[]) {
    // The worker runs TypeScript through tsx's loader, as the relay itself does; a worker does
    // not inherit the parent's loader hooks, so it registers them before importing its entry.
    const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
    this.worker = new Worker(bootstrap, { eval: true });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker): void => {
        switch (message.type) {
          case 'ready':
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
            } else pending.reject(new Error(message.message));
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
    });
    this.post({ type: 'init', config, ...(weights ? { weights } : {}) });
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  runEpoch(request: EpochRequest): Promise<EpochResult> {
    return new Promise((resolve, reject) => {
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
    this.failAll(new Error('segment worker stopped'));
    await this.worker.terminate();
  }

  private request(message: ServerRequest): Promise<Uint8Array[] | undefined> {
    const requestId = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.requests.set(requestId, { resolve, reject });
      this.post({ ...message, requestId });
    });
  }

  private post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private failAll(error: Error): void {
    for (const pending of this.epochs.values()) pending.reject(error);
    for (const pending of this.requests.values()) pending.reject(error);
    this.epochs.clear();
    this.requests.clear();
  }
}
