import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendInfo } from '../backends/select';

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

export async function initNodeBackend(load: Loader = importOptional): Promise<NodeBackendInfo> {
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
  const wasm = await initBackend('wasm');
  return { ...wasm, reason: `${missing}; ${wasm.reason}` };
}
