// tfjs wasm on several threads in Node. tfjs-backend-wasm ships a threaded SIMD build (XNNPACK
// on a pthreadpool of Emscripten pthreads, which in Node are worker_threads) but never picks it
// in Node (its WASM_HAS_MULTITHREAD_SUPPORT flag is false there: tensorflow/tfjs#3830). Three
// things stand in the way, handled here and in backends/threaded_wasm.ts without touching
// node_modules:
// - its loader hands the pthread script to `new Worker` as a blob: URL, which Node cannot run,
//   so the script (shipped as a string) is written to a file;
// - its C side caps the pool at half the logical cores (it assumes hyper-threads): the core
//   count it is told is doubled;
// - Emscripten starts 8 pthread workers up front (~20 MB and ~100 ms each); the copy of the
//   loader we run starts as many as the pool needs.
// backends/threaded_wasm.ts turns the module into tfjs's own BackendWasm; only the XNNPACK
// operators (convolutions, matmuls) use the extra threads.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { initBackend, type BackendInfo, type BackendPreference } from '../backends/select';
import { assertThreadCount, instantiateForThreads, MAX_WASM_THREADS, registerThreadedWasm, wasmBackendStarted, type EmscriptenModule } from '../backends/threaded_wasm';

const require = createRequire(import.meta.url);

/** The environment variable that sets the wasm thread count of every Node command and the relay. */
export const WASM_THREADS_ENV = 'SPLITNN_WASM_THREADS';
/** Past two, XNNPACK's gains on these models flatten while each thread costs a worker. */
const DEFAULT_MAX_WASM_THREADS = 2;

export interface WasmThreads {
  readonly threads: number;
  /** Where the count came from, for the backend line a command prints. */
  readonly source: string;
}

/**
 * The thread count for tfjs wasm: `SPLITNN_WASM_THREADS` when set (1 to 8), else two when the
 * machine has two cores or more, else one.
 */
export function wasmThreadsFromEnv(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()): WasmThreads {
  const raw = env[WASM_THREADS_ENV];
  if (raw !== undefined && raw.trim() !== '') {
    const threads = Number(raw);
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
      throw new Error(`${WASM_THREADS_ENV} must be a whole number from 1 to ${MAX_WASM_THREADS}, got '${raw}'`);
    }
    return { threads, source: `${WASM_THREADS_ENV}=${threads}` };
  }
  const threads = Math.max(1, Math.min(DEFAULT_MAX_WASM_THREADS, cores));
  return { threads, source: `default for ${cores} core(s)` };
}

type EmscriptenFactory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

const LOADER = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
const PTHREAD_SCRIPT = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
const POOL_SIZE_PATTERN = /var pthreadPoolSize=\d+;/;

interface ThreadedFiles {
  readonly loader: string;
  readonly pthreadScript: string;
  readonly wasm: string;
}

/** Writes a file once under its content's hash, atomically, so concurrent processes agree. */
function writeOnce(dir: string, name: string, contents: string): string {
  const path = join(dir, name);
  if (!existsSync(path)) {
    const partial = `${path}.${process.pid}.${Date.now()}.partial`;
    writeFileSync(partial, contents);
    renameSync(partial, path);
  }
  return path;
}

/** The loader (with its pthread pool sized to `poolSize`) and the pthread script, as files Node can run. */
function threadedFiles(poolSize: number): ThreadedFiles {
  const loaderPath = require.resolve(LOADER);
  const original = readFileSync(loaderPath, 'utf8');
  if (!POOL_SIZE_PATTERN.test(original)) {
    throw new Error(`tfjs-backend-wasm's threaded loader has changed (no pthread pool size in ${loaderPath}); run with ${WASM_THREADS_ENV}=1`);
  }
  const loader = original.replace(POOL_SIZE_PATTERN, `var pthreadPoolSize=${poolSize};`);
  const { wasmWorkerContents } = require(PTHREAD_SCRIPT) as { wasmWorkerContents: string };
  // tfjs makes a Blob of this string after the same escaping (its newlines sit inside string literals).
  const pthreadScript = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(loader).update(pthreadScript).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `splitnn-tfjs-wasm-threads-${hash}`);
  mkdirSync(dir, { recursive: true });
  return {
    // .cjs: both are CommonJS scripts, whatever the enclosing package's module type.
    loader: writeOnce(dir, 'loader.cjs', loader),
    pthreadScript: writeOnce(dir, 'pthread.cjs', pthreadScript),
    wasm: join(dirname(loaderPath), 'tfjs-backend-wasm-threaded-simd.wasm'),
  };
}

async function loadThreadedModule(threads: number): Promise<EmscriptenModule> {
  // The calling thread is one of XNNPACK's threads; the pool holds the others.
  const files = threadedFiles(Math.max(1, threads - 1));
  const factory = require(files.loader) as EmscriptenFactory;
  let failInstantiation: (error: unknown) => void = () => undefined;
  const instantiationFailed = new Promise<never>((_, reject) => {
    failInstantiation = reject;
  });
  const loading = factory({
    locateFile: (path: string) => (path.endsWith('.worker.js') ? files.pthreadScript : path.endsWith('.wasm') ? files.wasm : path),
    // Each pthread evaluates the loader again, from this file.
    mainScriptUrlOrBlob: files.loader,
    instantiateWasm: instantiateForThreads(threads, (imports) => WebAssembly.instantiate(readFileSync(files.wasm), imports), failInstantiation),
  });
  return Promise.race([loading, instantiationFailed]);
}

/**
 * Emscripten keeps every running pthread's worker referenced, and XNNPACK's pool threads run
 * (waiting) for good: a script that ends without process.exit would never exit. Unreferenced,
 * they end with the process.
 */
function letProcessExit(module: EmscriptenModule): void {
  const pthreads = (module as { PThread?: { runningWorkers?: Array<{ unref?: () => void }> } }).PThread;
  for (const worker of pthreads?.runningWorkers ?? []) worker.unref?.();
}

/**
 * Makes the 'wasm' backend run on `threads` threads. Call before the backend is first set
 * (before `initBackend`); one thread leaves tfjs's own single-threaded SIMD build in place.
 */
export function useWasmThreads(threads: number): void {
  assertThreadCount(threads);
  if (threads === 1) return;
  registerThreadedWasm(threads, () => loadThreadedModule(threads), letProcessExit);
}

/**
 * `initBackend` for Node commands: wasm (chosen, or by 'auto', which in Node is wasm) runs on
 * the threads `SPLITNN_WASM_THREADS` or the machine's cores give.
 */
export async function initNodeWasmBackend(preference: BackendPreference, threads: WasmThreads = wasmThreadsFromEnv()): Promise<BackendInfo> {
  // A backend already running keeps the threads it started with (tfjs cannot change them).
  const running = wasmBackendStarted();
  if (!running && (preference === 'wasm' || preference === 'auto')) useWasmThreads(threads.threads);
  const info = await initBackend(preference);
  if (info.name !== 'wasm') return info;
  return { ...info, reason: `${info.reason}; threads: ${running ? 'as the backend started with' : threads.source}` };
}
