import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { initNodeBackend } from './native_backend';

describe('initNodeBackend', () => {
  afterEach(() => {
    if (tf.findBackend('tensorflow')) tf.removeBackend('tensorflow');
  });

  it('falls back to wasm with the training kernels on this host, and says why', async () => {
    // @tensorflow/tfjs-node cannot be installed here (its binary is not on the npm registry).
    const info = await initNodeBackend();
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.reason).toMatch(/@tensorflow\/tfjs-node is not installed/);
    // The wasm backend can train a conv layer (the filter gradient is one of our kernels).
    const x = tf.randomNormal<tf.Rank.R4>([2, 6, 6, 1]);
    const filter = tf.randomNormal<tf.Rank.R4>([3, 3, 1, 2]);
    const grad = tf.grad((f: tf.Tensor) => tf.conv2d(x, f as tf.Tensor4D, 1, 'same').sum())(filter);
    expect(grad.shape).toEqual([3, 3, 1, 2]);
  });

  it("uses the native backend when the package registers one (stand-in: tfjs-node is not installable here)", async () => {
    // The only part of this path that can run here: a loader that registers a backend named
    // 'tensorflow' the way tfjs-node does (with the cpu backend's implementation).
    const info = await initNodeBackend({ load: () => {
      const cpu = tf.findBackendFactory('cpu');
      if (!cpu) return Promise.reject(new Error('no cpu backend'));
      tf.registerBackend('tensorflow', cpu, 0);
      return Promise.resolve({});
    } });
    expect(info.name).toBe('tensorflow');
    expect(tf.getBackend()).toBe('tensorflow');
  });

  it('says so when the package loads but registers no backend (a tfjs version mismatch)', async () => {
    const info = await initNodeBackend({ load: () => Promise.resolve({}) });
    expect(info.name).toBe('wasm');
    expect(info.reason).toMatch(/registered no 'tensorflow' backend/);
  });
});
