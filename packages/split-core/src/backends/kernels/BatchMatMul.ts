// BatchMatMul on wasm without transposed operands. The built-in kernel sends only
// transposeA = transposeB = false to XNNPACK; any transpose flag falls back to a blocked
// scalar loop with strided reads. Every dense layer's backward pass uses those flags
// (dA = dy * W^T, dW = A^T * dy): for cnn-small's 3136x128 dense layer at batch 64 they
// took ~100 ms each against ~2.5 ms untransposed, measured in the same process.
//
// XNNPACK's fully-connected operator packs its right operand ("weights") on every call
// (the operands change every step), so for a single matrix product C = A B we pick the
// cheaper of two XNNPACK-friendly forms, counting copied floats:
//   direct:   C   = A B        packs B (K x N); transposes whichever operand came transposed
//   swapped:  C^T = B^T A^T    packs A^T (K x M); transposes C^T back (M x N), and copies
//                              whichever operand did NOT come transposed
// dA = dy W^T (M = batch, small) is then far cheaper swapped: W is used as it is and only
// the small dy^T is packed, instead of transposing and packing all of W.
import type { BatchMatMulAttrs, BatchMatMulInputs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { BatchMatMul } from '@tensorflow/tfjs';
import { callableBuiltin } from './builtin_kernel';
import { reshapeOnWasm, transposeOnWasm } from './sibling_kernels';
import type { WasmBackend } from './wasm_access';
import { asWasmBackend, disposeIntermediates } from './wasm_access';

function swapLastTwoAxes(backend: WasmBackend, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return transposeOnWasm(backend, x, perm);
}

export interface MatMulDims {
  /** Product of the batch dimensions of the output (1 for a plain matrix product). */
  readonly batch: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

export function matMulDims(aShape: readonly number[], bShape: readonly number[], transposeA: boolean, transposeB: boolean): MatMulDims {
  const aRank = aShape.length;
  const bRank = bShape.length;
  const dim = (shape: readonly number[], index: number): number => {
    const value = shape[index];
    if (value === undefined) throw new Error(`BatchMatMul: operand of rank ${shape.length} is too small`);
    return value;
  };
  const m = transposeA ? dim(aShape, aRank - 1) : dim(aShape, aRank - 2);
  const k = transposeA ? dim(aShape, aRank - 2) : dim(aShape, aRank - 1);
  const n = transposeB ? dim(bShape, bRank - 2) : dim(bShape, bRank - 1);
  const batchOf = (shape: readonly number[]): number => shape.slice(0, -2).reduce((p, d) => p * d, 1);
  return { batch: Math.max(batchOf(aShape), batchOf(bShape)), m, k, n };
}

/** Whether C^T = B^T A^T copies fewer floats than C = A B (see the header comment). */
export function swappedIsCheaper(dims: MatMulDims, transposeA: boolean, transposeB: boolean): boolean {
  // The built-in kernel reaches XNNPACK only for a single product; batched ones stay direct.
  if (dims.batch !== 1) return false;
  const { m, k, n } = dims;
  const direct = (transposeA ? m * k : 0) + (transposeB ? k * n : 0) + k * n;
  const swapped = (transposeA ? 0 : m * k) + (transposeB ? 0 : k * n) + k * m + m * n;
  return swapped < direct;
}

/** Wraps the built-in wasm BatchMatMul, which does the actual multiplications. */
export function createBatchMatMulConfig(builtin: KernelConfig): KernelConfig {
  const builtinMatMul = callableBuiltin(builtin);
  const untransposedProduct = (backend: WasmBackend, a: TensorInfo, b: TensorInfo): TensorInfo =>
    builtinMatMul(backend, { a, b }, { transposeA: false, transposeB: false });

  /** C = A B with A as [.., M, K] and B as [.., K, N] after optional explicit transposes. */
  function direct(backend: WasmBackend, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo {
    const plainA = transposeA ? swapLastTwoAxes(backend, a) : a;
    const plainB = transposeB ? swapLastTwoAxes(backend, b) : b;
    try {
      return untransposedProduct(backend, plainA, plainB);
    } finally {
      if (plainA !== a) disposeIntermediates(backend, plainA);
      if (plainB !== b) disposeIntermediates(backend, plainB);
    }
  }

  /** C = (B^T A^T)^T for a single product; the output keeps the broadcast batch shape. */
  function swapped(backend: WasmBackend, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, outShape: number[]): TensorInfo {
    const bT = transposeB ? b : swapLastTwoAxes(backend, b);
    const aT = transposeA ? a : swapLastTwoAxes(backend, a);
    let productT: TensorInfo;
    try {
      productT = untransposedProduct(backend, bT, aT);
    } finally {
      if (bT !== b) disposeIntermediates(backend, bT);
      if (aT !== a) disposeIntermediates(backend, aT);
    }
    const product = swapLastTwoAxes(backend, productT);
    disposeIntermediates(backend, productT);
    if (product.shape.join() === outShape.join()) return product;
    const reshaped = reshapeOnWasm(backend, product, outShape);
    disposeIntermediates(backend, product);
    return reshaped;
  }

  function batchMatMul(args: { inputs: BatchMatMulInputs; backend: unknown; attrs: BatchMatMulAttrs }): TensorInfo {
    const backend = asWasmBackend(args.backend);
    const { a, b } = args.inputs;
    if (a === undefined || b === undefined) throw new Error('BatchMatMul needs inputs a and b');
    const { transposeA, transposeB } = args.attrs;
    const dims = matMulDims(a.shape, b.shape, transposeA, transposeB);
    if (swappedIsCheaper(dims, transposeA, transposeB)) {
      const batchShape = (a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2);
      return swapped(backend, a, b, transposeA, transposeB, [...batchShape, dims.m, dims.n]);
    }
    return direct(backend, a, b, transposeA, transposeB);
  }

  return {
    kernelName: BatchMatMul,
    backendName: 'wasm',
    kernelFunc: batchMatMul as unknown as KernelFunc,
  };
}
