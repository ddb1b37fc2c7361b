import * as tf from '@tensorflow/tfjs';

// Clipping plus Gaussian noise on the cut activations a data holder sends (PAPER.md, last
// section): each sample's activations are scaled down to an L2 norm of at most `clip`, then
// noise of standard deviation `sigma` is added to every value, so what reaches the relay says
// less about the images. The backward pass uses the segment's clean output (its gradient is
// the one received for the noisy one): the noise costs accuracy, not correctness.

export interface ActivationNoise {
  /** Largest L2 norm of one sample's activations. */
  clip: number;
  /** Standard deviation of the Gaussian noise added to each value, after clipping. */
  sigma: number;
}

/** The activations as sent: clipped per sample, noise added; a new tensor. */
export function noisyActivations(activations: tf.Tensor, noise: ActivationNoise, seed?: number): tf.Tensor {
  return tf.tidy(() => {
    const samples = activations.shape[0] ?? 0;
    const rows = activations.reshape([samples, -1]);
    const norms = rows.square().sum(1, true).sqrt();
    const scale = tf.minimum(tf.onesLike(norms), norms.add(1e-12).reciprocal().mul(noise.clip));
    const clipped = rows.mul(scale);
    const noisy = noise.sigma > 0 ? clipped.add(tf.randomNormal(clipped.shape, 0, noise.sigma, 'float32', seed)) : clipped;
    return noisy.reshape(activations.shape);
  });
}

/** Applies a study's activation noise where it has one: the tensor itself (untouched) otherwise. */
export function protectActivations(activations: tf.Tensor, noise: ActivationNoise | undefined): tf.Tensor {
  return noise ? noisyActivations(activations, noise) : activations;
}
