import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../testing/fixtures';
import { noisyActivations, protectActivations } from './activation_noise';

beforeAll(() => useBackend('cpu'));

function rowNorms(tensor: tf.Tensor): number[] {
  return tf.tidy(() => Array.from(tensor.reshape([tensor.shape[0] ?? 0, -1]).square().sum(1).sqrt().dataSync()));
}

describe('activation noise', () => {
  it('clips each sample to the norm bound, leaving smaller ones and every direction alone', () => {
    const activations = tf.tensor4d([3, 4, 0, 0, 0.3, 0.4, 0, 0], [2, 2, 2, 1]);
    const clipped = noisyActivations(activations, { clip: 1, sigma: 0 });
    expect(rowNorms(clipped).map((n) => Number(n.toFixed(5)))).toEqual([1, 0.5]);
    expect(Array.from(clipped.dataSync()).map((v) => Number(v.toFixed(5)))).toEqual([0.6, 0.8, 0, 0, 0.3, 0.4, 0, 0]);
    expect(clipped.shape).toEqual(activations.shape);
    tf.dispose([activations, clipped]);
  });

  it('adds noise of the given standard deviation after clipping; no setting sends the activations as they are', () => {
    const activations = tf.zeros([64, 100]);
    const noisy = noisyActivations(activations, { clip: 1, sigma: 0.5 }, 3);
    const values = Array.from(noisy.dataSync());
    const sd = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0) / values.length);
    expect(sd).toBeGreaterThan(0.45);
    expect(sd).toBeLessThan(0.55);
    expect(protectActivations(activations, undefined)).toBe(activations);
    tf.dispose([activations, noisy]);
  });
});
