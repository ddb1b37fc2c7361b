import { appendFileSync } from 'node:fs';
import { codec, model } from '@splitlearn/split-core';
import type { RelaySocket } from './types';

// An audit of what actually crosses the wire into the relay (RELAY_WIRE_LOG=file): one JSON
// line per incoming event, with every binary attachment decoded as a codec frame or bundle
// (name, dtype, shape, encoding, bytes) and every other argument kept as JSON. The privacy
// end-to-end tests read it to prove that nothing but declared tensors arrives.

// An audit decodes whatever arrived, within the limits weights have anywhere; non-finite values are recorded, not refused.
const LIMITS = { ...model.WEIGHT_BUNDLE_LIMITS, allowNonFinite: true };
/** Largest binary attachment that is not a tensor recorded byte for byte. */
const MAX_HEX_BYTES = 8 * 1024 * 1024;

function describeBinary(bytes: Uint8Array): Record<string, unknown> {
  try {
    const frame = codec.decodeTensor(bytes, LIMITS);
    return { binary: 'frame', bytes: bytes.byteLength, name: frame.name, dtype: frame.dtype, shape: frame.shape, encoding: frame.encoding };
  } catch {
    try {
      const tensors = codec.decodeBundle(bytes, LIMITS);
      return { binary: 'bundle', bytes: bytes.byteLength, tensors: tensors.map((tensor) => ({ name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, encoding: tensor.encoding })) };
    } catch {
      // Not a tensor (e.g. blinded ids, tags and keys while a vertical study aligns rows):
      // recorded whole, so an audit can look inside what arrived.
      return { binary: 'unknown', bytes: bytes.byteLength, hex: bytes.byteLength <= MAX_HEX_BYTES ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex') : null };
    }
  }
}

function describe(value: unknown): unknown {
  if (value instanceof Uint8Array) return describeBinary(value);
  if (value instanceof ArrayBuffer) return describeBinary(new Uint8Array(value));
  if (Array.isArray(value)) return value.map(describe);
  if (typeof value === 'function') return '[ack]';
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, describe(inner)]));
  return value;
}

export class WireLog {
  constructor(private readonly file: string) {}

  /** Records every event the socket receives from now on. */
  attach(socket: RelaySocket): void {
    socket.onAny((event: string, ...args: unknown[]) => this.record(socket, event, args));
  }

  /** Records a reply a participant sent to an acknowledged request (e.g. its weights), which onAny does not see. */
  record(socket: RelaySocket, event: string, args: unknown[]): void {
    appendFileSync(this.file, `${JSON.stringify({ at: Date.now(), socket: socket.id, participant: socket.data.participantId ?? null, event, args: args.map(describe) })}\n`);
  }
}
