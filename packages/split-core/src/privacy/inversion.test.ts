import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../data/random';
import { useBackend } from '../testing/fixtures';
import { invert, trainInversion } from './inversion';

// The inversion check's attacker: from activations that keep the images' layout (a pooled
// copy) it rebuilds images it never saw; from activations independent of the images it
// cannot, whatever it trains on.

beforeAll(() => useBackend('wasm'));

const SIZE = 16;

/** Bright blobs at random places on a dark field, in [0, 1]. */
function blobs(count: number, seed: number): tf.Tensor4D {
  const rng = createRng(seed);
  const values = new Float32Array(count * SIZE * SIZE);
  for (let n = 0; n < count; n++) {
    const cy = 3 + rng.next() * (SIZE - 6);
    const cx = 3 + rng.next() * (SIZE - 6);
    const radius = 1.5 + rng.next() * 2.5;
    for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) values[n * SIZE * SIZE + y * SIZE + x] = Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * radius * radius));
  }
  return tf.tensor4d(values, [count, SIZE, SIZE, 1]);
}

async function attack(reveal: (images: tf.Tensor4D, seed: number) => tf.Tensor): Promise<number> {
  const held = blobs(160, 1);
  const seen = blobs(40, 2);
  const pairs = reveal(held, 3);
  const observed = reveal(seen, 4);
  const decoder = await trainInversion(pairs, held, { seed: 5, epochs: 30 });
  const { ssim, reconstructions } = invert(decoder, observed, seen);
  expect(reconstructions.shape).toEqual(seen.shape);
  tf.dispose([held, seen, pairs, observed, reconstructions]);
  decoder.dispose();
  return ssim;
}

describe('inversion attack', () => {
  it('rebuilds images from activations that keep them, and not from activations independent of them', { timeout: 180_000 }, async () => {
    const pooled = await attack((images) => tf.avgPool(images, 2, 2, 'valid').tile([1, 1, 1, 4]));
    const independent = await attack((images, seed) => tf.randomNormal([images.shape[0], SIZE / 2, SIZE / 2, 4], 0, 1, 'float32', seed));
    expect(pooled).toBeGreaterThan(0.6);
    expect(independent).toBeLessThan(pooled - 0.3);
  });

  it('refuses pairs that disagree', async () => {
    const images = blobs(4, 1);
    const activations = tf.zeros([3, 8, 8, 1]);
    await expect(trainInversion(activations, images, { seed: 1 })).rejects.toThrow(/3 activations, 4 images/);
    tf.dispose([images, activations]);
  });
});
