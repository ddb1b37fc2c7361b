// One binary frame -> tensor. Everything that arrives is hostile: each header field is
// validated, and the frame's exact length is computed from the header and compared with the
// bytes actually received BEFORE any value array is allocated. A decoded tensor therefore never
// holds more than `maxElements` values, nor more than 4x the bytes received (int8 -> float32).

import { asByteView } from './byte_input';
import { readRaw32LE } from './byte_order';
import { CodecError } from './codec_error';
import { resolveDecodeLimits, type ResolvedDecodeLimits } from './decode_limits';
import { decodeFrameName } from './frame_name';
import { dequantizeInt8, halfToFloat32Table, INT8_LEVELS, type Int8Affine } from './quantize';
import { elementCountWithin } from './shape';
import type { DecodedTensor, DecodeLimits, DType, Encoding } from './types';
import {
  BUNDLE_MAGIC,
  dtypeFromCode,
  encodingFromCode,
  FIXED_HEADER_BYTES,
  FORMAT_VERSION,
  FRAME_MAGIC,
  frameByteLength,
  HEADER_OFFSETS,
  headerByteLength,
} from './wire_format';

/**
 * Decodes one frame received from the network (a Uint8Array view at any byteOffset, a Node
 * Buffer or an ArrayBuffer). Throws only CodecError; the returned values never alias `frame`.
 */
export function decodeTensor(frame: Uint8Array | ArrayBuffer, limits: DecodeLimits): DecodedTensor {
  return decodeFrameBytes(asByteView(frame, 'a tensor frame'), resolveDecodeLimits(limits));
}

/** decodeTensor after input normalization; shared with the bundle decoder. */
export function decodeFrameBytes(bytes: Uint8Array, limits: ResolvedDecodeLimits): DecodedTensor {
  if (bytes.length > limits.maxFrameBytes) {
    throw new CodecError('too-large', `frame is ${bytes.length} bytes, over the ${limits.maxFrameBytes}-byte limit (maxFrameBytes): raise the limit for this message kind or send smaller tensors`);
  }
  checkMagicAndVersion(bytes);
  if (bytes.length < FIXED_HEADER_BYTES) {
    throw new CodecError('truncated', `frame is ${bytes.length} bytes, shorter than the ${FIXED_HEADER_BYTES}-byte fixed header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { dtype, encoding, rank, nameLength } = readFixedHeader(view, limits);

  const shapeEnd = HEADER_OFFSETS.shape + 4 * rank;
  if (bytes.length < shapeEnd) throw new CodecError('truncated', `frame of rank ${rank} ends inside its shape (${bytes.length} of at least ${shapeEnd} bytes)`);
  const shape: number[] = [];
  for (let axis = 0; axis < rank; axis++) shape.push(view.getUint32(HEADER_OFFSETS.shape + 4 * axis, true));

  const elementCount = elementCountWithin(shape, limits.maxElements);
  if (elementCount === undefined) {
    throw new CodecError('too-large', `frame shape [${shape.join(', ')}] holds more than the ${limits.maxElements} elements allowed (maxElements / maxFrameBytes)`);
  }
  const expectedLength = frameByteLength(rank, nameLength, elementCount, encoding);
  if (expectedLength > limits.maxFrameBytes) {
    throw new CodecError('too-large', `frame header announces ${expectedLength} bytes, over the ${limits.maxFrameBytes}-byte limit (maxFrameBytes)`);
  }
  if (bytes.length < expectedLength) {
    throw new CodecError('truncated', `frame is ${bytes.length} bytes but its header (shape [${shape.join(', ')}], ${encoding}) announces ${expectedLength}: the message was cut short`);
  }
  if (bytes.length > expectedLength) {
    throw new CodecError('trailing-bytes', `frame is ${bytes.length} bytes but its header announces ${expectedLength}: ${bytes.length - expectedLength} unexpected bytes follow (framing bug or tampering)`);
  }

  const name = decodeFrameName(bytes.subarray(shapeEnd, shapeEnd + nameLength));
  const payloadOffset = headerByteLength(rank, nameLength, encoding);
  const values = decodePayload(bytes, view, { dtype, encoding, elementCount, paramsOffset: shapeEnd + nameLength, payloadOffset });
  if (!limits.allowNonFinite && values instanceof Float32Array) assertAllFinite(name, values);
  return { name, dtype, shape, values, encoding };
}

function checkMagicAndVersion(bytes: Uint8Array): void {
  if (bytes.length < FRAME_MAGIC.length) throw new CodecError('truncated', `frame is ${bytes.length} bytes, too short to hold even the magic`);
  if (!FRAME_MAGIC.every((byte, index) => bytes[index] === byte)) {
    const isBundle = BUNDLE_MAGIC.every((byte, index) => bytes[index] === byte);
    throw new CodecError('bad-magic', isBundle ? 'this is a bundle of frames, not a single frame: decode it with decodeBundle' : 'not a tensor frame (magic bytes differ from "SLTF")');
  }
  if (bytes.length <= HEADER_OFFSETS.version) throw new CodecError('truncated', 'frame ends before its format version');
  const version = bytes[HEADER_OFFSETS.version];
  if (version !== FORMAT_VERSION) {
    throw new CodecError('unsupported-version', `frame format version ${version} is not readable by this codec (version ${FORMAT_VERSION}): run the same split-core version on relay and clients`);
  }
}

interface FixedHeader {
  dtype: DType;
  encoding: Encoding;
  rank: number;
  nameLength: number;
}

function readFixedHeader(view: DataView, limits: ResolvedDecodeLimits): FixedHeader {
  const dtypeCode = view.getUint8(HEADER_OFFSETS.dtype);
  const encodingCode = view.getUint8(HEADER_OFFSETS.encoding);
  const dtype = dtypeFromCode(dtypeCode);
  const encoding = encodingFromCode(encodingCode);
  if (dtype === undefined) throw new CodecError('bad-header', `unknown dtype code ${dtypeCode} in frame header`);
  if (encoding === undefined) throw new CodecError('bad-header', `unknown encoding code ${encodingCode} in frame header`);
  if (dtype === 'int32' && encoding !== 'fp32') {
    throw new CodecError('bad-header', `int32 frame claims encoding ${encoding}: int32 data is always stored raw`);
  }
  for (let offset = HEADER_OFFSETS.reserved; offset < FIXED_HEADER_BYTES; offset++) {
    if (view.getUint8(offset) !== 0) throw new CodecError('bad-header', `reserved header byte ${offset} is ${view.getUint8(offset)}, must be 0`);
  }
  const rank = view.getUint8(HEADER_OFFSETS.rank);
  if (rank > limits.maxRank) throw new CodecError('bad-header', `frame rank ${rank} is over the limit of ${limits.maxRank}`);
  return { dtype, encoding, rank, nameLength: view.getUint8(HEADER_OFFSETS.nameLength) };
}

interface PayloadLayout {
  dtype: DType;
  encoding: Encoding;
  elementCount: number;
  paramsOffset: number;
  payloadOffset: number;
}

function decodePayload(bytes: Uint8Array, view: DataView, layout: PayloadLayout): Float32Array | Int32Array {
  const { dtype, encoding, elementCount, paramsOffset, payloadOffset } = layout;
  if (dtype === 'int32') return readRaw32LE(bytes, payloadOffset, new Int32Array(elementCount));
  switch (encoding) {
    case 'fp32':
      return readRaw32LE(bytes, payloadOffset, new Float32Array(elementCount));
    case 'fp16': {
      const halfValues = halfToFloat32Table();
      const values = new Float32Array(elementCount);
      for (let index = 0; index < elementCount; index++) values[index] = halfValues[view.getUint16(payloadOffset + 2 * index, true)] ?? NaN;
      return values;
    }
    case 'int8': {
      const affine = readInt8Affine(view, paramsOffset);
      const values = new Float32Array(elementCount);
      for (let index = 0; index < elementCount; index++) values[index] = dequantizeInt8(bytes[payloadOffset + index] ?? 0, affine);
      return values;
    }
  }
}

function readInt8Affine(view: DataView, offset: number): Int8Affine {
  const min = view.getFloat32(offset, true);
  const scale = view.getFloat32(offset + 4, true);
  if (!Number.isFinite(min)) throw new CodecError('out-of-range', `int8 minimum is ${min}, must be finite`);
  if (!Number.isFinite(scale) || scale < 0) throw new CodecError('out-of-range', `int8 scale is ${scale}, must be finite and >= 0`);
  // The largest level must stay finite too, or q = 255 would decode to Infinity.
  if (!Number.isFinite(Math.fround(min + INT8_LEVELS * scale))) {
    throw new CodecError('out-of-range', `int8 minimum ${min} and scale ${scale} reach beyond the float32 range`);
  }
  return { min, scale };
}

function assertAllFinite(name: string, values: Float32Array): void {
  // Fast pass: v * 0 is 0 for every finite v and NaN for NaN and the infinities, so the sums
  // stay 0 exactly when all are finite: a multiply-add loop over four independent sums (no
  // chain of dependent adds), several times faster than testing each value. The slow pass
  // only runs to name the first offender.
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const whole = values.length - (values.length % 4);
  for (let index = 0; index < whole; index += 4) {
    a += (values[index] as number) * 0;
    b += (values[index + 1] as number) * 0;
    c += (values[index + 2] as number) * 0;
    d += (values[index + 3] as number) * 0;
  }
  for (let index = whole; index < values.length; index++) a += (values[index] as number) * 0;
  if (a + b + c + d === 0) return;
  for (let index = 0; index < values.length; index++) {
    const value = values[index] ?? NaN;
    if (!Number.isFinite(value)) {
      throw new CodecError('non-finite', `tensor '${name}' holds ${value} at index ${index}: the sender's training diverged, or pass allowNonFinite if intended`);
    }
  }
}
