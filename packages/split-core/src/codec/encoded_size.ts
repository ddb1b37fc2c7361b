// Byte accounting and transport limits (socket.io's maxHttpBufferSize must exceed the largest
// message of a study) need frame sizes without encoding anything. The size is exact: the
// header is fixed by rank, name length and encoding; only int8 adds its 8 parameter bytes.

import { CodecError } from './codec_error';
import { assertEncodableShape, elementCountWithin } from './shape';
import type { DType, Encoding } from './types';
import { frameByteLength, isDType, isEncoding, MAX_NAME_BYTES, storedEncoding } from './wire_format';

/** Exact length of encodeTensor's output for a tensor of this shape whose name has `nameBytes` UTF-8 bytes. */
export function encodedSize(shape: readonly number[], dtype: DType, encoding: Encoding, nameBytes = 0): number {
  if (!isDType(dtype)) throw new CodecError('bad-argument', `unsupported dtype '${String(dtype)}'`);
  if (!isEncoding(encoding)) throw new CodecError('bad-argument', `unknown encoding '${String(encoding)}'`);
  if (!Number.isInteger(nameBytes) || nameBytes < 0 || nameBytes > MAX_NAME_BYTES) {
    throw new CodecError('bad-name', `name length ${nameBytes} bytes is outside 0..${MAX_NAME_BYTES}`);
  }
  const dims = [...shape];
  assertEncodableShape(dims);
  // Bounded so that count * 4 bytes + header stays an exact integer.
  const elementCount = elementCountWithin(dims, Math.floor(Number.MAX_SAFE_INTEGER / 8));
  if (elementCount === undefined) throw new CodecError('too-large', `shape [${dims.join(', ')}] has more elements than can be counted exactly`);
  return frameByteLength(dims.length, nameBytes, elementCount, storedEncoding(dtype, encoding));
}

/** UTF-8 length of a name, for encodedSize's `nameBytes`. */
export function nameByteLength(name: string): number {
  return new TextEncoder().encode(name).length;
}
