import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBundle, encodeBundle, encodedBundleSize } from './bundle';
import { encodeTensor } from './encode_tensor';
import { encodedSize } from './encoded_size';
import {
  ALL_ENCODINGS,
  applyMutation,
  atOddOffset,
  deterministicValues,
  expectCodecError,
  expectRejectedOrWellFormed,
  expectWithinEncodingError,
  mutationArbitrary,
  product,
  tensorArbitrary,
  utf8Length,
} from './test_support';
import type { TensorData } from './types';

function variable(name: string, shape: number[], seed: number): TensorData {
  return { name, dtype: 'float32', shape, values: deterministicValues(product(shape), seed) };
}

const clientSegmentWeights: TensorData[] = [
  variable('conv1/kernel', [3, 3, 1, 8], 1),
  variable('conv1/bias', [8], 2),
  variable('batch_norm/γ', [8], 3),
  variable('dense/kernel', [0, 4], 4),
];
const roomy = { maxFrameBytes: 1 << 20, maxTensors: 16 };

/** Offsets of each frame's length prefix, walked from the documented layout (12-byte header). */
function lengthPrefixOffsets(bundle: Uint8Array): number[] {
  const view = new DataView(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  const offsets: number[] = [];
  for (let offset = 12; offset < bundle.length; offset += 4 + view.getUint32(offset, true)) offsets.push(offset);
  return offsets;
}

function withU32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value, true);
  return copy;
}

describe('bundles: round trips', () => {
  for (const encoding of ALL_ENCODINGS) {
    it(`round-trips a client segment's named weights in ${encoding}, in order, from an unaligned view`, () => {
      const decoded = decodeBundle(atOddOffset(encodeBundle(clientSegmentWeights, encoding), 5), roomy);
      expect(decoded.map((tensor) => tensor.name)).toEqual(clientSegmentWeights.map((tensor) => tensor.name));
      decoded.forEach((tensor, index) => {
        const sent = clientSegmentWeights[index];
        if (!sent) throw new Error('more tensors decoded than sent');
        expect(tensor.shape).toEqual(sent.shape);
        expect(tensor.encoding).toBe(encoding);
        expectWithinEncodingError(sent.values, tensor.values, encoding);
      });
    });
  }

  it('round-trips an empty bundle and mixed dtypes', () => {
    expect(decodeBundle(encodeBundle([], 'fp16'), roomy)).toEqual([]);
    const labels: TensorData = { name: 'labels', dtype: 'int32', shape: [3], values: new Int32Array([0, 9, 4]) };
    const [weights, decodedLabels] = decodeBundle(encodeBundle([variable('w', [2], 9), labels], 'int8'), roomy);
    expect(weights?.encoding).toBe('int8');
    expect(decodedLabels).toMatchObject({ dtype: 'int32', encoding: 'fp32', values: labels.values });
  });

  it('has the size encodedBundleSize predicts from encodedSize', () => {
    for (const encoding of ALL_ENCODINGS) {
      const frameSizes = clientSegmentWeights.map((tensor) => encodedSize(tensor.shape, tensor.dtype, encoding, utf8Length(tensor.name)));
      expect(encodeBundle(clientSegmentWeights, encoding).length).toBe(encodedBundleSize(frameSizes));
    }
  });

  it('round-trips 300 random bundles', () => {
    fc.assert(
      fc.property(fc.array(tensorArbitrary('fp16'), { maxLength: 5 }), (tensors) => {
        const named = tensors.map((tensor, index) => ({ ...tensor, name: `${index}:${tensor.name}` }));
        const decoded = decodeBundle(encodeBundle(named, 'fp16'), roomy);
        expect(decoded.map((tensor) => tensor.name)).toEqual(named.map((tensor) => tensor.name));
        decoded.forEach((tensor, index) => expectWithinEncodingError(named[index]?.values ?? new Float32Array(), tensor.values, 'fp16'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('bundles: hostile input', () => {
  const bundle = encodeBundle(clientSegmentWeights, 'fp32');
  const prefixes = lengthPrefixOffsets(bundle);

  it('refuses a count that lies in either direction', () => {
    expectCodecError(() => decodeBundle(withU32(bundle, 8, 5), roomy), 'truncated');
    expectCodecError(() => decodeBundle(withU32(bundle, 8, 3), roomy), 'trailing-bytes');
    // A count of 2^32 - 1 is refused from the byte length alone, before any loop runs.
    const lie = expectCodecError(() => decodeBundle(withU32(bundle, 8, 0xffff_ffff), { ...roomy, maxTensors: Infinity }), 'truncated');
    expect(lie.message).toContain('announces 4294967295 tensors');
    expectCodecError(() => decodeBundle(withU32(bundle, 8, 17), roomy), 'too-many-tensors');
  });

  it('refuses length prefixes that lie', () => {
    const second = prefixes[1] ?? 0;
    const secondLength = new DataView(bundle.buffer).getUint32(second, true);
    expectCodecError(() => decodeBundle(withU32(bundle, second, secondLength + 1), roomy), 'trailing-bytes');
    expectCodecError(() => decodeBundle(withU32(bundle, second, secondLength - 1), roomy), 'truncated');
    expectCodecError(() => decodeBundle(withU32(bundle, second, 0xffff_ffff), roomy), 'truncated');
    const last = prefixes[prefixes.length - 1] ?? 0;
    expectCodecError(() => decodeBundle(withU32(bundle, last, bundle.length), roomy), 'truncated');
  });

  it('names the failing frame in the error message', () => {
    const tampered = bundle.slice();
    tampered[(prefixes[2] ?? 0) + 4 + 4] = 2; // the third frame's format version byte
    const error = expectCodecError(() => decodeBundle(tampered, roomy), 'unsupported-version');
    expect(error.message).toContain('bundle frame 2');
  });

  it('refuses more tensors than maxTensors, and bundles over maxFrameBytes', () => {
    expectCodecError(() => decodeBundle(bundle, { ...roomy, maxTensors: 3 }), 'too-many-tensors');
    expect(decodeBundle(bundle, { ...roomy, maxTensors: 4 })).toHaveLength(4);
    expectCodecError(() => decodeBundle(bundle, { maxFrameBytes: bundle.length - 1, maxTensors: 4 }), 'too-large');
  });

  it('applies maxElements to the bundle total', () => {
    const total = clientSegmentWeights.reduce((sum, tensor) => sum + tensor.values.length, 0);
    expect(decodeBundle(bundle, { ...roomy, maxElements: total })).toHaveLength(4);
    expectCodecError(() => decodeBundle(bundle, { ...roomy, maxElements: total - 1 }), 'too-large');
  });

  it('refuses duplicate names on both sides', () => {
    const twice = [variable('conv1/kernel', [2], 1), variable('conv1/kernel', [2], 2)];
    expectCodecError(() => encodeBundle(twice, 'fp32'), 'duplicate-name');
    const forged = encodeBundle([variable('a', [2], 1), variable('b', [2], 2)], 'fp32');
    // Replace the last frame's name 'b' with 'a' (it sits just before 2 fp32 values): same length, valid framing.
    const forgedNameOffset = forged.length - 8 - 1;
    expect(forged[forgedNameOffset]).toBe(0x62);
    forged[forgedNameOffset] = 0x61;
    expectCodecError(() => decodeBundle(forged, roomy), 'duplicate-name');
  });

  it('refuses a wrong magic, pointing single frames to decodeTensor, and unknown versions', () => {
    const error = expectCodecError(() => decodeBundle(encodeTensor(variable('w', [1], 1), 'fp32'), roomy), 'bad-magic');
    expect(error.message).toContain('decodeTensor');
    const newer = bundle.slice();
    newer[4] = 2;
    expectCodecError(() => decodeBundle(newer, roomy), 'unsupported-version');
    const reserved = bundle.slice();
    reserved[6] = 1;
    expectCodecError(() => decodeBundle(reserved, roomy), 'bad-header');
    for (let length = 0; length < 12; length++) expectCodecError(() => decodeBundle(bundle.subarray(0, length), roomy), 'truncated');
  });

  it('refuses invalid limits', () => {
    expectCodecError(() => decodeBundle(bundle, { maxFrameBytes: 1 << 20, maxTensors: NaN }), 'bad-argument');
  });

  it('decodes within limits or refuses 1,500 mutated bundles', () => {
    const limits = { maxFrameBytes: 4096, maxTensors: 4, maxElements: 400 };
    fc.assert(
      fc.property(
        fc.array(tensorArbitrary('int8'), { maxLength: 4 }),
        fc.array(mutationArbitrary, { minLength: 1, maxLength: 3 }),
        (tensors, mutations) => {
          const named = tensors.map((tensor, index) => ({ ...tensor, name: `v${index}` }));
          const mutated = mutations.reduce(applyMutation, encodeBundle(named, 'int8'));
          const decoded = expectRejectedOrWellFormed(() => decodeBundle(mutated, limits), limits);
          if (decoded) expect(decoded.length).toBeLessThanOrEqual(limits.maxTensors);
        },
      ),
      { numRuns: 1500 },
    );
  });
});
