import * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from '../backends/select';
import { initNodeWasmBackend, wasmThreadsFromEnv, type WasmThreads } from './wasm_threads';

// Server segments on a Node host: TensorFlow's native library through @tensorflow/tfjs-node
// when the host has it installed (it is an optional, host-level install: its binary comes
// from outside the npm registry, so the project cannot depend on it), otherwise tfjs wasm
// with split-core's training kernels. tfjs-node must match the pinned tfjs version (4.22.0),
// or it would register its backend with a second copy of tfjs-core.

const NATIVE_PACKAGE = '@tensorflow/tfjs-node';

/** Loads a module by a name the type checker and bundlers do not try to resolve. */
type Loader = (specifier: string) => Promise<unknown>;
const importOptional: Loader = (specifier) => import(specifier);

export interface NodeBackendInfo extends Omit<BackendInfo, 'name'> {
  readonly name: BackendInfo['name'] | 'tensorflow';
}

export interface NodeBackendOptions {
  /** How the optional native package is loaded (tests stand in for it). */
  readonly load?: Loader;
  /** Threads for the wasm fallback; `SPLITNN_WASM_THREADS` or the machine's cores by default. */
  readonly threads?: WasmThreads;
}

export async function initNodeBackend(options: NodeBackendOptions = {}): Promise<NodeBackendInfo> {
  const { load = importOptional, threads = wasmThreadsFromEnv() } = options;
  let missing: string;
  try {
    await load(NATIVE_PACKAGE);
    if (tf.findBackend('tensorflow') && (await tf.setBackend('tensorflow'))) {
      await tf.ready();
      return { name: 'tensorflow', software: true, reason: `${NATIVE_PACKAGE} is installed: native TensorFlow` };
    }
    missing = `${NATIVE_PACKAGE} loaded but registered no 'tensorflow' backend with this tfjs (${tf.version_core}); is it version ${tf.version_core}?`;
  } catch (error) {
    missing = `${NATIVE_PACKAGE} is not installed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
  const wasm = await initNodeWasmBackend('wasm', threads);
  return { ...wasm, reason: `${missing}; ${wasm.reason}` };
}
