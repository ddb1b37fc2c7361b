// tfjs wasm on several threads in Node. tfjs-backend-wasm ships a threaded SIMD build (XNNPACK
// on a pthreadpool of Emscripten pthreads, which in Node are worker_threads) but never picks it
// in Node (its WASM_HAS_MULTITHREAD_SUPPORT flag is false there: tensorflow/tfjs#3830). Three
// things stand in the way, all handled here without touching node_modules:
// - its loader hands the pthread script to `new Worker` as a blob: URL, which Node cannot run,
//   so the script (shipped as a string) is written to a file;
// - its C side caps the pool at half the logical cores (it assumes hyper-threads), so on a
//   2-core host it would take one thread: the core count it is told is doubled;
// - Emscripten starts 8 pthread workers up front (~20 MB and ~100 ms each); the copy of the
//   loader we run starts as many as the pool needs.
// The backend is still tfjs-backend-wasm's own BackendWasm, so every built-in kernel and ours
// run unchanged; only the XNNPACK operators (convolutions, matmuls) use the extra threads.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { initBackend, type BackendInfo, type BackendPreference } from '../backends/select';

const require = createRequire(import.meta.url);

/** The environment variable that sets the wasm thread count of every Node command and the relay. */
export const WASM_THREADS_ENV = 'SPLITNN_WASM_THREADS';
/** Past two, XNNPACK's gains on these models flatten while each thread costs a worker. */
const DEFAULT_MAX_THREADS = 2;
/** tfjs's C side refuses more (it was built with this many pthreads at most). */
const MAX_THREADS = 8;
/** tfjs-backend-wasm's priority for 'wasm', kept so the registry behaves as before. */
const WASM_PRIORITY = 2;

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
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
      throw new Error(`${WASM_THREADS_ENV} must be a whole number from 1 to ${MAX_THREADS}, got '${raw}'`);
    }
    return { threads, source: `${WASM_THREADS_ENV}=${threads}` };
  }
  const threads = Math.max(1, Math.min(DEFAULT_MAX_THREADS, cores));
  return { threads, source: `default for ${cores} core(s)` };
}

interface EmscriptenModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): unknown;
  tfjs?: unknown;
}
type EmscriptenFactory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;
interface InstantiateInfo {
  env: Record<string, unknown>;
}
type ReceiveInstance = (instance: WebAssembly.Instance, module: WebAssembly.Module) => void;

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
    instantiateWasm(info: InstantiateInfo, receive: ReceiveInstance) {
      // tfjs sizes its pool as min(asked, logical cores / 2): report enough cores for `threads`.
      info.env.emscripten_num_logical_cores = () => 2 * threads;
      WebAssembly.instantiate(readFileSync(files.wasm), info as unknown as WebAssembly.Imports).then(
        ({ instance, module: compiled }) => receive(instance, compiled),
        failInstantiation,
      );
      return {};
    },
  });
  const module = await Promise.race([loading, instantiationFailed]);
  // The bridge tfjs-backend-wasm's own init() attaches; BackendWasm calls it.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

/** Whether the wasm backend has been started in this process (not tf.findBackend: that would start it). */
function wasmBackendStarted(): boolean {
  return 'wasm' in tf.engine().registry;
}

/**
 * Makes the 'wasm' backend run on `threads` threads. Call before the backend is first set
 * (before `initBackend`); one thread leaves tfjs's own single-threaded SIMD build in place.
 */
export function useWasmThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new Error(`wasm threads must be a whole number from 1 to ${MAX_THREADS}, got ${threads}`);
  }
  if (threads === 1) return;
  if (wasmBackendStarted()) {
    throw new Error('The wasm backend is already running; choose its threads before the backend is first set');
  }
  setThreadsCount(threads);
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => new BackendWasm((await loadThreadedModule(threads)) as unknown as ConstructorParameters<typeof BackendWasm>[0]),
    WASM_PRIORITY,
  );
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
