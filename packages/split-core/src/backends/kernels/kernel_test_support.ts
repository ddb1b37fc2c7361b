// Shared by the kernel tests: run one kernel on a named backend with fixed inputs, and
// compare results with a tolerance relative to their magnitude. Test-only (not exported
// from the package).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRng } from '../../data/random';
import { registerWasmTrainingKernels } from '../register_kernels';

export interface HostTensor {
  readonly shape: number[];
  readonly values: Float32Array;
}

export async function prepareBackends(): Promise<void> {
  registerWasmTrainingKernels();
  for (const name of ['cpu', 'wasm']) {
    if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
    await tf.ready();
  }
}

export function randomTensor(shape: number[], seed: number): HostTensor {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.normal();
  return { shape, values };
}

export async function runKernelOn(
  backendName: 'cpu' | 'wasm',
  kernelName: string,
  inputs: Record<string, HostTensor>,
  attrs: object,
): Promise<HostTensor> {
  if (!(await tf.setBackend(backendName))) throw new Error(`cannot switch to ${backendName}`);
  const tensors: tf.NamedTensorMap = {};
  for (const [name, t] of Object.entries(inputs)) tensors[name] = tf.tensor(t.values, t.shape, 'float32');
  // Intermediates made inside a kernel are invisible to tf.memory(): count backend data.
  const dataIdsBefore = tf.backend().numDataIds();
  const result = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap);
  if (Array.isArray(result)) throw new Error('expected a single output');
  const output = result;
  const values = output.dataSync();
  const shape = output.shape.slice();
  output.dispose();
  const leaked = tf.backend().numDataIds() - dataIdsBefore;
  if (leaked !== 0) throw new Error(`${kernelName} on ${backendName} leaked ${leaked} buffers`);
  for (const t of Object.values(tensors)) t.dispose();
  return { shape, values: Float32Array.from(values) };
}

export function maxAbs(values: Float32Array): number {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return m;
}

/** Largest |actual - expected|, and the bound it must stay under (relative to magnitude). */
export function relativeError(actual: HostTensor, expected: HostTensor): { maxDiff: number; bound: number } {
  let maxDiff = 0;
  for (let i = 0; i < expected.values.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs((actual.values[i] as number) - (expected.values[i] as number)));
    if (Number.isNaN(actual.values[i])) maxDiff = Number.POSITIVE_INFINITY;
  }
  return { maxDiff, bound: 1e-4 * Math.max(maxAbs(expected.values), 1e-6) };
}
