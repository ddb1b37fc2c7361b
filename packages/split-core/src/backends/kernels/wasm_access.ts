// Typed access to the tfjs-backend-wasm internals our kernels need: tensor ids on the
// wasm heap, heap views, direct calls into the exported C functions, and disposal of
// intermediates. Everything here stays inside one kernel call: no tensor is handed to the
// engine except the kernel's own output, so intermediates must be freed with
// `disposeIntermediates` or they leak on the wasm heap (the engine never sees them).
import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type WasmBackend = BackendWasm;

/** A C function exported by the tfjs wasm module that takes numbers and returns nothing. */
export type WasmVoidFunction = (...args: number[]) => void;

export function asWasmBackend(backend: unknown): WasmBackend {
  if (
    typeof backend === 'object' &&
    backend !== null &&
    'dataIdMap' in backend &&
    'wasm' in backend &&
    'makeOutput' in backend
  ) {
    return backend as WasmBackend;
  }
  throw new Error('This kernel runs only on the tfjs wasm backend (got a different backend instance).');
}

/** The id the C side knows a tensor by. */
export function wasmTensorId(backend: WasmBackend, info: TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (data === undefined) throw new Error('Tensor data is not on the wasm backend (was it disposed?)');
  return data.id;
}

/**
 * A Float32Array view over a tensor's memory on the wasm heap. The view is invalidated
 * when the heap grows (any allocation may grow it): take views after the last allocation.
 */
export function heapFloat32(backend: WasmBackend, info: TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`Expected a float32 tensor, got ${info.dtype}`);
  const view = backend.typedArrayFromHeap(info);
  if (!(view instanceof Float32Array)) throw new Error('wasm heap view is not a Float32Array');
  return view;
}

export function disposeIntermediates(backend: WasmBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** The part of the Emscripten module API we use; its published typings omit `cwrap`. */
interface EmscriptenCwrap {
  cwrap(name: string, returnType: null, argTypes: string[]): unknown;
}

function hasCwrap(module: unknown): module is EmscriptenCwrap {
  return typeof module === 'object' && module !== null && typeof (module as { cwrap?: unknown }).cwrap === 'function';
}

// cwrap'd functions are bound to one wasm module instance; a new backend instance (after
// tf.removeBackend + re-registration) gets its own set.
const wrappedByModule = new WeakMap<object, Map<string, WasmVoidFunction>>();

/**
 * Looks up an exported C function of the tfjs wasm module by name. Done lazily rather
 * than in a kernel `setupFunc`, because tfjs runs setup functions only when a backend is
 * initialised: kernels registered after `tf.setBackend('wasm')` would never be set up.
 */
export function wasmVoidFunction(backend: WasmBackend, name: string, argCount: number): WasmVoidFunction {
  const module: unknown = backend.wasm;
  if (!hasCwrap(module)) throw new Error('The tfjs wasm module has no cwrap (unexpected tfjs-backend-wasm build)');
  let wrapped = wrappedByModule.get(module);
  if (wrapped === undefined) {
    wrapped = new Map();
    wrappedByModule.set(module, wrapped);
  }
  const cached = wrapped.get(name);
  if (cached !== undefined) return cached;
  const fn: unknown = module.cwrap(name, null, new Array<string>(argCount).fill('number'));
  if (typeof fn !== 'function') throw new Error(`The tfjs wasm module does not export '${name}'`);
  const typed = fn as WasmVoidFunction;
  wrapped.set(name, typed);
  return typed;
}
