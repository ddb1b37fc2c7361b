// Pure number conversions behind the lossy encodings, kept apart from the frame layout so they
// can be tested exhaustively (all 65,536 half-precision bit patterns) and reused elsewhere.

import { CodecError } from './codec_error';

/** Largest finite IEEE half-precision value. */
export const FP16_MAX = 65504;

// One scratch word to read a float32's bit pattern; the codec is single-threaded per realm.
const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/**
 * IEEE 754 binary16 bit pattern of a float32 value, rounded to nearest, ties to even.
 * Keeps the sign of zero, produces subnormals below 2^-14, rounds magnitudes of 65520 and above
 * to Infinity (callers refuse those before they get here), and maps NaN to a quiet NaN.
 */
export function float32ToHalfBits(value: number): number {
  scratchFloat[0] = value;
  const bits = scratchBits[0] ?? 0;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7f_ffff;

  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);

  // Rebias from float32 (127) to half (15).
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;

  if (halfExponent <= 0) {
    // Half subnormal: value = m * 2^-24. With the implicit bit restored the float32 significand
    // is full * 2^(exponent - 150), so m = full >> (14 - halfExponent) before rounding.
    // Below 2^-25 (halfExponent < -10) everything rounds to zero; exactly 2^-25 ties to even zero.
    if (halfExponent < -10) return sign;
    const full = mantissa | 0x80_0000;
    const shift = 14 - halfExponent;
    return sign | roundShiftTiesToEven(full, shift);
  }

  // Normal: drop 13 mantissa bits with ties-to-even. A carry out of the mantissa correctly
  // bumps the exponent, and out of the largest exponent gives 0x7c00 (Infinity).
  return sign | ((halfExponent << 10) + roundShiftTiesToEven(mantissa, 13));
}

function roundShiftTiesToEven(value: number, shift: number): number {
  const kept = value >>> shift;
  const remainder = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return remainder > half || (remainder === half && (kept & 1) === 1) ? kept + 1 : kept;
}

const TWO_POW_MINUS_24 = 2 ** -24;

/** The float value of a binary16 bit pattern (exact: every half is representable as float32). */
export function halfBitsToFloat32(bits: number): number {
  const negative = (bits & 0x8000) !== 0;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  let magnitude: number;
  if (exponent === 0) magnitude = mantissa * TWO_POW_MINUS_24;
  else if (exponent === 0x1f) magnitude = mantissa === 0 ? Infinity : NaN;
  else magnitude = (0x400 + mantissa) * 2 ** (exponent - 25);
  return negative ? -magnitude : magnitude;
}

let halfLookup: Float32Array | undefined;

/**
 * The float value of every half bit pattern (index = bits), built on first use: 256 KiB that
 * make fp16 decoding one lookup per element. Measured on a 64x14x14x32 activation batch (2 shared
 * cores, under load): about 60 ms per decode with a conversion call per element, 10 ms with it.
 */
export function halfToFloat32Table(): Float32Array {
  if (!halfLookup) {
    halfLookup = new Float32Array(0x1_0000);
    for (let bits = 0; bits <= 0xffff; bits++) halfLookup[bits] = halfBitsToFloat32(bits);
  }
  return halfLookup;
}

/** Per-tensor affine int8 quantization: value ~= min + q * scale, q in 0..255. */
export interface Int8Affine {
  /** The tensor's minimum, a float32. */
  min: number;
  /** A float32 >= 0; 0 exactly when all values are equal (then every value decodes to `min`, exactly). */
  scale: number;
}

export const INT8_LEVELS = 255;

/**
 * Chooses min and scale so that every value decodes within scale/2 of itself:
 * scale ~= (max - min) / 255, rounded to float32 and nudged up one float32 step when rounding
 * made 255 * scale fall short of max - min (the top value would otherwise err by more than
 * scale/2), but never so far that the top level overflows float32. A constant tensor gets scale 0 and round-trips exactly. Refuses NaN and Infinity:
 * they have no place on an affine grid and would make every other value meaningless.
 */
export function chooseInt8Affine(values: Float32Array): Int8Affine {
  if (values.length === 0) return { min: 0, scale: 0 };
  let min = Infinity;
  let max = -Infinity;
  for (let index = 0; index < values.length; index++) {
    const value = values[index] ?? NaN;
    if (!Number.isFinite(value)) {
      throw new CodecError('non-finite', `value ${value} at index ${index} cannot be int8-quantized: send fp32, or fix the diverged tensor`);
    }
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (max === min) return { min, scale: 0 };
  let scale = Math.fround((max - min) / INT8_LEVELS);
  if (min + INT8_LEVELS * scale < max) scale = nextFloat32(scale, 1);
  // Near the float32 limit the top level min + 255 * scale can round to Infinity (the decoder
  // refuses such parameters). Stepping the scale down by one or two float32 ulps fixes that;
  // the top value then errs by a few ulps of scale, far below scale/2. Bounded: never a hang.
  for (let step = 0; step < 8 && !Number.isFinite(Math.fround(min + INT8_LEVELS * scale)); step++) {
    scale = nextFloat32(scale, -1);
  }
  return { min, scale };
}

export function quantizeInt8(value: number, affine: Int8Affine): number {
  if (affine.scale === 0) return 0;
  const level = Math.round((value - affine.min) / affine.scale);
  return level < 0 ? 0 : level > INT8_LEVELS ? INT8_LEVELS : level;
}

export function dequantizeInt8(level: number, affine: Int8Affine): number {
  // q = 0 returns min itself so that -0 and the exact minimum survive (-0 + 0 would give +0).
  if (level === 0 || affine.scale === 0) return affine.min;
  return Math.fround(affine.min + level * affine.scale);
}

/** The adjacent float32 of a positive finite float32 (bit patterns of positive floats are ordered). */
function nextFloat32(value: number, direction: 1 | -1): number {
  scratchFloat[0] = value;
  scratchBits[0] = (scratchBits[0] ?? 0) + direction;
  return scratchFloat[0] ?? value;
}
