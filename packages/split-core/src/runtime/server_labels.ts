import * as tf from '@tensorflow/tfjs';
import type { Dataset, Sample } from '../data/dataset';
import { phaseBatches, type BatchOrderKey } from './batch_order';
import { ProtocolError, type Link, type WireKind } from '../topology/link';

// In a vertical study whose server holds the labels (labelHolder 'server'), the server's
// step reads them from its own table rather than from a party: a labels-only link first
// among the step's links, serving each batch's labels in the epoch's batch order (the same
// rule the parties' batches follow, so row k of every tensor is the same patient).

/** The labels of each batch of an epoch, from the server's aligned label rows. */
export function batchLabels(batches: readonly (readonly Pick<Sample, 'label'>[])[]): number[][] {
  return batches.map((batch) => batch.map((sample) => sample.label));
}

/** The labels of each batch of a group's epoch, from the server's aligned rows (training and validation), in the parties' batch order. */
export function serverEpochLabels(aligned: { train: Dataset; val: Dataset }, phase: 'train' | 'eval', batchSize: number, key: BatchOrderKey): number[][] {
  return batchLabels(phaseBatches(phase, (phase === 'train' ? aligned.train : aligned.val).samples, batchSize, key));
}

/** A link that hands the server one batch of labels per step and accepts nothing. */
export function serverLabelsLink(batches: readonly (readonly number[])[]): Link {
  let step = 0;
  return {
    labelsOnly: true,
    receive(kind: WireKind): Promise<tf.Tensor> {
      if (kind !== 'labels') return Promise.reject(new ProtocolError(`the server's labels link holds labels, not ${kind}`));
      const labels = batches[step % Math.max(batches.length, 1)];
      if (!labels) return Promise.reject(new ProtocolError('the server holds no labels for this epoch'));
      step += 1;
      return Promise.resolve(tf.tensor1d(Int32Array.from(labels), 'int32'));
    },
    send(kind: WireKind): Promise<void> {
      return Promise.reject(new ProtocolError(`nothing is sent to the server's own labels (a ${kind} tensor was)`));
    },
    nextStep(): void {},
  };
}
