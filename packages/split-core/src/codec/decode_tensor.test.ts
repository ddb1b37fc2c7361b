import { describe, expect, it } from 'vitest';
import { encodeBundle } from './bundle';
import { decodeTensor } from './decode_tensor';
import { encodeTensor } from './encode_tensor';
import { ALL_ENCODINGS, atOddOffset, deterministicValues, expectCodecError, expectWithinEncodingError, product } from './test_support';
import type { TensorData } from './types';

const roomy = { maxFrameBytes: 1 << 20 };

function randomTensor(shape: number[], name: string, seed: number): TensorData {
  return { name, dtype: 'float32', shape, values: deterministicValues(product(shape), seed) };
}

function withHeaderByte(frame: Uint8Array, offset: number, byte: number): Uint8Array {
  const copy = frame.slice();
  copy[offset] = byte;
  return copy;
}

function withU32(frame: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = frame.slice();
  new DataView(copy.buffer).setUint32(offset, value, true);
  return copy;
}

describe('decodeTensor: round trips', () => {
  const shapes = [[], [5], [0], [3, 4], [2, 0, 3], [2, 3, 4], [2, 1, 3, 2], [0, 0, 0, 0]];

  for (const encoding of ALL_ENCODINGS) {
    it(`round-trips float32 tensors of rank 0..4 (incl. empty) in ${encoding}`, () => {
      shapes.forEach((shape, index) => {
        const tensor = randomTensor(shape, `layer${index}/kernel`, index + 1);
        const decoded = decodeTensor(encodeTensor(tensor, encoding), roomy);
        expect(decoded).toMatchObject({ name: tensor.name, dtype: 'float32', shape, encoding });
        expect(decoded.values).toBeInstanceOf(Float32Array);
        expectWithinEncodingError(tensor.values, decoded.values, encoding);
      });
    });

    it(`round-trips int32 labels exactly when ${encoding} is requested`, () => {
      for (const shape of [[], [6], [0], [2, 3], [1, 2, 1, 3]]) {
        const values = new Int32Array(product(shape)).map((_, index) => (index * 7919) % 10 - 3);
        values[0] = values.length > 0 ? -(2 ** 31) : 0;
        const decoded = decodeTensor(encodeTensor({ name: 'labels', dtype: 'int32', shape, values }, encoding), roomy);
        expect(decoded).toMatchObject({ name: 'labels', dtype: 'int32', shape, encoding: 'fp32' });
        expect(decoded.values).toEqual(values);
      }
    });
  }

  it('keeps non-ASCII names byte for byte (accents, CJK, emoji, BOM, NUL)', () => {
    for (const name of ['poids/noyau_é', '卷积层1/权重', '🧠/ʻokina', '\ufeffbom', 'nul\u0000inside', 'é'.repeat(127) + 'a']) {
      const decoded = decodeTensor(encodeTensor({ name, dtype: 'float32', shape: [1], values: new Float32Array([1]) }, 'fp16'), roomy);
      expect(decoded.name).toBe(name);
    }
  });

  it('decodes fp16 within 2^-11 relative / 2^-25 absolute error, subnormals and signed zeros included', () => {
    const values = new Float32Array([0, -0, 2 ** -24, -(2 ** -20), 3e-6, 2 ** -14, 0.1, -1 / 3, 1000.7, -65504, 65504]);
    const decoded = decodeTensor(encodeTensor({ name: 'a', dtype: 'float32', shape: [values.length], values }, 'fp16'), roomy).values;
    expectWithinEncodingError(values, decoded, 'fp16');
    expect(Object.is(decoded[1], -0)).toBe(true);
  });

  it('decodes an int8 constant tensor exactly', () => {
    const values = new Float32Array(10).fill(-0.3);
    const decoded = decodeTensor(encodeTensor({ name: 'c', dtype: 'float32', shape: [10], values }, 'int8'), roomy).values;
    expect(decoded).toEqual(values);
  });

  it('accepts unaligned views (odd byteOffset), ArrayBuffers and Node Buffers alike', () => {
    for (const encoding of ALL_ENCODINGS) {
      const tensor = randomTensor([3, 5], 'activations', 11);
      const frame = encodeTensor(tensor, encoding);
      const reference = decodeTensor(frame, roomy);
      for (const offset of [1, 2, 3]) expect(decodeTensor(atOddOffset(frame, offset), roomy)).toEqual(reference);
      expect(decodeTensor(frame.slice().buffer, roomy)).toEqual(reference);
      // A small Buffer.from is carved from Node's shared pool: an arbitrary offset into a larger buffer.
      const pooled = Buffer.from(frame);
      expect(decodeTensor(pooled, roomy)).toEqual(reference);
    }
  });

  it('returns values that do not alias the received bytes', () => {
    const received = atOddOffset(encodeTensor(randomTensor([4], 'g', 3), 'fp32'), 4);
    const decoded = decodeTensor(received, roomy);
    const before = Array.from(decoded.values);
    received.fill(0);
    expect(Array.from(decoded.values)).toEqual(before);
  });
});

describe('decodeTensor: hostile frames', () => {
  const valid = encodeTensor(randomTensor([2, 3], 'activations', 5), 'fp32');
  const validInt8 = encodeTensor(randomTensor([2, 3], 'activations', 5), 'int8');
  // rank 2, name 'activations' (11 bytes): int8 parameters at 12 + 8 + 11.
  const int8ParamsOffset = 12 + 8 + 11;

  it('refuses every proper prefix as truncated', () => {
    for (let length = 0; length < valid.length; length++) expectCodecError(() => decodeTensor(valid.subarray(0, length), roomy), 'truncated');
  });

  it('refuses trailing bytes', () => {
    const longer = new Uint8Array(valid.length + 1);
    longer.set(valid);
    expectCodecError(() => decodeTensor(longer, roomy), 'trailing-bytes');
  });

  it('refuses a wrong magic, pointing bundles to decodeBundle', () => {
    expectCodecError(() => decodeTensor(withHeaderByte(valid, 0, 0x00), roomy), 'bad-magic');
    const error = expectCodecError(() => decodeTensor(encodeBundle([], 'fp32'), roomy), 'bad-magic');
    expect(error.message).toContain('decodeBundle');
  });

  it('refuses unknown versions, dtype codes and encoding codes', () => {
    expectCodecError(() => decodeTensor(withHeaderByte(valid, 4, 2), roomy), 'unsupported-version');
    expectCodecError(() => decodeTensor(withHeaderByte(valid, 4, 0), roomy), 'unsupported-version');
    for (const code of [0, 3, 255]) expectCodecError(() => decodeTensor(withHeaderByte(valid, 5, code), roomy), 'bad-header');
    for (const code of [0, 4, 255]) expectCodecError(() => decodeTensor(withHeaderByte(valid, 6, code), roomy), 'bad-header');
  });

  it('refuses an int32 frame that claims a lossy encoding', () => {
    const labels = encodeTensor({ name: 'labels', dtype: 'int32', shape: [4], values: new Int32Array(4) }, 'fp32');
    expectCodecError(() => decodeTensor(withHeaderByte(labels, 6, 2), roomy), 'bad-header');
  });

  it('refuses non-zero reserved bytes', () => {
    for (const offset of [9, 10, 11]) expectCodecError(() => decodeTensor(withHeaderByte(valid, offset, 1), roomy), 'bad-header');
  });

  it('refuses ranks over 8 and over maxRank', () => {
    expectCodecError(() => decodeTensor(withHeaderByte(valid, 7, 9), roomy), 'bad-header');
    expectCodecError(() => decodeTensor(valid, { ...roomy, maxRank: 1 }), 'bad-header');
    expect(decodeTensor(valid, { ...roomy, maxRank: 2 }).shape).toEqual([2, 3]);
  });

  it('refuses huge and overflowing shapes before allocating, and accepts huge dims times zero', () => {
    expectCodecError(() => decodeTensor(withU32(valid, 12, 0xffff_ffff), roomy), 'too-large');
    expectCodecError(() => decodeTensor(withU32(withU32(valid, 12, 0x1_0000), 16, 0x1_0000), { maxFrameBytes: Infinity }), 'truncated');
    const rank8 = encodeTensor({ name: '', dtype: 'float32', shape: [1, 1, 1, 1, 1, 1, 1, 1], values: new Float32Array(1) }, 'fp32');
    let allHuge = rank8;
    for (let axis = 0; axis < 8; axis++) allHuge = withU32(allHuge, 12 + 4 * axis, 0xffff_ffff);
    expectCodecError(() => decodeTensor(allHuge, { maxFrameBytes: Infinity }), 'truncated');
    expectCodecError(() => decodeTensor(allHuge, roomy), 'too-large');
    const empty = encodeTensor({ name: 'e', dtype: 'float32', shape: [0, 5], values: new Float32Array(0) }, 'fp32');
    expect(decodeTensor(withU32(empty, 16, 0xffff_ffff), roomy)).toMatchObject({ shape: [0, 0xffff_ffff], values: new Float32Array(0) });
  });

  it('refuses frames over maxFrameBytes and tensors over maxElements', () => {
    expectCodecError(() => decodeTensor(valid, { maxFrameBytes: valid.length - 1 }), 'too-large');
    expect(decodeTensor(valid, { maxFrameBytes: valid.length }).values.length).toBe(6);
    expectCodecError(() => decodeTensor(valid, { ...roomy, maxElements: 5 }), 'too-large');
    expect(decodeTensor(valid, { ...roomy, maxElements: 6 }).values.length).toBe(6);
  });

  it('refuses non-finite values unless allowNonFinite, in fp32 and fp16', () => {
    const withNaN = encodeTensor({ name: 'x', dtype: 'float32', shape: [2], values: new Float32Array([1, NaN]) }, 'fp32');
    expectCodecError(() => decodeTensor(withNaN, roomy), 'non-finite');
    expect(decodeTensor(withNaN, { ...roomy, allowNonFinite: true }).values[1]).toBeNaN();
    const half = encodeTensor({ name: 'x', dtype: 'float32', shape: [2], values: new Float32Array([1, 2]) }, 'fp16');
    const halfWithInfinity = withHeaderByte(withHeaderByte(half, half.length - 2, 0x00), half.length - 1, 0x7c);
    expectCodecError(() => decodeTensor(halfWithInfinity, roomy), 'non-finite');
    expect(decodeTensor(halfWithInfinity, { ...roomy, allowNonFinite: true }).values[1]).toBe(Infinity);
  });

  it('refuses negative, non-finite and overflowing int8 parameters', () => {
    const withParams = (min: number, scale: number): Uint8Array => {
      const copy = validInt8.slice();
      const view = new DataView(copy.buffer);
      view.setFloat32(int8ParamsOffset, min, true);
      view.setFloat32(int8ParamsOffset + 4, scale, true);
      return copy;
    };
    expect(decodeTensor(withParams(-1, 0.5), roomy).values.every((value) => value >= -1 && value <= -1 + 255 * 0.5)).toBe(true);
    expectCodecError(() => decodeTensor(withParams(0, -1), roomy), 'out-of-range');
    expectCodecError(() => decodeTensor(withParams(0, NaN), roomy), 'out-of-range');
    expectCodecError(() => decodeTensor(withParams(0, Infinity), roomy), 'out-of-range');
    expectCodecError(() => decodeTensor(withParams(NaN, 1), roomy), 'out-of-range');
    expectCodecError(() => decodeTensor(withParams(-Infinity, 1), roomy), 'out-of-range');
    expectCodecError(() => decodeTensor(withParams(3e38, 1e37), roomy), 'out-of-range');
  });

  it('refuses names that are not valid UTF-8', () => {
    // The name starts at 12 + 4 * rank = 20; 0xff never occurs in UTF-8.
    expectCodecError(() => decodeTensor(withHeaderByte(valid, 20, 0xff), roomy), 'bad-name');
  });

  it('refuses non-binary input and invalid limits with bad-argument', () => {
    expectCodecError(() => decodeTensor('SLTF' as unknown as Uint8Array, roomy), 'bad-argument');
    expectCodecError(() => decodeTensor([0x53] as unknown as Uint8Array, roomy), 'bad-argument');
    expectCodecError(() => decodeTensor(valid, { maxFrameBytes: NaN }), 'bad-argument');
    expectCodecError(() => decodeTensor(valid, { maxFrameBytes: -1 }), 'bad-argument');
    expectCodecError(() => decodeTensor(valid, { maxFrameBytes: 100, maxElements: NaN }), 'bad-argument');
  });

  it('refuses a zero-filled buffer', () => {
    expectCodecError(() => decodeTensor(new Uint8Array(0), roomy), 'truncated');
    for (const length of [4, 12, 64]) expectCodecError(() => decodeTensor(new Uint8Array(length), roomy), 'bad-magic');
  });
});
