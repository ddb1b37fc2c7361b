import { backends } from '@splitlearn/split-core';
import { env } from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as threadedLoader from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
import threadedLoaderUrl from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?url';
import pthreadScriptUrl from 'virtual:tfjs-wasm-pthread-url';
import type { BackendChoice, EnginePreference } from './messages';
import { wasmThreadPlan } from './wasm_threads';

// The worker's one tfjs backend, chosen by split-core's rule (WebGL on a hardware GPU, wasm
// where WebGL is software-rendered or missing, cpu last). Vite gives the .wasm files hashed
// names, so a path prefix cannot find them: the map names each binary explicitly (which
// is why initBackend's string-only `wasmPaths` option is not used here).
//
// WebAssembly on threads: tfjs 4.22 would start its pthread workers from a Blob holding the
// loader's `toString()`, which breaks once the loader is bundled (minified, every pthread
// throws "e is not defined"; unminified, setBackend('wasm') never settles). So tfjs's own
// choice stays off, and the worker starts the threaded build itself (split-core's
// registerThreadedWasm): the bundled loader on this thread, and each pthread from the
// unbundled loader and pthread script, served as files of the app (?url and
// apps/web/vite/tfjs_pthread_script.ts). It needs a cross-origin isolated page (the relay sends
// COOP/COEP) for SharedArrayBuffer; without one, or if the threaded start fails, WebAssembly
// runs on one thread and the backend's reason says why.

/** A backend that has not initialised by then is not coming: say so instead of waiting forever. */
const BACKEND_TIMEOUT_MS = 60_000;
/** The threaded start gets less: a single-threaded start follows if it fails. */
const THREADED_START_TIMEOUT_MS = 30_000;

/** Whether this worker has chosen its WebAssembly threads (once: the backend keeps them). */
let threadsDecided = false;
/** Puts tfjs's single-threaded wasm back, while the threaded one is registered and not yet proven. */
let singleThreaded: (() => void) | undefined;
/** Why WebAssembly runs on one thread, for the details line. */
let threadsNote: string | undefined;

type ThreadedFactory = (config: Record<string, unknown>) => Promise<backends.EmscriptenModule>;

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} was not ready after ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function loadThreadedModule(threads: number): Promise<backends.EmscriptenModule> {
  const factory = ((threadedLoader as { default?: unknown }).default ?? threadedLoader) as ThreadedFactory;
  let failInstantiation: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    failInstantiation = reject;
  });
  const loading = factory({
    locateFile: (path: string) => (path.endsWith('.worker.js') ? pthreadScriptUrl : path.endsWith('.wasm') ? wasmThreadedSimdUrl : path),
    // XNNPACK's pool: this thread and threads - 1 pthreads (read by our build of the loader:
    // apps/web/vite/tfjs_pthread_script.ts).
    pthreadPoolSize: Math.max(1, threads - 1),
    // Each pthread runs the unbundled loader from this URL.
    mainScriptUrlOrBlob: new URL(threadedLoaderUrl, location.href).href,
    instantiateWasm: backends.instantiateForThreads(threads, (imports) => WebAssembly.instantiateStreaming(fetch(wasmThreadedSimdUrl), imports), failInstantiation),
  });
  return Promise.race([loading, failed]);
}

/** The backend for the clinician's choice of engine: split-core's rule under 'auto', else the one named (falling back, with the reason, when it fails). */
export async function chooseBackend(preference: EnginePreference = 'auto'): Promise<BackendChoice> {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
  });
  env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!threadsDecided) {
    threadsDecided = true;
    const plan = wasmThreadPlan(globalThis);
    if ('threads' in plan) {
      const threads = plan.threads;
      singleThreaded = backends.registerThreadedWasm(threads, () => loadThreadedModule(threads));
    } else {
      threadsNote = plan.single;
    }
  }
  if (singleThreaded && !backends.wasmBackendStarted()) {
    // Started here, under its own timeout, when wasm is what the preference comes to (so a
    // failure leaves single-threaded wasm, not cpu); a WebGL choice does not pay for it.
    const comesToWasm = preference === 'wasm' || (preference === 'auto' && !backends.autoChoosesWebgl(backends.probeWebgl()));
    if (comesToWasm) {
      try {
        const started = await withTimeout(backends.initBackend('wasm'), THREADED_START_TIMEOUT_MS, 'threaded WebAssembly');
        // initBackend falls back to cpu rather than fail: that is a failed threaded start here.
        if (started.name !== 'wasm') throw new Error(started.reason);
      } catch (error) {
        singleThreaded();
        singleThreaded = undefined;
        threadsNote = `one thread: threaded WebAssembly failed to start (${error instanceof Error ? error.message : String(error)})`;
      }
    }
  }
  const info = await withTimeout(backends.initBackend(preference), BACKEND_TIMEOUT_MS, 'no tfjs backend');
  const reason = info.name === 'wasm' && threadsNote !== undefined ? `${info.reason}; ${threadsNote}` : info.reason;
  return { name: info.name, software: info.software, reason, preference, ...(info.webgl ? { webgl: info.webgl } : {}), ...(info.webgpu ? { webgpu: info.webgpu } : {}), ...(info.fellBack ? { fellBack: true } : {}), ...(info.name === 'wasm' ? { threads: getThreadsCount() } : {}) };
}
