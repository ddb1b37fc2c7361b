import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../data/random';
import { useBackend } from '../testing/fixtures';
import { perturbCutGradients } from './gradient_noise';
import { LabelLeakTally } from './label_leakage';

beforeAll(() => useBackend('cpu'));

/** Cut gradients of an imbalanced binary task (p - y at the logits, lifted to 16 values): the rarer class's larger. */
function leakyBatch(rng: ReturnType<typeof createRng>): { gradients: tf.Tensor; labels: number[] } {
  const labels = Array.from({ length: 64 }, () => (rng.next() < 0.2 ? 1 : 0));
  const lift = tf.tensor2d(Array.from({ length: 2 * 16 }, (_, i) => Math.sin(i + 1)), [2, 16]);
  const logits = tf.tensor2d(labels.map(() => [1.5 + 0.3 * rng.normal(), 0.3 * rng.normal()]));
  const gradients = tf.tidy(() => tf.softmax(logits).sub(tf.oneHot(tf.tensor1d(labels, 'int32'), 2)).matMul(lift));
  tf.dispose([lift, logits]);
  return { gradients, labels };
}

function leakWith(defence: ((g: tf.Tensor) => tf.Tensor) | undefined): { norm: number; direction: number } {
  const rng = createRng(11);
  const tally = new LabelLeakTally(1);
  for (let batch = 0; batch < 10; batch++) {
    const { gradients, labels } = leakyBatch(rng);
    const sent = defence ? defence(gradients) : gradients;
    tally.add(sent.dataSync() as Float32Array, labels);
    tf.dispose([gradients, sent]);
  }
  return tally.result();
}

describe('gradient noise against label leakage', () => {
  it('max-norm alignment brings every sample to the largest norm in expectation, and the norm attack to chance', () => {
    const { gradients } = leakyBatch(createRng(3));
    const perturbed = perturbCutGradients(gradients, { kind: 'max-norm', scale: 1 }, 5);
    const norms = tf.tidy(() => perturbed.square().sum(1).sqrt());
    const values = Array.from(norms.dataSync());
    const largest = Math.max(...Array.from(tf.tidy(() => gradients.square().sum(1).sqrt()).dataSync()));
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
    expect(Math.abs(mean - largest) / largest).toBeLessThan(0.25);
    tf.dispose([gradients, perturbed, norms]);

    const none = leakWith(undefined);
    const aligned = leakWith((g) => perturbCutGradients(g, { kind: 'max-norm', scale: 1 }, 7));
    expect(none.norm).toBeGreaterThan(0.95);
    expect(aligned.norm).toBeLessThan(0.75);
  });

  it('isotropic Gaussian noise large enough hides the direction too; none leaves the gradients as they were', () => {
    const noisy = leakWith((g) => perturbCutGradients(g, { kind: 'gaussian', scale: 4 }, 9));
    expect(noisy.direction).toBeLessThan(0.8);
    expect(leakWith(undefined).direction).toBeGreaterThan(0.95);
    const { gradients } = leakyBatch(createRng(4));
    const untouched = perturbCutGradients(gradients, { kind: 'gaussian', scale: 0 });
    expect(Array.from(untouched.dataSync())).toEqual(Array.from(gradients.dataSync()));
    tf.dispose([gradients, untouched]);
  });
});
