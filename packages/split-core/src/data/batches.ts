// Epoch batching and the one place samples become tensors. Batches are a pure function of
// the samples and the rng, so a client that rejoins can be replayed to the same step.

import * as tf from '@tensorflow/tfjs';
import type { Rng } from './random';
import { shuffled } from './random';
import type { Sample } from './dataset';

/** One epoch: a seeded shuffle cut into batches of `batchSize`; the last, partial batch is kept. */
export function epochBatches<T>(samples: readonly T[], batchSize: number, rng: Rng): T[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`Batch size must be a positive integer, got ${batchSize}.`);
  }
  const order = shuffled(samples, rng);
  const batches: T[][] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    batches.push(order.slice(start, start + batchSize));
  }
  return batches;
}

export interface BatchTensors {
  /** [batch, ...sampleShape], float32. */
  x: tf.Tensor;
  /** [batch], int32 class indices. */
  labels: tf.Tensor1D;
}

/**
 * Packs a batch into one float32 buffer and hands it to tfjs once: per-sample tensors
 * would cost a backend upload each. The caller owns (and must dispose) both tensors.
 */
export function batchToTensors(batch: readonly Sample[], sampleShape: readonly number[], numClasses: number): BatchTensors {
  if (batch.length === 0) throw new Error('Cannot make tensors from an empty batch.');
  const sampleSize = sampleShape.reduce((product, dim) => product * dim, 1);
  const values = new Float32Array(batch.length * sampleSize);
  const labels = new Int32Array(batch.length);
  batch.forEach((sample, i) => {
    if (sample.values.length !== sampleSize) {
      throw new Error(
        `Sample ${sample.id} has ${sample.values.length} values, expected ${sampleSize} for shape [${sampleShape.join(', ')}].`,
      );
    }
    if (!Number.isInteger(sample.label) || sample.label < 0 || sample.label >= numClasses) {
      throw new Error(`Sample ${sample.id} has label ${sample.label}, outside [0, ${numClasses}).`);
    }
    values.set(sample.values, i * sampleSize);
    labels[i] = sample.label;
  });
  return {
    x: tf.tensor(values, [batch.length, ...sampleShape], 'float32'),
    labels: tf.tensor1d(labels, 'int32'),
  };
}
