import { epochBatches } from '../data/batches';
import { createRng, deriveSeed } from '../data/random';

/** Whose epoch it is: the study's seed, the training group (a client, or a vertical group) and the round. */
export interface BatchOrderKey {
  seed: number;
  group: string;
  round: number;
}

/**
 * The batches of one training epoch: the one batch-order rule, in process and over the
 * network. Seeded by the study seed, the group and the round, so an epoch can be replayed;
 * the parties of a vertical group hold their rows in one shared order and draw the same
 * permutation, so their batches line up row for row.
 */
export function trainingBatches<T>(samples: readonly T[], batchSize: number, key: BatchOrderKey): T[][] {
  return epochBatches(samples, batchSize, createRng(deriveSeed(key.seed, 'batches', key.group, key.round)));
}

/** Evaluation batches: the samples in order, so every role scores the same rows in the same batches. */
export function evaluationBatches<T>(samples: readonly T[], batchSize: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < samples.length; start += batchSize) batches.push(samples.slice(start, start + batchSize));
  return batches;
}

/** An epoch's batches in its phase: the seeded training order, or evaluation's in-order batches. */
export function phaseBatches<T>(phase: 'train' | 'eval', samples: readonly T[], batchSize: number, key: BatchOrderKey): T[][] {
  return phase === 'train' ? trainingBatches(samples, batchSize, key) : evaluationBatches(samples, batchSize);
}

/** Steps a client with `sampleCount` samples takes in one round (the relay and the client agree on it). */
export function stepsPerRound(sampleCount: number, batchSize: number, maxSteps?: number): number {
  const steps = Math.ceil(sampleCount / batchSize);
  return maxSteps === undefined ? steps : Math.min(steps, maxSteps);
}
