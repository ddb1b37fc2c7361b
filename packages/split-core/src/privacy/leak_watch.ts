import type * as tf from '@tensorflow/tfjs';
import type { Link, WireKind } from '../topology/link';
import type { LabelLeakTally } from './label_leakage';

/**
 * The server's link to a party, watched: each step's labels that arrive on it and the cut
 * gradient sent back on it go to `tally`, which scores what someone holding that gradient
 * could tell about the labels. Where no labels arrive (U-shaped, a party without them)
 * nothing is tallied: the relay has no gradient-label pair to attack.
 */
export function watchLabelLeakage(link: Link, tally: LabelLeakTally): Link {
  let labels: Int32Array | undefined;
  return {
    ...(link.labelsOnly ? { labelsOnly: link.labelsOnly } : {}),
    async receive(kind: WireKind): Promise<tf.Tensor> {
      const tensor = await link.receive(kind);
      if (kind === 'labels') labels = Int32Array.from(await tensor.data());
      return tensor;
    },
    async send(kind: WireKind, tensor: tf.Tensor): Promise<void> {
      if (kind === 'gradients' && labels) {
        tally.add((await tensor.data()) as Float32Array, labels);
        labels = undefined;
      }
      await link.send(kind, tensor);
    },
    nextStep(): void {
      labels = undefined;
      link.nextStep();
    },
  };
}
