// Several frames in one message (a client segment's weights for hand-off or aggregation):
// count + length-prefixed frames, layout in wire_format.ts. The count and every length prefix
// are checked against the bytes actually present before they are trusted, and one element
// budget (maxElements) covers the whole bundle.

import { asByteView } from './byte_input';
import { CodecError } from './codec_error';
import { assertLimit, resolveDecodeLimits, type ResolvedDecodeLimits } from './decode_limits';
import { decodeFrameBytes } from './decode_tensor';
import { encodeTensor } from './encode_tensor';
import type { BundleDecodeLimits, DecodedTensor, Encoding, TensorData } from './types';
import {
  BUNDLE_HEADER_BYTES,
  BUNDLE_LENGTH_PREFIX_BYTES,
  BUNDLE_MAGIC,
  BUNDLE_OFFSETS,
  FORMAT_VERSION,
  FRAME_MAGIC,
  MAX_U32,
} from './wire_format';

/** Encodes named tensors (e.g. a segment's variables, in order) as one message; names must be unique. */
export function encodeBundle(tensors: readonly TensorData[], encoding: Encoding): Uint8Array {
  if (tensors.length > MAX_U32) throw new CodecError('too-large', `${tensors.length} tensors do not fit a bundle's u32 count`);
  assertUniqueNames(tensors.map((tensor) => tensor.name));
  const frames = tensors.map((tensor) => encodeTensor(tensor, encoding));
  const bundle = new Uint8Array(encodedBundleSize(frames.map((frame) => frame.length)));
  const view = new DataView(bundle.buffer);
  bundle.set(BUNDLE_MAGIC, 0);
  view.setUint8(BUNDLE_OFFSETS.version, FORMAT_VERSION);
  view.setUint32(BUNDLE_OFFSETS.count, frames.length, true);
  let offset = BUNDLE_HEADER_BYTES;
  for (const frame of frames) {
    view.setUint32(offset, frame.length, true);
    bundle.set(frame, offset + BUNDLE_LENGTH_PREFIX_BYTES);
    offset += BUNDLE_LENGTH_PREFIX_BYTES + frame.length;
  }
  return bundle;
}

/** Bytes of a bundle holding frames of these lengths (see encodedSize for each frame). */
export function encodedBundleSize(frameByteLengths: readonly number[]): number {
  return frameByteLengths.reduce((total, length) => total + BUNDLE_LENGTH_PREFIX_BYTES + length, BUNDLE_HEADER_BYTES);
}

/**
 * Decodes a bundle in its original order. `maxFrameBytes` bounds the whole message and
 * `maxElements` the total over all tensors. Throws only CodecError; a failing inner frame's
 * error keeps its code and names the frame's position.
 */
export function decodeBundle(message: Uint8Array | ArrayBuffer, limits: BundleDecodeLimits): DecodedTensor[] {
  const bytes = asByteView(message, 'a tensor bundle');
  const resolved = resolveDecodeLimits(limits);
  assertLimit('maxTensors', limits.maxTensors);
  if (bytes.length > resolved.maxFrameBytes) {
    throw new CodecError('too-large', `bundle is ${bytes.length} bytes, over the ${resolved.maxFrameBytes}-byte limit (maxFrameBytes)`);
  }
  const count = readBundleHeader(bytes);
  if (count > limits.maxTensors) throw new CodecError('too-many-tensors', `bundle announces ${count} tensors, over the limit of ${limits.maxTensors} (maxTensors)`);
  // A lying count is caught here, before the loop: each frame needs at least its length prefix.
  if (count * BUNDLE_LENGTH_PREFIX_BYTES > bytes.length - BUNDLE_HEADER_BYTES) {
    throw new CodecError('truncated', `bundle announces ${count} tensors but only ${bytes.length} bytes arrived`);
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tensors: DecodedTensor[] = [];
  const names = new Set<string>();
  let elementBudget = resolved.maxElements;
  let offset = BUNDLE_HEADER_BYTES;
  for (let index = 0; index < count; index++) {
    if (bytes.length - offset < BUNDLE_LENGTH_PREFIX_BYTES) {
      throw new CodecError('truncated', `bundle ends before the length of frame ${index} of ${count}`);
    }
    const frameLength = view.getUint32(offset, true);
    offset += BUNDLE_LENGTH_PREFIX_BYTES;
    if (frameLength > bytes.length - offset) {
      throw new CodecError('truncated', `bundle frame ${index} announces ${frameLength} bytes but only ${bytes.length - offset} remain`);
    }
    const tensor = decodeBundledFrame(bytes.subarray(offset, offset + frameLength), index, { ...resolved, maxElements: elementBudget });
    if (names.has(tensor.name)) throw new CodecError('duplicate-name', `bundle frame ${index} repeats the name '${tensor.name}'`);
    names.add(tensor.name);
    elementBudget -= tensor.values.length;
    tensors.push(tensor);
    offset += frameLength;
  }
  if (offset !== bytes.length) {
    throw new CodecError('trailing-bytes', `bundle of ${count} frames ends at byte ${offset} but ${bytes.length - offset} more bytes follow`);
  }
  return tensors;
}

function readBundleHeader(bytes: Uint8Array): number {
  if (bytes.length < BUNDLE_MAGIC.length) throw new CodecError('truncated', `bundle is ${bytes.length} bytes, too short to hold even the magic`);
  if (!BUNDLE_MAGIC.every((byte, index) => bytes[index] === byte)) {
    const isFrame = FRAME_MAGIC.every((byte, index) => bytes[index] === byte);
    throw new CodecError('bad-magic', isFrame ? 'this is a single tensor frame, not a bundle: decode it with decodeTensor' : 'not a tensor bundle (magic bytes differ from "SLTB")');
  }
  if (bytes.length <= BUNDLE_OFFSETS.version) throw new CodecError('truncated', 'bundle ends before its format version');
  const version = bytes[BUNDLE_OFFSETS.version];
  if (version !== FORMAT_VERSION) {
    throw new CodecError('unsupported-version', `bundle format version ${version} is not readable by this codec (version ${FORMAT_VERSION}): run the same split-core version on relay and clients`);
  }
  if (bytes.length < BUNDLE_HEADER_BYTES) throw new CodecError('truncated', `bundle is ${bytes.length} bytes, shorter than its ${BUNDLE_HEADER_BYTES}-byte header`);
  for (let offset = BUNDLE_OFFSETS.reserved; offset < BUNDLE_OFFSETS.count; offset++) {
    if (bytes[offset] !== 0) throw new CodecError('bad-header', `reserved bundle header byte ${offset} is ${bytes[offset]}, must be 0`);
  }
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(BUNDLE_OFFSETS.count, true);
}

function decodeBundledFrame(frame: Uint8Array, index: number, limits: ResolvedDecodeLimits): DecodedTensor {
  try {
    return decodeFrameBytes(frame, limits);
  } catch (error) {
    // Same code, with the frame's position so a developer can find it in the sender's list.
    if (error instanceof CodecError) throw new CodecError(error.code, `bundle frame ${index}: ${error.message}`);
    throw error;
  }
}

function assertUniqueNames(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new CodecError('duplicate-name', `two tensors are named '${name}': a receiver could not tell them apart`);
    seen.add(name);
  }
}
