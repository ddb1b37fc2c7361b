import * as tf from '@tensorflow/tfjs';
import { augmentBatch } from '../augmentation/augment_batch';
import { augmentationRng } from '../augmentation/augmentation_seed';
import { batchToTensors } from '../data/batches';
import type { Sample } from '../data/dataset';
import { enterRound, type ClientRole } from '../segment/roles';
import type { BatchOrderKey } from './batch_order';
import type { Link } from '../topology/link';
import type { Topology } from '../topology/topology';
import { runEpochLoop, type EpochHooks } from './epoch_loop';
import type { EpochTally } from './tally';

export interface ClientEpoch {
  topology: Topology;
  role: ClientRole;
  /** This client's link to the server for the whole epoch. */
  link: Link;
  phase: 'train' | 'eval';
  /** Whose epoch this is (the study's seed, the group, the round): it sets the round's learning rate and seeds the augmentation. */
  key: BatchOrderKey;
  /** The epoch's batches (runtime/batch_order.ts); cycled when the server asks for more steps. */
  batches: readonly (readonly Sample[])[];
  steps: number;
  sampleShape: readonly number[];
  numClasses: number;
  /** Multi-task: every task's class count (the batches carry one label per task). */
  taskClasses?: readonly number[];
  /** A vertical party without the labels sends none (its batches carry none). */
  holdsLabels?: boolean;
  hooks?: EpochHooks;
}

/**
 * One epoch of a client's steps against the server, through its link. Training steps run at
 * the round's learning rate, on images augmented here, on the device (the study's
 * augmentation): what leaves is computed from them, as from any batch.
 */
export function runClientEpoch(epoch: ClientEpoch): Promise<EpochTally> {
  const { topology, role, link, phase, batches, sampleShape, numClasses, holdsLabels = true, key } = epoch;
  if (batches.length === 0 && epoch.steps > 0) return Promise.reject(new Error(`no ${phase === 'train' ? 'training' : 'validation'} samples on this client`));
  if (phase === 'train') enterRound(role, key.round);
  const augmentation = phase === 'train' && sampleShape.length === 3 ? role.augmentation : undefined;
  return runEpochLoop(
    epoch.steps,
    async (step) => {
      const batch = batches[step % batches.length] as readonly Sample[];
      const tensors = batchToTensors(batch, sampleShape, numClasses, holdsLabels ? epoch.taskClasses : undefined);
      const x = augmentation ? augmentBatch(tensors.x, augmentation, augmentationRng(key, step)) : tensors.x;
      const input = { x, ...(holdsLabels ? { labels: tensors.labels } : {}) };
      try {
        const result = phase === 'train' ? await topology.clientTrainStep(role, link, input) : await topology.clientEvalStep(role, link, input);
        return { samples: batch.length, ...result };
      } finally {
        tf.dispose([tensors.x, x, tensors.labels]);
        link.nextStep();
      }
    },
    epoch.hooks,
  );
}
