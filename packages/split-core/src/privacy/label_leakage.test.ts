import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../data/random';
import { useBackend } from '../testing/fixtures';
import { batchLeakScores, LabelLeakTally } from './label_leakage';

beforeAll(() => useBackend('cpu'));

describe('label leakage from cut gradients', () => {
  it('scores a batch: each sample\'s gradient norm, and its cosine with the first positive\'s', () => {
    const gradients = Float32Array.of(3, 4, 0, 1, -6, -8, 0, 0);
    const { norms, cosines } = batchLeakScores(gradients, 4, [0, 1, 0, 1], 1);
    expect(norms).toEqual([5, 1, 10, 0]);
    // The reference is sample 1 ([0, 1]); it is not scored against itself; a zero gradient scores 0.
    expect(cosines).toEqual([0.8, undefined, -0.8, 0]);
  });

  it('finds the labels in the cut gradients of an imbalanced binary task trained with softmax cross-entropy', () => {
    // Gradients at the logits of a fixed model, p - y: the rarer class's are larger and point the other way.
    const rng = createRng(4);
    const tally = new LabelLeakTally(1);
    for (let batch = 0; batch < 8; batch++) {
      const labels = Array.from({ length: 32 }, () => (rng.next() < 0.2 ? 1 : 0));
      const logits = tf.tensor2d(labels.map(() => [1.5 + 0.3 * rng.normal(), 0.3 * rng.normal()]));
      const gradient = tf.tidy(() => tf.softmax(logits).sub(tf.oneHot(tf.tensor1d(labels, 'int32'), 2)).div(32));
      tally.add(gradient.dataSync() as Float32Array, labels);
      tf.dispose([logits, gradient]);
    }
    const leak = tally.result();
    expect(leak.samples).toBe(256);
    expect(leak.norm).toBeGreaterThan(0.95);
    expect(leak.direction).toBeGreaterThan(0.95);
  });

  it('finds nothing in gradients independent of the labels, and says NaN where a class never appears', () => {
    const rng = createRng(5);
    const tally = new LabelLeakTally(1);
    for (let batch = 0; batch < 16; batch++) {
      const labels = Array.from({ length: 32 }, () => (rng.next() < 0.3 ? 1 : 0));
      tally.add(Float32Array.from({ length: 32 * 8 }, () => rng.normal()), labels);
    }
    const leak = tally.result();
    expect(leak.norm).toBeLessThan(0.6);
    expect(leak.direction).toBeLessThan(0.6);
    const oneClass = new LabelLeakTally(1);
    oneClass.add(Float32Array.of(1, 2, 3, 4), [0, 0]);
    expect(Number.isNaN(oneClass.result().norm)).toBe(true);
  });
});
