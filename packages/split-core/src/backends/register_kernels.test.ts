// Whole-model checks of the wasm training kernels: registration before the backend
// exists, idempotence, gradients of a small conv net equal to the cpu backend's, and no
// memory growth over 100 training steps.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRng } from '../data/random';
import { registerWasmTrainingKernels, wasmTrainingKernelConfigs, wasmTrainingKernelsRegistered } from './register_kernels';

/** Same architecture and same weights on every backend (layer initialisers are unseeded). */
function smallConvNet(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [9, 9, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'valid' }),
      tf.layers.conv2d({ filters: 3, kernelSize: 2, strides: 2, padding: 'same' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2 }),
    ],
  });
  const rng = createRng(9);
  const weights = model.getWeights().map((w) => tf.tensor(Array.from({ length: w.size }, () => 0.4 * rng.normal()), w.shape));
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

function batchOf(size: number): { images: tf.Tensor; labels: tf.Tensor } {
  const images = tf.randomNormal([size, 9, 9, 2], 0, 1, 'float32', 5);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: size }, (_, i) => i % 2), 'int32'), 2);
  return { images, labels };
}

/** Gradients of every trainable weight, as plain arrays, on the current backend. */
function gradientsOf(model: tf.Sequential, images: tf.Tensor, labels: tf.Tensor): Map<string, Float32Array> {
  const { value, grads } = tf.variableGrads(() =>
    tf.losses.softmaxCrossEntropy(labels, model.apply(images, { training: true }) as tf.Tensor),
  );
  const result = new Map<string, Float32Array>();
  for (const [name, grad] of Object.entries(grads)) result.set(name, Float32Array.from(grad.dataSync()));
  tf.dispose([value, ...Object.values(grads)]);
  return result;
}

describe('registerWasmTrainingKernels', () => {
  afterEach(() => vi.restoreAllMocks());

  it('can run before the wasm backend is initialised, and is idempotent', async () => {
    const warn = vi.spyOn(console, 'warn');
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    expect(wasmTrainingKernelsRegistered()).toBe(true);
    for (const config of wasmTrainingKernelConfigs) {
      expect(tf.getKernel(config.kernelName, 'wasm')?.kernelFunc).toBe(config.kernelFunc);
    }
    expect(warn).not.toHaveBeenCalledWith(expect.stringContaining('already registered'));

    // Kernels registered before the backend exists bind lazily: a training step works.
    expect(await tf.setBackend('wasm')).toBe(true);
    const model = smallConvNet();
    const { images, labels } = batchOf(3);
    const grads = gradientsOf(model, images, labels);
    expect(grads.size).toBe(model.trainableWeights.length);
    tf.dispose([images, labels]);
    model.dispose();
  });

  it('gives the same gradients as the cpu backend for a conv / pool / depthwise / dense net', async () => {
    registerWasmTrainingKernels();
    const perBackend = new Map<string, Map<string, Float32Array>>();
    for (const backend of ['cpu', 'wasm']) {
      expect(await tf.setBackend(backend)).toBe(true);
      const model = smallConvNet();
      const { images, labels } = batchOf(4);
      perBackend.set(backend, gradientsOf(model, images, labels));
      tf.dispose([images, labels]);
      model.dispose();
    }
    const cpu = perBackend.get('cpu');
    const wasm = perBackend.get('wasm');
    if (cpu === undefined || wasm === undefined) throw new Error('missing results');
    expect([...wasm.keys()].length).toBe([...cpu.keys()].length);
    // Variable names carry a global counter, so match weights by position.
    const cpuGrads = [...cpu.values()];
    const wasmGrads = [...wasm.values()];
    cpuGrads.forEach((expected, i) => {
      const actual = wasmGrads[i] as Float32Array;
      const scale = Math.max(...expected.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      const maxDiff = Math.max(...actual.map((v, j) => Math.abs(v - (expected[j] as number))));
      expect(maxDiff).toBeLessThanOrEqual(1e-4 * scale);
    });
  });

  it('keeps tensor count and wasm buffers flat across 100 training steps', async () => {
    registerWasmTrainingKernels();
    expect(await tf.setBackend('wasm')).toBe(true);
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2 }),
      ],
    });
    const optimizer = tf.train.sgd(0.05);
    const images = tf.randomNormal([4, 8, 8, 1], 0, 1, 'float32', 6);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
    const step = (): number => {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(labels, model.apply(images, { training: true }) as tf.Tensor),
        true,
      );
      const value = loss?.dataSync()[0] ?? Number.NaN;
      loss?.dispose();
      return value;
    };

    const firstLoss = step(); // creates the optimizer's state once
    const tensorsBefore = tf.memory().numTensors;
    const buffersBefore = tf.backend().numDataIds();
    let lastLoss = firstLoss;
    for (let i = 0; i < 100; i++) lastLoss = step();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.backend().numDataIds()).toBe(buffersBefore);
    // The steps did train: the loss on this fixed batch went down.
    expect(lastLoss).toBeLessThan(firstLoss);

    tf.dispose([images, labels]);
    optimizer.dispose();
    model.dispose();
  });
});
