// Calling a built-in wasm kernel that we have replaced in the registry (our kernel handles
// the cases it is slow at and hands the rest back). Once unregistered, tfjs no longer runs
// the built-in's setup function when a backend initialises, so we run it ourselves, once
// per backend instance, before the first call.
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm_access';

export type BuiltinKernel = (backend: WasmBackend, inputs: NamedTensorInfoMap, attrs: NamedAttrMap) => TensorInfo;

export function callableBuiltin(builtin: KernelConfig): BuiltinKernel {
  const setUpBackends = new WeakSet<object>();
  return (backend, inputs, attrs) => {
    if (!setUpBackends.has(backend)) {
      // setupFunc is typed void | Promise<void>; the wasm ones only cwrap, synchronously.
      void builtin.setupFunc?.(backend);
      setUpBackends.add(backend);
    }
    const result = builtin.kernelFunc({ inputs, backend, attrs });
    if (Array.isArray(result)) throw new Error(`Built-in ${builtin.kernelName} returned several outputs`);
    return result;
  };
}
