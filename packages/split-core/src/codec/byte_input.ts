// socket.io hands binary attachments over as a Node Buffer on the relay (a Uint8Array subclass
// whose slice() is a view, not a copy, and whose byteOffset into a pooled ArrayBuffer is often
// odd) and as an ArrayBuffer in browsers. Everything is normalized to a plain Uint8Array view
// (no copy) so the decoders see one type with standard semantics.

import { CodecError } from './codec_error';

export function asByteView(frame: unknown, what: string): Uint8Array {
  if (ArrayBuffer.isView(frame)) return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
  if (frame instanceof ArrayBuffer || Object.prototype.toString.call(frame) === '[object ArrayBuffer]') {
    return new Uint8Array(frame as ArrayBuffer);
  }
  throw new CodecError('bad-argument', `${what} must be a Uint8Array or ArrayBuffer, got ${describe(frame)}: was the message sent as binary?`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return Object.prototype.toString.call(value);
  return typeof value;
}
