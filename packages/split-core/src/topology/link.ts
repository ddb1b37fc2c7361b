import type * as tf from '@tensorflow/tfjs';

// A step's choreography is written once against `Link`, one end of a point-to-point
// connection between two roles. In process the link is a pair of queues (tests, simulator,
// benchmarks); over the network it is a socket. Either way every tensor crosses it encoded
// as a codec frame, so the bytes counted and the quantization applied are the real ones.

/** What a tensor on the wire is, as a string tag (STYLE.md §9). */
export type WireKind = 'activations' | 'gradients' | 'labels';
export const WIRE_KINDS: readonly WireKind[] = ['activations', 'gradients', 'labels'];

export interface Link {
  /** Sends a tensor to the peer. The caller keeps ownership of `tensor`. */
  send(kind: WireKind, tensor: tf.Tensor): Promise<void>;
  /** The next tensor from the peer, which must be of `kind`; the caller owns and disposes it. */
  receive(kind: WireKind): Promise<tf.Tensor>;
  /** The step is over: frames of it are no longer accepted (a no-op where frames cannot stray). */
  nextStep(): void;
  /**
   * A link that only supplies labels and takes nothing back: the server's own labels in a
   * vertical study whose server holds them (server_labels.ts). No party is at its end.
   */
  readonly labelsOnly?: boolean;
}

/** The peer broke the choreography (wrong message kind, closed link): the step is abandoned. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}
