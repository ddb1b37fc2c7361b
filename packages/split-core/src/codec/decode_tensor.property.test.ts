// Property tests: thousands of random valid frames must round-trip, and thousands of random
// or mutated byte strings must either decode into a tensor within the limits or be refused
// with a CodecError; never another exception, never a tensor larger than the limits allow.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTensor } from './decode_tensor';
import { encodeTensor } from './encode_tensor';
import {
  ALL_ENCODINGS,
  applyMutation,
  atOddOffset,
  encodedTensorArbitrary,
  expectRejectedOrWellFormed,
  expectWithinEncodingError,
  mutationArbitrary,
  tensorArbitrary,
} from './test_support';

const FRAME_PREFIX = [0x53, 0x4c, 0x54, 0x46, 1];

describe('decodeTensor properties', () => {
  for (const encoding of ALL_ENCODINGS) {
    it(`round-trips 2,000 random valid ${encoding} frames (any rank 0..4, empty, any name, unaligned)`, () => {
      fc.assert(
        fc.property(tensorArbitrary(encoding), fc.integer({ min: 0, max: 7 }), (tensor, misalignment) => {
          const frame = encodeTensor(tensor, encoding);
          const decoded = decodeTensor(atOddOffset(frame, misalignment), { maxFrameBytes: frame.length, allowNonFinite: true });
          expect(decoded.name).toBe(tensor.name);
          expect(decoded.dtype).toBe(tensor.dtype);
          expect(decoded.shape).toEqual(tensor.shape);
          expect(decoded.encoding).toBe(tensor.dtype === 'int32' ? 'fp32' : encoding);
          expectWithinEncodingError(tensor.values, decoded.values, encoding);
        }),
        { numRuns: 2000 },
      );
    });
  }

  const limits = { maxFrameBytes: 2048, maxElements: 300 };

  it('never throws anything but CodecError on 2,000 random byte strings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        expectRejectedOrWellFormed(() => [decodeTensor(bytes, limits)], limits);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws anything but CodecError on 2,000 random byte strings behind a valid magic and version', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), fc.boolean(), (rest, allowNonFinite) => {
        const bytes = Uint8Array.from([...FRAME_PREFIX, ...rest]);
        expectRejectedOrWellFormed(() => [decodeTensor(bytes, { ...limits, allowNonFinite })], { ...limits, allowNonFinite });
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes within limits or refuses 4,000 mutated valid frames (flips, inserts, deletes, truncations, huge dims)', () => {
    fc.assert(
      fc.property(
        encodedTensorArbitrary,
        fc.array(mutationArbitrary, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 8 }),
        ({ tensor, encoding }, mutations, maxRank) => {
          const frame = mutations.reduce(applyMutation, encodeTensor(tensor, encoding));
          const mutatedLimits = { ...limits, maxRank };
          expectRejectedOrWellFormed(() => [decodeTensor(atOddOffset(frame, 1), mutatedLimits)], mutatedLimits);
        },
      ),
      { numRuns: 4000 },
    );
  });

  it('refuses shape words set to huge values unless a zero dimension keeps the tensor empty', () => {
    fc.assert(
      fc.property(
        encodedTensorArbitrary.filter(({ tensor }) => tensor.shape.length > 0),
        fc.nat(),
        fc.integer({ min: 0x1000, max: 0xffff_ffff }),
        ({ tensor, encoding }, axisSeed, hugeDim) => {
          const frame = encodeTensor(tensor, encoding).slice();
          const axis = axisSeed % tensor.shape.length;
          new DataView(frame.buffer).setUint32(12 + 4 * axis, hugeDim, true);
          const decoded = expectRejectedOrWellFormed(() => [decodeTensor(frame, limits)], limits);
          const otherAxesEmpty = tensor.shape.some((dim, index) => index !== axis && dim === 0);
          // Accepted only when another zero dimension keeps the product at 0 (then nothing is allocated).
          expect(decoded !== undefined).toBe(otherAxesEmpty);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
