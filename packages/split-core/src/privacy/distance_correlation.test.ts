import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../data/random';
import { useBackend } from '../testing/fixtures';
import { distanceCorrelation } from './distance_correlation';

beforeAll(() => useBackend('cpu'));

/** The textbook O(n^2) computation, pair by pair, in doubles. */
function reference(x: number[][], z: number[][]): number {
  const n = x.length;
  const distances = (rows: number[][]): number[][] => rows.map((a) => rows.map((b) => Math.sqrt(a.reduce((sum, v, k) => sum + (v - (b[k] as number)) ** 2, 0))));
  const centre = (d: number[][]): number[][] => {
    const rowMean = d.map((row) => row.reduce((s, v) => s + v, 0) / n);
    const colMean = d[0]?.map((_, j) => d.reduce((s, row) => s + (row[j] as number), 0) / n) ?? [];
    const grand = rowMean.reduce((s, v) => s + v, 0) / n;
    return d.map((row, i) => row.map((v, j) => v - (rowMean[i] as number) - (colMean[j] as number) + grand));
  };
  const a = centre(distances(x));
  const b = centre(distances(z));
  const mean = (p: number[][], q: number[][]): number => p.reduce((s, row, i) => s + row.reduce((t, v, j) => t + v * (q[i]?.[j] as number), 0), 0) / (n * n);
  const dcov = mean(a, b);
  const denominator = Math.sqrt(mean(a, a) * mean(b, b));
  return denominator === 0 ? 0 : Math.sqrt(Math.max(0, dcov / denominator));
}

function gaussian(n: number, dims: number, seed: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Array.from({ length: dims }, () => rng.normal()));
}

function dcor(x: number[][], z: number[][]): number {
  const score = distanceCorrelation(tf.tensor2d(x), tf.tensor2d(z));
  const value = score.dataSync()[0] as number;
  score.dispose();
  return value;
}

describe('distanceCorrelation', () => {
  it('matches the pair-by-pair reference on small batches', () => {
    for (const seed of [1, 2, 3]) {
      const x = gaussian(12, 5, seed);
      const z = x.map((row, i) => [Math.tanh((row[0] as number) * (row[1] as number)), (row[2] as number) ** 2 + 0.1 * i]);
      expect(dcor(x, z)).toBeCloseTo(reference(x, z), 4);
    }
  });

  it('is 1 for a similarity transform (rotation, scaling, shift) and near 0 for independent batches', () => {
    const x = gaussian(64, 2, 7);
    const angle = 0.7;
    const z = x.map(([a = 0, b = 0]) => [3 * (Math.cos(angle) * a - Math.sin(angle) * b) + 5, 3 * (Math.sin(angle) * a + Math.cos(angle) * b) - 2]);
    expect(dcor(x, z)).toBeCloseTo(1, 4);
    const independent = dcor(gaussian(400, 3, 8), gaussian(400, 3, 9));
    // The sample statistic is biased upwards (about 1/sqrt(n) here): small, not zero.
    expect(independent).toBeLessThan(0.2);
    expect(independent).toBeCloseTo(reference(gaussian(400, 3, 8), gaussian(400, 3, 9)), 4);
  });

  it('takes images and activations of any rank, flattening each sample, and has a finite gradient', () => {
    const x = tf.randomNormal([8, 4, 4, 1], 0, 1, 'float32', 3);
    const w = tf.variable(tf.randomNormal([16, 6], 0, 1, 'float32', 4));
    const grads = tf.variableGrads(() => distanceCorrelation(x, x.reshape([8, 16]).matMul(w).relu()), [w]);
    const value = grads.value.dataSync()[0] as number;
    expect(value).toBeGreaterThan(0.3);
    expect(value).toBeLessThanOrEqual(1);
    expect(Array.from(grads.grads[w.name]?.dataSync() ?? []).every(Number.isFinite)).toBe(true);
    tf.dispose([x, w, grads.value, ...Object.values(grads.grads)]);
  });
});
