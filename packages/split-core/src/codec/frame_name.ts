// Names are UTF-8 on the wire. Both directions are strict: the decoder refuses malformed UTF-8
// instead of substituting U+FFFD, and the encoder refuses strings with lone surrogates (which
// TextEncoder would silently replace), so a name always arrives exactly as it was sent.

import { CodecError } from './codec_error';
import { MAX_NAME_BYTES } from './wire_format';

const utf8Encoder = new TextEncoder();
const strictUtf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function encodeFrameName(name: unknown): Uint8Array {
  if (typeof name !== 'string') throw new CodecError('bad-name', `tensor name must be a string, got ${typeof name}`);
  const bytes = utf8Encoder.encode(name);
  if (bytes.length > MAX_NAME_BYTES) {
    throw new CodecError('bad-name', `tensor name '${name.slice(0, 40)}...' is ${bytes.length} UTF-8 bytes, over the ${MAX_NAME_BYTES}-byte limit: shorten it`);
  }
  if (strictUtf8Decoder.decode(bytes) !== name) {
    throw new CodecError('bad-name', `tensor name '${name}' contains a lone UTF-16 surrogate and would not round-trip: fix the string`);
  }
  return bytes;
}

export function decodeFrameName(bytes: Uint8Array): string {
  try {
    return strictUtf8Decoder.decode(bytes);
  } catch {
    throw new CodecError('bad-name', `tensor name (${bytes.length} bytes) is not valid UTF-8: the frame is corrupt or was not written by this codec`);
  }
}
