// Calls other registered wasm kernels from inside a kernel, the way tfjs-backend-wasm's
// own kernels call `transpose` or `identity`: straight through the kernel function with
// {inputs, backend, attrs}, bypassing the engine. The result is NOT tracked by the engine:
// the caller disposes it (wasm_access.disposeIntermediates) unless it is the kernel output.
//
// The functions are taken from the kernel registry rather than imported from
// '@tensorflow/tfjs-backend-wasm/dist/...': Node loads the package as one bundle, and a
// deep import would be a second module instance whose wasm bindings were never set up.
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import { BatchMatMul, Concat, PadV2, Reshape, Reverse, Slice, Sum, Transpose, getKernel } from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm_access';

export function runWasmKernel(kernelName: string, backend: WasmBackend, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo {
  const config = getKernel(kernelName, 'wasm');
  if (config === undefined) throw new Error(`Kernel '${kernelName}' is not registered for the wasm backend`);
  const result = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(result)) throw new Error(`Kernel '${kernelName}' returned several outputs; expected one`);
  return result;
}

export function transposeOnWasm(backend: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return runWasmKernel(Transpose, backend, { x }, { perm });
}

/** Reverses the given axes (e.g. [0, 1] flips a filter spatially). */
export function reverseOnWasm(backend: WasmBackend, x: TensorInfo, dims: number[]): TensorInfo {
  return runWasmKernel(Reverse, backend, { x }, { dims });
}

export function sliceOnWasm(backend: WasmBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return runWasmKernel(Slice, backend, { x }, { begin, size });
}

/** Shares the data (reference counted): dispose the result like any other intermediate. */
export function reshapeOnWasm(backend: WasmBackend, x: TensorInfo, shape: number[]): TensorInfo {
  return runWasmKernel(Reshape, backend, { x }, { shape });
}

export function sumOnWasm(backend: WasmBackend, x: TensorInfo, axis: number[]): TensorInfo {
  return runWasmKernel(Sum, backend, { x }, { axis, keepDims: false });
}

/** Zero padding, [before, after] per axis. */
export function padOnWasm(backend: WasmBackend, x: TensorInfo, paddings: [number, number][]): TensorInfo {
  return runWasmKernel(PadV2, backend, { x }, { paddings, constantValue: 0 });
}

export function concatOnWasm(backend: WasmBackend, tensors: TensorInfo[], axis: number): TensorInfo {
  return runWasmKernel(Concat, backend, tensors as unknown as NamedTensorInfoMap, { axis });
}

/** A [1, M, K] x [1, K, N] product through the registered BatchMatMul (XNNPACK). */
export function matMulOnWasm(backend: WasmBackend, a: TensorInfo, b: TensorInfo): TensorInfo {
  return runWasmKernel(BatchMatMul, backend, { a, b }, { transposeA: false, transposeB: false });
}
