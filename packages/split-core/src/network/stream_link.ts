import type * as tf from '@tensorflow/tfjs';
import type { TrafficMeter } from '../accounting/traffic';
import { CodecError } from '../codec/codec_error';
import { decodeTensor } from '../codec/decode_tensor';
import { encodeTensor } from '../codec/encode_tensor';
import { dataToTensor, tensorToData } from '../codec/tensor_frames';
import type { Encoding } from '../codec/types';
import type { StepHeader } from '../protocol/messages';
import type { Link, WireKind } from '../topology/link';
import { ProtocolError } from '../topology/link';

// A Link over any ordered frame stream (a socket.io socket, a worker MessagePort). One
// StreamLink lives for one participant's round and phase; both directions number their
// frames from 0, so a duplicate, a gap or a frame for another step is detected.

export interface FrameSink {
  (header: StepHeader, payload: Uint8Array): void;
}

export interface StreamLinkOptions {
  studyId: string;
  round: number;
  phase: 'train' | 'eval';
  encoding: Encoding;
  maxFrameBytes: number;
  /**
   * How many steps ahead of this end the peer's frames may be. Training is lock-step (each
   * step waits for the other side), so 1, the default; a client streams its validation
   * batches without waiting, so an evaluation link allows its whole epoch.
   */
  maxStepsAhead?: number;
  /** Bytes of frames that arrived ahead of this end and wait to be received; the default is four full frames. */
  maxQueuedBytes?: number;
  /** How long `receive` waits before the step is abandoned (peer vanished). */
  receiveTimeoutMs: number;
  sink: FrameSink;
  /** Meter and direction of what this end sends, if it counts traffic. */
  meter?: { meter: TrafficMeter; participantId: string; direction: 'up' | 'down' };
}

/** Thrown by `receive` when the step cannot complete; the schedule moves on. */
export class StepAbandonedError extends ProtocolError {
  constructor(message: string) {
    super(message);
    this.name = 'StepAbandonedError';
  }
}

/** A frame held NaN or infinities: the sender's training diverged (or its data is far out of range). Never used, on either end. */
export class NonFiniteFrameError extends ProtocolError {
  constructor(message: string) {
    super(message);
    this.name = 'NonFiniteFrameError';
  }
}

interface Waiter {
  kind: WireKind;
  resolve: (tensor: tf.Tensor) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Why a frame from the peer was not taken; the caller reports it to the peer. */
export interface FrameRefusal {
  code: 'duplicate' | 'out-of-order' | 'too-large';
  message: string;
}

export class StreamLink implements Link {
  private sendSeq = 0;
  private receiveSeq = 0;
  private currentStep = 0;
  private readonly inbox: { header: StepHeader; payload: Uint8Array }[] = [];
  private queuedBytes = 0;
  private waiter: Waiter | undefined;
  private failure: Error | undefined;

  constructor(private readonly options: StreamLinkOptions) {}

  get step(): number {
    return this.currentStep;
  }

  /** Moves both ends to the next step: frames of the previous step are no longer accepted. */
  nextStep(): void {
    this.currentStep += 1;
    this.pump();
  }

  send(kind: WireKind, tensor: tf.Tensor): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const payload = encodeTensor(tensorToData(tensor, kind), kind === 'labels' ? 'fp32' : this.options.encoding);
    const { studyId, round, phase } = this.options;
    const header: StepHeader = { studyId, round, phase, step: this.currentStep, seq: this.sendSeq++, kind };
    const metering = this.options.meter;
    metering?.meter.record({ participantId: metering.participantId, direction: metering.direction, kind, bytes: payload.byteLength });
    this.options.sink(header, payload);
    return Promise.resolve();
  }

  /**
   * Checks a frame from the peer against the expected sequence; returns the reason it was
   * refused, or undefined when accepted. The caller reports refusals to the peer.
   */
  deliver(header: StepHeader, payload: Uint8Array): FrameRefusal | undefined {
    const { studyId, round, phase } = this.options;
    if (header.studyId !== studyId || header.round !== round || header.phase !== phase) {
      return { code: 'out-of-order', message: `frame for study ${header.studyId} round ${header.round} (${header.phase}); expected study ${studyId} round ${round} (${phase})` };
    }
    if (header.seq < this.receiveSeq) return { code: 'duplicate', message: `frame ${header.seq} was already received (next expected: ${this.receiveSeq})` };
    if (header.seq > this.receiveSeq) return { code: 'out-of-order', message: `frame ${header.seq} arrived before frame ${this.receiveSeq}` };
    // A frame for a later step may overtake this end's own step change; it waits in the inbox.
    if (header.step < this.currentStep) return { code: 'out-of-order', message: `frame for step ${header.step}, which is over (now at step ${this.currentStep})` };
    // Nothing legitimate runs further ahead; anything that does would only pile up in memory.
    const ahead = this.options.maxStepsAhead ?? 1;
    if (header.step > this.currentStep + ahead) return { code: 'out-of-order', message: `frame for step ${header.step}, but this end is at step ${this.currentStep}: at most ${ahead} step${ahead === 1 ? '' : 's'} ahead are accepted` };
    const limit = this.options.maxQueuedBytes ?? 4 * this.options.maxFrameBytes;
    if (this.queuedBytes + payload.byteLength > limit) return { code: 'too-large', message: `${this.queuedBytes + payload.byteLength} bytes of frames would wait unreceived on this link, over its ${limit}-byte limit` };
    this.receiveSeq += 1;
    this.queuedBytes += payload.byteLength;
    this.inbox.push({ header, payload });
    this.pump();
    return undefined;
  }

  receive(kind: WireKind): Promise<tf.Tensor> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiter) return Promise.reject(new ProtocolError('two receives are pending on one link'));
    return new Promise<tf.Tensor>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new StepAbandonedError(`no '${kind}' from the peer within ${this.options.receiveTimeoutMs} ms: step ${this.currentStep} abandoned`));
      }, this.options.receiveTimeoutMs);
      this.waiter = { kind, resolve, reject, timer };
      this.pump();
    });
  }

  /** Abandons the link: pending and future receives fail with `error`. */
  fail(error: Error): void {
    this.failure ??= error;
    // Nothing will receive them now.
    this.inbox.length = 0;
    this.queuedBytes = 0;
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.reject(this.failure);
    }
  }

  private pump(): void {
    const waiter = this.waiter;
    const next = this.inbox[0];
    if (!waiter || !next || next.header.step !== this.currentStep) return;
    this.inbox.shift();
    this.queuedBytes -= next.payload.byteLength;
    this.waiter = undefined;
    clearTimeout(waiter.timer);
    if (next.header.kind !== waiter.kind) {
      waiter.reject(new ProtocolError(`expected '${waiter.kind}' from the peer, received '${next.header.kind}'`));
      return;
    }
    try {
      waiter.resolve(dataToTensor(decodeTensor(next.payload, { maxFrameBytes: this.options.maxFrameBytes })));
    } catch (error) {
      if (error instanceof CodecError && error.code === 'non-finite') {
        waiter.reject(new NonFiniteFrameError(`the peer's ${next.header.kind} of step ${next.header.step} held NaN or infinite values`));
        return;
      }
      waiter.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
