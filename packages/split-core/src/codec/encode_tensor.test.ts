import { describe, expect, it } from 'vitest';
import { decodeTensor } from './decode_tensor';
import { encodeTensor } from './encode_tensor';
import { expectCodecError } from './test_support';
import type { TensorData } from './types';

/** Builds a frame byte by byte from the layout documented in wire_format.ts, independently of the encoder. */
function handAssembledFrame(fields: {
  dtypeCode: number;
  encodingCode: number;
  shape: number[];
  name: string;
  int8Params?: [number, number];
  payload: (view: DataView, offset: number) => void;
  payloadBytes: number;
}): Uint8Array {
  const nameBytes = new TextEncoder().encode(fields.name);
  const paramsBytes = fields.int8Params ? 8 : 0;
  const headerBytes = 12 + 4 * fields.shape.length + nameBytes.length + paramsBytes;
  const frame = new Uint8Array(headerBytes + fields.payloadBytes);
  const view = new DataView(frame.buffer);
  frame.set([0x53, 0x4c, 0x54, 0x46, 1, fields.dtypeCode, fields.encodingCode, fields.shape.length, nameBytes.length, 0, 0, 0]);
  fields.shape.forEach((dim, axis) => view.setUint32(12 + 4 * axis, dim, true));
  frame.set(nameBytes, 12 + 4 * fields.shape.length);
  if (fields.int8Params) {
    const at = 12 + 4 * fields.shape.length + nameBytes.length;
    view.setFloat32(at, fields.int8Params[0], true);
    view.setFloat32(at + 4, fields.int8Params[1], true);
  }
  fields.payload(view, headerBytes);
  return frame;
}

describe('encodeTensor: the documented byte layout', () => {
  it('writes an fp32 float32 frame exactly as specified', () => {
    const tensor: TensorData = { name: 'w', dtype: 'float32', shape: [1, 2], values: new Float32Array([1.5, -2]) };
    const expected = handAssembledFrame({
      dtypeCode: 1,
      encodingCode: 1,
      shape: [1, 2],
      name: 'w',
      payloadBytes: 8,
      payload: (view, at) => {
        view.setFloat32(at, 1.5, true);
        view.setFloat32(at + 4, -2, true);
      },
    });
    expect(encodeTensor(tensor, 'fp32')).toEqual(expected);
  });

  it('writes fp16 half bits (1 -> 0x3c00, -2 -> 0xc000) after the name', () => {
    const tensor: TensorData = { name: 'é', dtype: 'float32', shape: [2], values: new Float32Array([1, -2]) };
    const expected = handAssembledFrame({
      dtypeCode: 1,
      encodingCode: 2,
      shape: [2],
      name: 'é',
      payloadBytes: 4,
      payload: (view, at) => {
        view.setUint16(at, 0x3c00, true);
        view.setUint16(at + 2, 0xc000, true);
      },
    });
    expect(encodeTensor(tensor, 'fp16')).toEqual(expected);
  });

  it('writes int8 minimum and scale before the levels', () => {
    // min 0, max 255: scale exactly 1, so level = value.
    const tensor: TensorData = { name: 'g', dtype: 'float32', shape: [3], values: new Float32Array([0, 7, 255]) };
    const expected = handAssembledFrame({
      dtypeCode: 1,
      encodingCode: 3,
      shape: [3],
      name: 'g',
      int8Params: [0, 1],
      payloadBytes: 3,
      payload: (view, at) => [0, 7, 255].forEach((level, index) => view.setUint8(at + index, level)),
    });
    expect(encodeTensor(tensor, 'int8')).toEqual(expected);
  });

  it('stores int32 labels raw whatever encoding is requested', () => {
    const labels: TensorData = { name: 'labels', dtype: 'int32', shape: [3], values: new Int32Array([2, -1, 2_000_000_000]) };
    const expected = handAssembledFrame({
      dtypeCode: 2,
      encodingCode: 1,
      shape: [3],
      name: 'labels',
      payloadBytes: 12,
      payload: (view, at) => [2, -1, 2_000_000_000].forEach((label, index) => view.setInt32(at + 4 * index, label, true)),
    });
    for (const encoding of ['fp32', 'fp16', 'int8'] as const) {
      const frame = encodeTensor(labels, encoding);
      expect(frame).toEqual(expected);
      expect(decodeTensor(frame, { maxFrameBytes: 1024 }).encoding).toBe('fp32');
    }
  });

  it('writes a scalar with no shape words', () => {
    const frame = encodeTensor({ name: '', dtype: 'float32', shape: [], values: new Float32Array([3]) }, 'fp32');
    expect(frame.length).toBe(12 + 4);
    expect(frame[7]).toBe(0);
  });
});

describe('encodeTensor: refusals', () => {
  const float32 = (values: number[], shape = [values.length], name = 't'): TensorData => ({ name, dtype: 'float32', shape, values: new Float32Array(values) });

  it('refuses NaN and Infinity in int8 and fp16, and values beyond +-65504 in fp16', () => {
    expectCodecError(() => encodeTensor(float32([1, NaN]), 'int8'), 'non-finite');
    expectCodecError(() => encodeTensor(float32([Infinity]), 'int8'), 'non-finite');
    expectCodecError(() => encodeTensor(float32([NaN]), 'fp16'), 'non-finite');
    expectCodecError(() => encodeTensor(float32([-Infinity]), 'fp16'), 'non-finite');
    expectCodecError(() => encodeTensor(float32([0, 65505]), 'fp16'), 'out-of-range');
    expectCodecError(() => encodeTensor(float32([-70000]), 'fp16'), 'out-of-range');
    expect(() => encodeTensor(float32([65504, -65504]), 'fp16')).not.toThrow();
  });

  it('carries NaN and Infinity in fp32, where the decoder decides (allowNonFinite)', () => {
    const frame = encodeTensor(float32([NaN, Infinity]), 'fp32');
    expectCodecError(() => decodeTensor(frame, { maxFrameBytes: 1024 }), 'non-finite');
    expect(Array.from(decodeTensor(frame, { maxFrameBytes: 1024, allowNonFinite: true }).values)).toEqual([NaN, Infinity]);
  });

  it('refuses values whose count differs from product(shape)', () => {
    expectCodecError(() => encodeTensor(float32([1, 2, 3], [2, 2]), 'fp32'), 'shape-mismatch');
    expectCodecError(() => encodeTensor(float32([1], [0]), 'fp32'), 'shape-mismatch');
    expectCodecError(() => encodeTensor(float32([], []), 'fp32'), 'shape-mismatch');
    // 2^16 * 2^16 wraps to 0 in 32-bit arithmetic: must not pass as an empty tensor.
    expectCodecError(() => encodeTensor(float32([], [65536, 65536]), 'fp32'), 'shape-mismatch');
  });

  it('refuses names over 255 UTF-8 bytes and names with lone surrogates', () => {
    expect(() => encodeTensor(float32([1], [1], 'é'.repeat(127) + 'a'), 'fp32')).not.toThrow(); // 255 bytes
    expectCodecError(() => encodeTensor(float32([1], [1], 'é'.repeat(128)), 'fp32'), 'bad-name'); // 256 bytes
    expectCodecError(() => encodeTensor(float32([1], [1], 'a\ud800b'), 'fp32'), 'bad-name');
  });

  it('refuses rank over 8 and dimensions that are not u32 integers', () => {
    expectCodecError(() => encodeTensor(float32([1], [1, 1, 1, 1, 1, 1, 1, 1, 1]), 'fp32'), 'bad-argument');
    expect(() => encodeTensor(float32([1], [1, 1, 1, 1, 1, 1, 1, 1]), 'fp32')).not.toThrow();
    expectCodecError(() => encodeTensor(float32([1, 2], [2.5]), 'fp32'), 'bad-argument');
    expectCodecError(() => encodeTensor(float32([], [-1]), 'fp32'), 'bad-argument');
    expectCodecError(() => encodeTensor(float32([], [2 ** 32, 0]), 'fp32'), 'bad-argument');
  });

  it('refuses values of the wrong array type and unknown dtypes or encodings', () => {
    expectCodecError(() => encodeTensor({ name: 'x', dtype: 'float32', shape: [1], values: new Int32Array(1) }, 'fp32'), 'dtype-mismatch');
    expectCodecError(() => encodeTensor({ name: 'x', dtype: 'int32', shape: [1], values: new Float32Array(1) }, 'fp32'), 'dtype-mismatch');
    expectCodecError(() => encodeTensor({ name: 'x', dtype: 'bool' as unknown as 'int32', shape: [1], values: new Int32Array(1) }, 'fp32'), 'bad-argument');
    expectCodecError(() => encodeTensor(float32([1]), 'bf16' as unknown as 'fp32'), 'bad-argument');
  });
});
