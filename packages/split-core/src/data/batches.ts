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
  /** [batch] int32 class indices; [batch, tasks] for a multi-task batch, the first task in column 0. */
  labels: tf.Tensor;
}

/**
 * Packs a batch into one float32 buffer and hands it to tfjs once: per-sample tensors
 * would cost a backend upload each. The caller owns (and must dispose) both tensors.
 * `taskClasses` (multi-task) gives every task's class count, the first task's being
 * `numClasses`; the labels are then [batch, tasks].
 */
export function batchToTensors(batch: readonly Sample[], sampleShape: readonly number[], numClasses: number, taskClasses?: readonly number[]): BatchTensors {
  if (batch.length === 0) throw new Error('Cannot make tensors from an empty batch.');
  const sampleSize = sampleShape.reduce((product, dim) => product * dim, 1);
  const values = new Float32Array(batch.length * sampleSize);
  const further = taskClasses ? taskClasses.slice(1) : [];
  const width = 1 + further.length;
  const labels = new Int32Array(batch.length * width);
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
    labels[i * width] = sample.label;
    if (further.length === 0) return;
    if (sample.tasks?.length !== further.length) throw new Error(`Sample ${sample.id} has labels for ${1 + (sample.tasks?.length ?? 0)} task(s), the study has ${width}.`);
    further.forEach((classes, task) => {
      const label = sample.tasks?.[task] ?? -1;
      if (!Number.isInteger(label) || label < 0 || label >= classes) throw new Error(`Sample ${sample.id} has label ${label} for task ${task + 1}, outside [0, ${classes}).`);
      labels[i * width + 1 + task] = label;
    });
  });
  return {
    x: tf.tensor(values, [batch.length, ...sampleShape], 'float32'),
    labels: further.length === 0 ? tf.tensor1d(labels, 'int32') : tf.tensor2d(labels, [batch.length, width], 'int32'),
  };
}
