// Tensor -> one binary frame (layout in wire_format.ts). The encoder refuses what the chosen
// encoding cannot carry faithfully instead of silently clamping: a clamped gradient or an
// int8 grid stretched by one NaN would train a wrong model without any error.

import { writeRaw32LE } from './byte_order';
import { CodecError } from './codec_error';
import { encodeFrameName } from './frame_name';
import { chooseInt8Affine, float32ToHalfBits, FP16_MAX, quantizeInt8 } from './quantize';
import { assertEncodableShape, elementCountWithin } from './shape';
import type { Encoding, TensorData } from './types';
import {
  DTYPE_CODES,
  ENCODING_CODES,
  FORMAT_VERSION,
  FRAME_MAGIC,
  frameByteLength,
  HEADER_OFFSETS,
  headerByteLength,
  isDType,
  isEncoding,
  storedEncoding,
} from './wire_format';

/**
 * Encodes one tensor as a frame. fp32 is exact and carries any float32, NaN and Infinity
 * included (the receiver's allowNonFinite decides); fp16 refuses non-finite values and
 * |x| > 65504; int8 refuses non-finite values. int32 data is always stored raw.
 * Throws CodecError: 'bad-argument', 'dtype-mismatch', 'bad-name', 'shape-mismatch',
 * 'non-finite', 'out-of-range'.
 */
export function encodeTensor(tensor: TensorData, encoding: Encoding): Uint8Array {
  const { name, dtype, shape, values } = tensor;
  if (!isEncoding(encoding)) throw new CodecError('bad-argument', `unknown encoding '${String(encoding)}': use 'fp32', 'fp16' or 'int8'`);
  if (!isDType(dtype)) throw new CodecError('bad-argument', `unsupported dtype '${String(dtype)}': frames carry 'float32' or 'int32'`);
  const expectedArray = dtype === 'float32' ? Float32Array : Int32Array;
  if (!(values instanceof expectedArray)) {
    throw new CodecError('dtype-mismatch', `tensor '${name}' is declared ${dtype} but its values are not a ${expectedArray.name}`);
  }
  assertEncodableShape(shape);
  const nameBytes = encodeFrameName(name);
  if (elementCountWithin(shape, values.length) !== values.length) {
    throw new CodecError('shape-mismatch', `tensor '${name}' has ${values.length} values but shape [${shape.join(', ')}]`);
  }

  const stored = storedEncoding(dtype, encoding);
  const frame = new Uint8Array(frameByteLength(shape.length, nameBytes.length, values.length, stored));
  const view = new DataView(frame.buffer);
  frame.set(FRAME_MAGIC, 0);
  view.setUint8(HEADER_OFFSETS.version, FORMAT_VERSION);
  view.setUint8(HEADER_OFFSETS.dtype, DTYPE_CODES[dtype]);
  view.setUint8(HEADER_OFFSETS.encoding, ENCODING_CODES[stored]);
  view.setUint8(HEADER_OFFSETS.rank, shape.length);
  view.setUint8(HEADER_OFFSETS.nameLength, nameBytes.length);
  shape.forEach((dim, axis) => view.setUint32(HEADER_OFFSETS.shape + 4 * axis, dim, true));
  const nameOffset = HEADER_OFFSETS.shape + 4 * shape.length;
  frame.set(nameBytes, nameOffset);
  const payloadOffset = headerByteLength(shape.length, nameBytes.length, stored);

  switch (stored) {
    case 'fp32':
      writeRaw32LE(values, frame, payloadOffset);
      break;
    case 'fp16':
      writeHalfPayload(name, values, view, payloadOffset);
      break;
    case 'int8': {
      // stored is 'int8' only for float32 data (checked by storedEncoding and the dtype check).
      const affine = chooseInt8Affine(values as Float32Array);
      const paramsOffset = nameOffset + nameBytes.length;
      view.setFloat32(paramsOffset, affine.min, true);
      view.setFloat32(paramsOffset + 4, affine.scale, true);
      for (let index = 0; index < values.length; index++) {
        frame[payloadOffset + index] = quantizeInt8(values[index] ?? 0, affine);
      }
      break;
    }
  }
  return frame;
}

function writeHalfPayload(name: string, values: Float32Array | Int32Array, view: DataView, payloadOffset: number): void {
  for (let index = 0; index < values.length; index++) {
    const value = values[index] ?? NaN;
    if (!Number.isFinite(value)) {
      throw new CodecError('non-finite', `tensor '${name}' holds ${value} at index ${index}: send fp32 if non-finite values are intended`);
    }
    if (Math.abs(value) > FP16_MAX) {
      throw new CodecError('out-of-range', `tensor '${name}' holds ${value} at index ${index}, beyond the fp16 range +-${FP16_MAX}: send fp32 or int8`);
    }
    view.setUint16(payloadOffset + 2 * index, float32ToHalfBits(value), true);
  }
}
