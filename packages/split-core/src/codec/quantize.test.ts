import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseInt8Affine, dequantizeInt8, float32ToHalfBits, FP16_MAX, halfBitsToFloat32, halfToFloat32Table, quantizeInt8 } from './quantize';
import { expectCodecError, expectWithinEncodingError } from './test_support';

const FLOAT32_MAX = 3.4028234663852886e38;

function isHalfNaN(bits: number): boolean {
  return (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;
}

/** Adjacent float32 values, built from bit patterns (independent of the code under test). */
function float32Step(value: number, direction: 1 | -1): number {
  const scratch = new Float32Array([value]);
  const bits = new Int32Array(scratch.buffer);
  bits[0] = (bits[0] ?? 0) + direction;
  return scratch[0] ?? NaN;
}

describe('halfBitsToFloat32', () => {
  it('decodes the IEEE 754 binary16 landmarks', () => {
    expect(halfBitsToFloat32(0x3c00)).toBe(1);
    expect(halfBitsToFloat32(0xc000)).toBe(-2);
    expect(halfBitsToFloat32(0x7bff)).toBe(FP16_MAX);
    expect(halfBitsToFloat32(0x0400)).toBe(2 ** -14); // smallest normal
    expect(halfBitsToFloat32(0x03ff)).toBe(1023 * 2 ** -24); // largest subnormal
    expect(halfBitsToFloat32(0x0001)).toBe(2 ** -24); // smallest subnormal
    expect(Object.is(halfBitsToFloat32(0x0000), 0)).toBe(true);
    expect(Object.is(halfBitsToFloat32(0x8000), -0)).toBe(true);
    expect(halfBitsToFloat32(0x7c00)).toBe(Infinity);
    expect(halfBitsToFloat32(0xfc00)).toBe(-Infinity);
    expect(halfBitsToFloat32(0x7e00)).toBeNaN();
  });

  it('agrees with its lookup table on every bit pattern', () => {
    const table = halfToFloat32Table();
    const mismatches: number[] = [];
    for (let bits = 0; bits <= 0xffff; bits++) if (!Object.is(table[bits], halfBitsToFloat32(bits))) mismatches.push(bits);
    expect(mismatches).toEqual([]);
  });

  it('is strictly increasing over the positive finite halves', () => {
    const notIncreasing: number[] = [];
    for (let bits = 1; bits <= 0x7bff; bits++) if (!(halfBitsToFloat32(bits) > halfBitsToFloat32(bits - 1))) notIncreasing.push(bits);
    expect(notIncreasing).toEqual([]);
  });
});

describe('float32ToHalfBits', () => {
  it('round-trips all 65,536 bit patterns (NaNs stay NaN)', () => {
    const mismatches: string[] = [];
    for (let bits = 0; bits <= 0xffff; bits++) {
      const back = float32ToHalfBits(halfBitsToFloat32(bits));
      const ok = isHalfNaN(bits) ? isHalfNaN(back) : back === bits;
      if (!ok) mismatches.push(`0x${bits.toString(16)} -> 0x${back.toString(16)}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('rounds to nearest with ties to even between every pair of adjacent halves, both signs', () => {
    const mismatches: string[] = [];
    for (let low = 0; low < 0x7bff; low++) {
      const midpoint = (halfBitsToFloat32(low) + halfBitsToFloat32(low + 1)) / 2;
      const even = low % 2 === 0 ? low : low + 1;
      // [input, expected half bits]; the midpoint has 12 significant bits, so it is exact in float32.
      const cases: Array<[number, number]> = [
        [midpoint, even],
        [float32Step(midpoint, -1), low],
        [float32Step(midpoint, 1), low + 1],
      ];
      for (const [input, expected] of cases) {
        const positive = float32ToHalfBits(input);
        const negative = float32ToHalfBits(-input);
        if (Math.fround(input) !== input || positive !== expected || negative !== (expected | 0x8000)) {
          mismatches.push(`${input}: 0x${positive.toString(16)} / 0x${negative.toString(16)}, expected 0x${expected.toString(16)}`);
        }
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('keeps the sign of zero and flushes magnitudes below 2^-25 to signed zero', () => {
    expect(float32ToHalfBits(0)).toBe(0x0000);
    expect(float32ToHalfBits(-0)).toBe(0x8000);
    expect(float32ToHalfBits(2 ** -26)).toBe(0x0000);
    expect(float32ToHalfBits(-(2 ** -26))).toBe(0x8000);
    expect(float32ToHalfBits(1e-45)).toBe(0x0000); // float32 subnormal input
    expect(float32ToHalfBits(2 ** -25)).toBe(0x0000); // tie with 2^-24: even is zero
    expect(float32ToHalfBits(float32Step(2 ** -25, 1))).toBe(0x0001);
  });

  it('overflows to Infinity only from the halfway point above the largest half', () => {
    expect(float32ToHalfBits(float32Step(65520, -1))).toBe(0x7bff);
    expect(float32ToHalfBits(65520)).toBe(0x7c00); // tie between 0x7bff (odd) and Infinity (even)
    expect(float32ToHalfBits(-1e10)).toBe(0xfc00);
    expect(float32ToHalfBits(Infinity)).toBe(0x7c00);
    expect(isHalfNaN(float32ToHalfBits(NaN))).toBe(true);
  });

  it('stays within 2^-11 relative error in the normal range and 2^-25 absolute below it', () => {
    fc.assert(
      fc.property(fc.float32Array({ minLength: 1, maxLength: 32, min: -FP16_MAX, max: FP16_MAX, noNaN: true }), (values) => {
        const decoded = values.map((value) => halfBitsToFloat32(float32ToHalfBits(value)));
        expectWithinEncodingError(values, decoded, 'fp16');
      }),
      { numRuns: 300 },
    );
    // Subnormal inputs are rare in the generator above; cover them on their own.
    fc.assert(
      fc.property(fc.float({ min: -(2 ** -14), max: 2 ** -14, noNaN: true }), (value) => {
        expect(Math.abs(halfBitsToFloat32(float32ToHalfBits(value)) - value)).toBeLessThanOrEqual(2 ** -25);
      }),
      { numRuns: 300 },
    );
  });
});

describe('int8 affine quantization', () => {
  function roundTrip(values: Float32Array): Float32Array {
    const affine = chooseInt8Affine(values);
    return values.map((value) => dequantizeInt8(quantizeInt8(value, affine), affine));
  }

  it('stays within scale/2 of every value, scale = (max - min) / 255', () => {
    fc.assert(
      fc.property(fc.float32Array({ minLength: 1, maxLength: 64, noNaN: true, noDefaultInfinity: true }), (values) => {
        expectWithinEncodingError(values, roundTrip(values), 'int8');
      }),
      { numRuns: 500 },
    );
  });

  it('produces levels in 0..255 and a float32 scale >= 0', () => {
    fc.assert(
      fc.property(fc.float32Array({ minLength: 1, maxLength: 64, noNaN: true, noDefaultInfinity: true }), (values) => {
        const affine = chooseInt8Affine(values);
        expect(affine.scale).toBeGreaterThanOrEqual(0);
        expect(Math.fround(affine.scale)).toBe(affine.scale);
        for (const value of values) {
          const level = quantizeInt8(value, affine);
          expect(Number.isInteger(level) && level >= 0 && level <= 255).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips a constant tensor exactly, with scale 0, including -0', () => {
    for (const constant of [0, -0, 1.5, -3e38, 1e-45]) {
      const values = new Float32Array(7).fill(constant);
      expect(chooseInt8Affine(values).scale).toBe(0);
      roundTrip(values).forEach((value) => expect(Object.is(value, Math.fround(constant))).toBe(true));
    }
  });

  it('keeps the extremes exact and finite across the whole float32 range', () => {
    const values = new Float32Array([-FLOAT32_MAX, 0, FLOAT32_MAX]);
    const decoded = roundTrip(values);
    expect(decoded[0]).toBe(-FLOAT32_MAX);
    expect(decoded.every(Number.isFinite)).toBe(true);
    expectWithinEncodingError(values, decoded, 'int8');
  });

  it('keeps the top level finite when rounding the scale up would overflow float32', () => {
    // Found by the property test: fround((max - min) / 255) rounds up, and min + 255 * scale passes FLOAT32_MAX.
    const values = new Float32Array([0, FLOAT32_MAX, -2.0203182650063226e31]);
    const affine = chooseInt8Affine(values);
    expect(Number.isFinite(Math.fround(affine.min + 255 * affine.scale))).toBe(true);
    expectWithinEncodingError(values, roundTrip(values), 'int8');
  });

  it('refuses NaN and Infinity', () => {
    expectCodecError(() => chooseInt8Affine(new Float32Array([1, NaN])), 'non-finite');
    expectCodecError(() => chooseInt8Affine(new Float32Array([Infinity, 1])), 'non-finite');
    expectCodecError(() => chooseInt8Affine(new Float32Array([2, -Infinity])), 'non-finite');
  });
});
