// tfjs wasm on two threads in Node: really two (as XNNPACK's pool reports it), the same
// results as the cpu backend on the conv gradient grid and on a training step, and clear
// refusals. Vitest runs each file in its own process, so this file's wasm backend is the
// threaded one from the start.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeConvGradientGrid } from '../backends/kernels/conv_gradient_grid';
import { maxAbs, prepareBackends, randomTensor, relativeError, runKernelOn } from '../backends/kernels/kernel_test_support';
import { initBackend } from '../backends/select';
import { useWasmThreads, wasmThreadsFromEnv, WASM_THREADS_ENV } from './wasm_threads';

describe('wasm thread count', () => {
  it('defaults to two on a machine with two cores or more, one on a single core', () => {
    expect(wasmThreadsFromEnv({}, 2).threads).toBe(2);
    expect(wasmThreadsFromEnv({}, 16).threads).toBe(2);
    expect(wasmThreadsFromEnv({}, 1).threads).toBe(1);
  });
  it(`takes ${WASM_THREADS_ENV} and says so`, () => {
    expect(wasmThreadsFromEnv({ [WASM_THREADS_ENV]: '3' }, 2)).toEqual({ threads: 3, source: `${WASM_THREADS_ENV}=3` });
    expect(wasmThreadsFromEnv({ [WASM_THREADS_ENV]: ' ' }, 2).threads).toBe(2);
  });
  it.each(['0', '9', '1.5', 'two'])('refuses %s with what it accepts', (raw) => {
    expect(() => wasmThreadsFromEnv({ [WASM_THREADS_ENV]: raw }, 2)).toThrow(/whole number from 1 to 8/);
  });
});

describe('a Node script on threaded wasm', () => {
  it('exits by itself when its work is done (the pool threads do not hold the process)', () => {
    // A script file, not `node -e`: pthread workers inherit the parent's exec arguments.
    const dir = mkdtempSync(join(tmpdir(), 'wasm-threads-exit-'));
    const script = join(dir, 'script.mts');
    writeFileSync(
      script,
      `import * as tf from ${JSON.stringify(createRequire(import.meta.url).resolve('@tensorflow/tfjs'))};
      import { initNodeWasmBackend } from ${JSON.stringify(fileURLToPath(new URL('./wasm_threads.ts', import.meta.url)))};
      const info = await initNodeWasmBackend('wasm');
      tf.conv2d(tf.randomNormal([8, 14, 14, 32]), tf.randomNormal([3, 3, 32, 64]), 1, 'same').dataSync();
      console.log(info.reason);\n`,
    );
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, [WASM_THREADS_ENV]: '2' }, encoding: 'utf8', timeout: 90_000 });
      expect(run.stdout).toMatch(/SIMD, 2 thread\(s\)/);
      // Killed by the timeout (a process kept alive by its threads) would leave status null.
      expect(run.status, run.stderr.slice(-500)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('wasm backend on two threads', () => {
  beforeAll(async () => {
    useWasmThreads(2);
    const info = await initBackend('wasm');
    expect(info.reason).toMatch(/SIMD, 2 thread\(s\)/);
    await prepareBackends();
  });

  it('runs XNNPACK on a pool of two threads', () => {
    expect(getThreadsCount()).toBe(2);
  });

  it('refuses to change threads once the backend runs', () => {
    expect(() => useWasmThreads(2)).toThrow(/already running/);
  });

  describeConvGradientGrid();

  it('matches the cpu backend on cnn-small-sized filter and input gradients (big enough to be split between threads)', async () => {
    const inputs = { x: randomTensor([16, 14, 14, 32], 5), dy: randomTensor([16, 14, 14, 64], 6) };
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 32, 64] };
    const expected = await runKernelOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
    const actual = await runKernelOn('wasm', 'Conv2DBackpropFilter', inputs, attrs);
    expect(maxAbs(expected.values)).toBeGreaterThan(0);
    const { maxDiff, bound } = relativeError(actual, expected);
    expect(maxDiff).toBeLessThanOrEqual(bound);
  });

  it('trains a conv step to the same weights as the cpu backend', async () => {
    async function stepOn(backend: 'cpu' | 'wasm'): Promise<Float32Array[]> {
      await tf.setBackend(backend);
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
      const x = tf.tensor4d(randomTensor([32, 12, 12, 3], 7).values, [32, 12, 12, 3]);
      const labels = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 2), 'int32'), 2);
      const optimizer = tf.train.sgd(0.1);
      for (let i = 0; i < 3; i++) {
        optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x) as tf.Tensor));
      }
      const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
      tf.dispose([x, labels]);
      model.dispose();
      optimizer.dispose();
      return weights;
    }
    const cpu = await stepOn('cpu');
    const wasm = await stepOn('wasm');
    expect(wasm).toHaveLength(cpu.length);
    cpu.forEach((expected, i) => {
      const { maxDiff, bound } = relativeError({ shape: [expected.length], values: wasm[i] as Float32Array }, { shape: [expected.length], values: expected });
      expect(maxDiff).toBeLessThanOrEqual(bound * 10);
    });
  });
});
