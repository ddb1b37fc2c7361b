// Registering after tf.setBackend('wasm') (the order a worker that set its backend first
// would use): tfjs runs setup functions only at backend initialisation, so our kernels and
// the built-ins they wrap must bind lazily. Own file: vitest gives it a fresh process.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, wasmTrainingKernelsRegistered } from './register_kernels';

function convDenseLoss(x: tf.Tensor4D, filter: tf.Tensor4D, weights: tf.Tensor2D): tf.Scalar {
  const features = tf.maxPool(tf.relu(tf.conv2d(x, filter, 1, 'same')), 2, 2, 'valid');
  return tf.sum(tf.matMul(tf.reshape(features, [x.shape[0], -1]), weights));
}

async function gradientsOn(backend: string): Promise<Float32Array[]> {
  expect(await tf.setBackend(backend)).toBe(true);
  const x = tf.tensor4d(Array.from({ length: 2 * 6 * 6 * 2 }, (_, i) => Math.sin(i)), [2, 6, 6, 2]);
  const filter = tf.tensor4d(Array.from({ length: 3 * 3 * 2 * 3 }, (_, i) => Math.cos(i)), [3, 3, 2, 3]);
  const weights = tf.tensor2d(Array.from({ length: 27 * 4 }, (_, i) => Math.sin(3 * i)), [27, 4]);
  const grads = tf.grads((f: tf.Tensor, w: tf.Tensor) => convDenseLoss(x, f as tf.Tensor4D, w as tf.Tensor2D))([filter, weights]);
  const values = grads.map((g) => Float32Array.from(g.dataSync()));
  tf.dispose([x, filter, weights, ...grads]);
  return values;
}

describe('registerWasmTrainingKernels after the wasm backend is initialised', () => {
  it('binds lazily and trains like the cpu backend', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    await tf.ready();
    registerWasmTrainingKernels();
    expect(wasmTrainingKernelsRegistered()).toBe(true);

    const wasm = await gradientsOn('wasm');
    const cpu = await gradientsOn('cpu');
    cpu.forEach((expected, i) => {
      const actual = wasm[i] as Float32Array;
      const scale = Math.max(...expected.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      const maxDiff = Math.max(...actual.map((v, j) => Math.abs(v - (expected[j] as number))));
      expect(maxDiff).toBeLessThanOrEqual(1e-4 * scale);
    });
  });
});
