import * as tf from '@tensorflow/tfjs';
import type { Link, WireKind } from '../topology/link';

// Defences against label leakage through the cut gradients (Li et al., ICLR 2022), applied
// by the party that computes the loss before the gradients leave it: max-norm alignment adds
// to each sample's gradient just enough Gaussian noise that its expected norm matches the
// batch's largest (the norm attack then sees equal norms); isotropic Gaussian adds the same
// noise to every sample, scaled to the batch's largest norm. The receiving client trains on
// the noisy gradients: that is the defence's accuracy cost.

export type GradientNoiseKind = 'max-norm' | 'gaussian';

export interface GradientNoise {
  kind: GradientNoiseKind;
  /** Multiplies the noise (max-norm: 1 is the paper's heuristic; gaussian: the noise's norm per sample against the largest gradient's). */
  scale: number;
}

/** `gradients` ([samples, ...]) with the defence's noise added; a new tensor. */
export function perturbCutGradients(gradients: tf.Tensor, noise: GradientNoise, seed?: number): tf.Tensor {
  return tf.tidy(() => {
    const samples = gradients.shape[0] ?? 0;
    const rows = gradients.reshape([samples, -1]);
    const width = rows.shape[1] ?? 1;
    const squaredNorms = rows.square().sum(1, true);
    const largest = squaredNorms.max();
    // Per-sample standard deviation of each coordinate's noise: its expected squared norm is width * variance.
    const variance = noise.kind === 'max-norm' ? largest.sub(squaredNorms).maximum(0).div(width) : largest.div(width).mul(tf.onesLike(squaredNorms));
    const deviation = variance.sqrt().mul(noise.scale);
    const perturbed = rows.add(tf.randomNormal(rows.shape, 0, 1, 'float32', seed).mul(deviation));
    return perturbed.reshape(gradients.shape);
  });
}

/** The server's link to a party, with the defence's noise on every cut gradient it sends back. */
export function noisyGradientsLink(link: Link, noise: GradientNoise): Link {
  return {
    ...(link.labelsOnly ? { labelsOnly: link.labelsOnly } : {}),
    receive: (kind: WireKind) => link.receive(kind),
    async send(kind: WireKind, tensor: tf.Tensor): Promise<void> {
      if (kind !== 'gradients') return link.send(kind, tensor);
      const perturbed = perturbCutGradients(tensor, noise);
      try {
        await link.send(kind, perturbed);
      } finally {
        perturbed.dispose();
      }
    },
    nextStep: () => link.nextStep(),
  };
}
