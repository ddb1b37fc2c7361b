import * as tf from '@tensorflow/tfjs';
import { augmentBatch } from '../augmentation/augment_batch';
import type { Augmentation } from '../augmentation/augmentation';
import { augmentationRng } from '../augmentation/augmentation_seed';
import { batchToTensors } from '../data/batches';
import type { Sample } from '../data/dataset';
import type { NamedWeight } from '../model/weights';
import { trainingBatches, type BatchOrderKey } from '../runtime/batch_order';
import { runEpochLoop, type EpochHooks } from '../runtime/epoch_loop';
import type { EpochTally } from '../runtime/tally';
import { applyWeightGradients, infer, lossStep, weightGradients, type Segment } from '../segment/segment';

// A baseline client's epoch over its own data with the whole model: the one loop the
// simulator's baselines, the Node client and the browser's training worker run. Federated
// averaging trains locally; large-batch SGD sends each step's gradients out and applies the
// average that comes back; evaluation scores locally and reports only metrics.

/**
 * A federated-averaging client's training batches for one round: its local epochs' passes
 * one after another, each keyed by the pass (round x E + e) so the order is the same
 * wherever it runs, each capped at `maxSteps` like a split learning round.
 */
export function localTrainingBatches<T>(samples: readonly T[], batchSize: number, key: BatchOrderKey, localEpochs = 1, maxSteps?: number): T[][] {
  return Array.from({ length: localEpochs }, (_, pass) => trainingBatches(samples, batchSize, { ...key, round: key.round * localEpochs + pass }).slice(0, maxSteps)).flat();
}

/**
 * Sends one step's gradients (of the batch's mean loss over `samples` samples; none and 0
 * once the client's batches ran out) and resolves to the average every client applies (none
 * when nobody had a batch).
 */
export type GradientExchange = (step: number, samples: number, gradients: NamedWeight[]) => Promise<readonly NamedWeight[]>;

export interface WholeModelEpoch {
  /** The whole model, as the client's one segment. */
  segment: Segment;
  phase: 'train' | 'eval';
  /** Whose epoch this is (study seed, client, round): the round's learning rate, the augmentation's seed. */
  key: BatchOrderKey;
  /** The study's augmentation of training images (absent: none). */
  augmentation?: Augmentation;
  /** The epoch's batches; cycled when asked for more steps, except with an exchange, where the client then only applies the others' average. */
  batches: readonly (readonly Sample[])[];
  steps: number;
  sampleShape: readonly number[];
  numClasses: number;
  /** Large-batch SGD: where each training step's gradients go instead of the local optimizer. */
  exchange?: GradientExchange;
  hooks?: EpochHooks;
}

export function runWholeModelEpoch(epoch: WholeModelEpoch): Promise<EpochTally> {
  const { segment, phase, batches, sampleShape, numClasses, exchange, key } = epoch;
  if (batches.length === 0 && epoch.steps > 0) return Promise.reject(new Error(`no ${phase === 'train' ? 'training' : 'validation'} samples on this client`));
  if (phase === 'train') segment.optimizer.enterRound(key.round);
  const augmentation = phase === 'train' && sampleShape.length === 3 ? epoch.augmentation : undefined;
  return runEpochLoop(
    epoch.steps,
    async (step) => {
      if (exchange && step >= batches.length) {
        applyAverage(segment, await exchange(step, 0, []));
        return { samples: 0 };
      }
      const batch = batches[step % batches.length] as readonly Sample[];
      const tensors = batchToTensors(batch, sampleShape, numClasses);
      if (augmentation) {
        const plain = tensors.x;
        tensors.x = augmentBatch(plain, augmentation, augmentationRng(key, step));
        plain.dispose();
      }
      const samples = batch.length;
      try {
        if (phase === 'eval') return { probabilities: tf.tidy(() => tf.softmax(infer(segment, tensors.x))), labels: tensors.labels.clone(), samples };
        if (!exchange) {
          const { loss, correct } = lossStep(segment, tensors.x, tensors.labels, false);
          return { loss, correct, samples };
        }
        const { loss, correct, gradients } = weightGradients(segment, tensors.x, tensors.labels);
        applyAverage(segment, await exchange(step, samples, gradients));
        return { loss, correct, samples };
      } finally {
        tf.dispose([tensors.x, tensors.labels]);
      }
    },
    epoch.hooks,
  );
}

function applyAverage(segment: Segment, average: readonly NamedWeight[]): void {
  if (average.length > 0) applyWeightGradients(segment, average);
}
