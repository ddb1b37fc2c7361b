// tfjs-backend-wasm's threaded SIMD build, started by us instead of by tfjs. tfjs picks that
// build itself only where it can start its pthread workers from a Blob of the loader's own
// source, which fails once the loader is bundled (the browser worker) and is switched off in
// Node (tensorflow/tfjs#3830). The platform adapters (node/wasm_threads.ts, the web app's
// training worker) load the Emscripten module with the loader script and pthread script served
// as real files; this module turns it into tfjs's own BackendWasm, registered as 'wasm', so
// every built-in kernel and ours run unchanged. Platform-free.
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

/** tfjs's C side refuses more (it was built with this many pthreads at most). */
export const MAX_WASM_THREADS = 8;
/** tfjs-backend-wasm's priority for 'wasm', kept so the registry behaves as before. */
const WASM_PRIORITY = 2;

/** The part of an Emscripten module tfjs uses. */
export interface EmscriptenModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): unknown;
  tfjs?: unknown;
}

/** Emscripten's `instantiateWasm(imports, receive)` hook. */
export type InstantiateHook = (imports: { env: Record<string, unknown> }, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => object;

/**
 * An `instantiateWasm` hook that compiles with `compile` and tells tfjs's C side it has
 * 2 x `threads` logical cores: it sizes its pool as min(asked, cores / 2), assuming
 * hyper-threads, so on a 2-core machine it would otherwise take one thread. A failure goes to
 * `fail` (Emscripten would only log it and wait forever).
 */
export function instantiateForThreads(threads: number, compile: (imports: WebAssembly.Imports) => Promise<WebAssembly.WebAssemblyInstantiatedSource>, fail: (error: unknown) => void): InstantiateHook {
  return (imports, receive) => {
    imports.env.emscripten_num_logical_cores = () => 2 * threads;
    compile(imports as unknown as WebAssembly.Imports).then(({ instance, module }) => receive(instance, module), fail);
    return {};
  };
}

export function assertThreadCount(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new Error(`wasm threads must be a whole number from 1 to ${MAX_WASM_THREADS}, got ${threads}`);
  }
}

/** Whether the wasm backend has been started in this realm (not tf.findBackend: that would start it). */
export function wasmBackendStarted(): boolean {
  return 'wasm' in tf.engine().registry;
}

/** The bridge tfjs-backend-wasm's own init() attaches to the module; BackendWasm calls it. */
function attachTfjsBridge(module: EmscriptenModule): void {
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
}

/**
 * Registers 'wasm' as tfjs's BackendWasm over the module `load` gives, on `threads` threads.
 * Call before the backend is first set; `started` runs once its threads do. Returns a function that puts tfjs's own
 * (single-threaded) registration back, for a caller whose threaded start failed.
 */
export function registerThreadedWasm(threads: number, load: () => Promise<EmscriptenModule>, started?: (module: EmscriptenModule) => void): () => void {
  assertThreadCount(threads);
  if (wasmBackendStarted()) throw new Error('The wasm backend is already running; choose its threads before the backend is first set');
  const original = tf.findBackendFactory('wasm');
  setThreadsCount(threads);
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      const module = await load();
      attachTfjsBridge(module);
      // The constructor starts XNNPACK's pool (its pthreads), so `started` sees them running.
      const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
      started?.(module);
      return backend;
    },
    WASM_PRIORITY,
  );
  return () => {
    tf.removeBackend('wasm');
    setThreadsCount(-1);
    if (original) tf.registerBackend('wasm', original, WASM_PRIORITY);
  };
}
