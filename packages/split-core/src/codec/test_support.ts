// Shared by the codec's tests only (generators and independent checks); not exported from the
// module. The error bounds here are written from the IEEE and affine definitions, not from the
// codec's own conversion functions, so a wrong conversion cannot agree with itself.

import fc from 'fast-check';
import { expect } from 'vitest';
import { CodecError, type CodecErrorCode } from './codec_error';
import type { DecodedTensor, DType, Encoding, TensorData } from './types';

// Typed as records so that a new encoding or dtype fails to compile here until tests cover it.
const ENCODING_SET: Record<Encoding, true> = { fp32: true, fp16: true, int8: true };
const DTYPE_SET: Record<DType, true> = { float32: true, int32: true };
export const ALL_ENCODINGS = Object.keys(ENCODING_SET) as Encoding[];
export const ALL_DTYPES = Object.keys(DTYPE_SET) as DType[];

const ERROR_CODE_SET: Record<CodecErrorCode, true> = {
  truncated: true, 'bad-magic': true, 'unsupported-version': true, 'bad-header': true, 'bad-name': true,
  'shape-mismatch': true, 'dtype-mismatch': true, 'non-finite': true, 'too-large': true, 'out-of-range': true,
  'trailing-bytes': true, 'too-many-tensors': true, 'duplicate-name': true, 'bad-argument': true,
};
const ALL_ERROR_CODES: ReadonlySet<string> = new Set(Object.keys(ERROR_CODE_SET));

export function product(shape: readonly number[]): number {
  return shape.reduce((total, dim) => total * dim, 1);
}

export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Reproducible, varied float32 values (signs, magnitudes around 1..20) without a shared RNG. */
export function deterministicValues(length: number, seed: number): Float32Array {
  return new Float32Array(length).map((_, index) => {
    const fraction = Math.abs(Math.sin((index + 1) * 12.9898 + seed * 78.233) * 43758.5453) % 1;
    return (fraction - 0.5) * 40;
  });
}

/** Runs `action`, expecting a CodecError with this code; returns it for message checks. */
export function expectCodecError(action: () => unknown, code: CodecErrorCode): CodecError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(CodecError);
    expect((error as CodecError).code).toBe(code);
    expect((error as CodecError).message.length).toBeGreaterThan(10);
    return error as CodecError;
  }
  throw new Error(`expected a CodecError '${code}', but nothing was thrown`);
}

/** The decoder's contract for hostile input: a CodecError with a known code, or a result within the limits. */
export function expectRejectedOrWellFormed(
  decode: () => DecodedTensor[],
  limits: { maxFrameBytes: number; maxElements?: number; maxRank?: number; allowNonFinite?: boolean },
): DecodedTensor[] | undefined {
  let tensors: DecodedTensor[];
  try {
    tensors = decode();
  } catch (error) {
    if (!(error instanceof CodecError)) throw new Error(`decoder threw a non-CodecError: ${String(error)}`);
    if (!ALL_ERROR_CODES.has(error.code)) throw new Error(`unknown CodecError code ${error.code}`);
    return undefined;
  }
  let totalElements = 0;
  for (const tensor of tensors) {
    expect(['float32', 'int32']).toContain(tensor.dtype);
    expect(['fp32', 'fp16', 'int8']).toContain(tensor.encoding);
    expect(tensor.values).toBeInstanceOf(tensor.dtype === 'float32' ? Float32Array : Int32Array);
    expect(tensor.shape.length).toBeLessThanOrEqual(limits.maxRank ?? 8);
    expect(tensor.values.length).toBe(product(tensor.shape));
    expect(utf8Length(tensor.name)).toBeLessThanOrEqual(255);
    if (!limits.allowNonFinite) expect(Array.from(tensor.values).every(Number.isFinite)).toBe(true);
    totalElements += tensor.values.length;
  }
  expect(totalElements).toBeLessThanOrEqual(limits.maxFrameBytes);
  if (limits.maxElements !== undefined) expect(totalElements).toBeLessThanOrEqual(limits.maxElements);
  return tensors;
}

/**
 * Asserts decoded values are within the encoding's documented error of the originals:
 * fp32 and int32 bit-exact; fp16 relative error <= 2^-11 in the normal range [2^-14, 65504],
 * absolute error <= 2^-25 below it; int8 |error| <= scale/2 with scale = (max - min)/255,
 * plus slack for float32 rounding of the scale and of each decoded value.
 */
export function expectWithinEncodingError(original: Float32Array | Int32Array, decoded: Float32Array | Int32Array, encoding: Encoding): void {
  expect(decoded.length).toBe(original.length);
  // Plain loops collecting violations: vitest's deep equality on typed arrays, or one expect per
  // element, would dominate the run time of the property tests.
  if (original instanceof Int32Array || encoding === 'fp32') {
    const sentBits = new Uint32Array(original.buffer, original.byteOffset, original.length);
    const receivedBits = new Uint32Array(decoded.buffer, decoded.byteOffset, decoded.length);
    const firstDifference = sentBits.findIndex((bits, index) => bits !== receivedBits[index]);
    expect(firstDifference, 'bit-exact encoding changed a value').toBe(-1);
    return;
  }
  const violations: string[] = [];
  if (encoding === 'fp16') {
    original.forEach((value, index) => {
      const result = decoded[index] ?? NaN;
      const error = Math.abs(result - value);
      const magnitude = Math.abs(value);
      const bound = magnitude >= 2 ** -14 ? magnitude * 2 ** -11 : 2 ** -25;
      const signFlipped = value !== 0 && result !== 0 && Math.sign(result) !== Math.sign(value);
      if (!(error <= bound) || signFlipped) violations.push(`${value} -> ${result}`);
    });
  } else {
    const values = Array.from(original);
    const min = Math.min(...values);
    const max = Math.max(...values);
    const scale = (max - min) / 255;
    const slack = scale * 255 * 2 ** -22 + Math.max(Math.abs(min), Math.abs(max)) * 2 ** -22;
    original.forEach((value, index) => {
      const result = decoded[index] ?? NaN;
      if (!(Math.abs(result - value) <= scale / 2 + slack)) violations.push(`${value} -> ${result} (scale ${scale})`);
    });
  }
  expect(violations.slice(0, 5)).toEqual([]);
}

// ---- fast-check generators -------------------------------------------------------------

export const shapeArbitrary = (maxRank = 4, maxDim = 4): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 0, max: maxDim }), { minLength: 0, maxLength: maxRank });

export const nameArbitrary: fc.Arbitrary<string> = fc.string({ unit: 'binary', maxLength: 24 }).filter((name) => utf8Length(name) <= 255);

function valuesFor(dtype: DType, encoding: Encoding, length: number): fc.Arbitrary<Float32Array | Int32Array> {
  if (dtype === 'int32') return fc.int32Array({ minLength: length, maxLength: length });
  switch (encoding) {
    case 'fp32':
      return fc.float32Array({ minLength: length, maxLength: length });
    case 'fp16':
      return fc.float32Array({ minLength: length, maxLength: length, min: -65504, max: 65504, noNaN: true });
    case 'int8':
      return fc.float32Array({ minLength: length, maxLength: length, noNaN: true, noDefaultInfinity: true });
  }
}

/** A tensor each encoding accepts (fp32 may hold NaN and Infinity: it carries them faithfully). */
export function tensorArbitrary(encoding: Encoding, dtype?: DType): fc.Arbitrary<TensorData> {
  const dtypeArbitrary = dtype === undefined ? fc.constantFrom(...ALL_DTYPES) : fc.constant(dtype);
  return fc.tuple(dtypeArbitrary, shapeArbitrary(), nameArbitrary).chain(([chosenDtype, shape, name]) =>
    valuesFor(chosenDtype, encoding, product(shape)).map((values): TensorData => ({ name, dtype: chosenDtype, shape, values })),
  );
}

export const encodedTensorArbitrary: fc.Arbitrary<{ tensor: TensorData; encoding: Encoding }> = fc
  .constantFrom(...ALL_ENCODINGS)
  .chain((encoding) => tensorArbitrary(encoding).map((tensor) => ({ tensor, encoding })));

/** Places `bytes` at an odd offset inside a larger buffer, as a socket.io Buffer often is. */
export function atOddOffset(bytes: Uint8Array, offset = 3): Uint8Array {
  const backing = new Uint8Array(bytes.length + offset + 5).fill(0xa5);
  backing.set(bytes, offset);
  return backing.subarray(offset, offset + bytes.length);
}

export type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'insert'; at: number; byte: number }
  | { kind: 'delete'; at: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'set-u32'; at: number; value: number };

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('set-u32' as const),
    at: fc.nat(),
    value: fc.oneof(fc.constantFrom(0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff), fc.nat({ max: 0xffff_ffff })),
  }),
);

export function applyMutation(bytes: Uint8Array, mutation: Mutation): Uint8Array {
  if (bytes.length === 0) return mutation.kind === 'insert' ? Uint8Array.of(mutation.byte) : bytes;
  const at = mutation.at % bytes.length;
  switch (mutation.kind) {
    case 'flip': {
      const copy = bytes.slice();
      copy[at] = (copy[at] ?? 0) ^ mutation.mask;
      return copy;
    }
    case 'insert':
      return Uint8Array.from([...bytes.subarray(0, at), mutation.byte, ...bytes.subarray(at)]);
    case 'delete':
      return Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + 1)]);
    case 'truncate':
      return bytes.slice(0, at);
    case 'set-u32': {
      const copy = bytes.slice();
      if (at + 4 <= copy.length) new DataView(copy.buffer).setUint32(at, mutation.value, true);
      return copy;
    }
  }
}
