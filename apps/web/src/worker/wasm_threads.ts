import { THREADED_WORKER_NAME } from './messages';

// How many threads the training worker's WebAssembly gets, or why it gets one (the reason goes
// on the page's details line). tfjs-free, so it is tested without a browser.

/** XNNPACK's gains flatten past a few threads, and each is a worker holding the model's memory. */
export const MAX_BROWSER_WASM_THREADS = 4;

/** What a worker knows about where it runs. */
export interface WorkerGlobals {
  readonly name?: string;
  readonly crossOriginIsolated?: boolean;
  readonly navigator?: { readonly hardwareConcurrency?: number };
}

export type WasmThreadPlan = { readonly threads: number } | { readonly single: string };

export function wasmThreadPlan(scope: WorkerGlobals): WasmThreadPlan {
  if (scope.name !== THREADED_WORKER_NAME) return { single: 'one thread per hospital in the booth demo' };
  // SharedArrayBuffer, which threads share memory through, exists only on isolated pages.
  if (scope.crossOriginIsolated !== true) return { single: 'one thread: the page is not cross-origin isolated (it needs the relay’s COOP/COEP headers)' };
  const threads = Math.min(MAX_BROWSER_WASM_THREADS, scope.navigator?.hardwareConcurrency ?? 1);
  return threads > 1 ? { threads } : { single: 'one thread: this device reports one processor core' };
}
