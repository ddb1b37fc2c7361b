import * as tf from '@tensorflow/tfjs';
import { createRng, deriveSeed, shuffled } from '../data/random';
import { structuralSimilarity } from './ssim';

// The inversion check (PAPER.md, last section): what a curious relay could rebuild of the
// images from the cut activations it forwards. The attacker holds some images like the
// hospitals' (a held-apart part of the validation split) and the client segment's output for
// them, trains a decoder from activations back to images, then applies it to activations it
// sees in a study. How similar its reconstructions are to the real images (SSIM) measures
// what the activations reveal under each defence.

export interface InversionOptions {
  /** Passes over the attacker's pairs (default 40). */
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed: number;
}

/**
 * A decoder from activations of `activationShape` to images of `imageShape` (both without the
 * batch dimension): spatial activations are upsampled to the image and refined by
 * convolutions, so what the segment kept of each region maps back to it; any other shape
 * goes through dense layers.
 */
export function inversionDecoder(activationShape: readonly number[], imageShape: readonly number[], seed: number): tf.Sequential {
  const init = (salt: string) => tf.initializers.glorotUniform({ seed: deriveSeed(seed, 'inversion', salt) });
  const decoder = tf.sequential({ name: 'inversion_decoder' });
  const [height, width, channels] = imageShape;
  const [aHeight, aWidth] = activationShape;
  const spatial = activationShape.length === 3 && imageShape.length === 3 && aHeight !== undefined && aWidth !== undefined && height !== undefined && width !== undefined && height % aHeight === 0 && width % aWidth === 0;
  if (spatial) {
    decoder.add(tf.layers.upSampling2d({ inputShape: [...activationShape], size: [height / aHeight, width / aWidth] }));
    decoder.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init('conv1') }));
    decoder.add(tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init('conv2') }));
    decoder.add(tf.layers.conv2d({ filters: channels ?? 1, kernelSize: 3, padding: 'same', activation: 'sigmoid', kernelInitializer: init('conv3') }));
  } else {
    const pixels = imageShape.reduce((product, size) => product * size, 1);
    decoder.add(tf.layers.flatten({ inputShape: [...activationShape] }));
    decoder.add(tf.layers.dense({ units: 512, activation: 'relu', kernelInitializer: init('dense1') }));
    decoder.add(tf.layers.dense({ units: pixels, activation: 'sigmoid', kernelInitializer: init('dense2') }));
    decoder.add(tf.layers.reshape({ targetShape: [...imageShape] }));
  }
  return decoder;
}

/**
 * Trains an inversion decoder on the attacker's pairs (activations [n, ...], images
 * [n, h, w, c] in [0, 1]) with mean squared error, in seeded batch order. The caller owns the
 * returned model.
 */
export async function trainInversion(activations: tf.Tensor, images: tf.Tensor4D, options: InversionOptions): Promise<tf.Sequential> {
  const count = activations.shape[0] ?? 0;
  if (count !== images.shape[0]) throw new Error(`the attacker's pairs disagree: ${count} activations, ${images.shape[0]} images`);
  if (count === 0) throw new Error('the inversion attack needs at least one image to learn from');
  const decoder = inversionDecoder(activations.shape.slice(1), images.shape.slice(1), options.seed);
  const optimizer = tf.train.adam(options.learningRate ?? 0.002);
  const batchSize = options.batchSize ?? 32;
  const rng = createRng(deriveSeed(options.seed, 'inversion-batches'));
  const order = Array.from({ length: count }, (_, i) => i);
  try {
    for (let epoch = 0; epoch < (options.epochs ?? 40); epoch++) {
      const indices = shuffled(order, rng);
      for (let start = 0; start < count; start += batchSize) {
        const batch = tf.tensor1d(indices.slice(start, start + batchSize), 'int32');
        const loss = optimizer.minimize(() => {
          const predicted = decoder.apply(tf.gather(activations, batch), { training: true }) as tf.Tensor;
          return tf.losses.meanSquaredError<tf.Tensor, tf.Scalar>(tf.gather(images, batch), predicted);
        }, true);
        loss?.dispose();
        batch.dispose();
      }
      // Lets other work (a progress line, a socket) run between passes.
      await tf.nextFrame();
    }
  } finally {
    optimizer.dispose();
  }
  return decoder;
}

export interface InversionResult {
  /** Mean SSIM of the reconstructions against the real images. */
  ssim: number;
  /** The reconstructions, [n, h, w, c]; the caller disposes them. */
  reconstructions: tf.Tensor4D;
}

/** The decoder's reconstructions of the images behind `activations`, scored against them. */
export function invert(decoder: tf.LayersModel, activations: tf.Tensor, images: tf.Tensor4D): InversionResult {
  const reconstructions = tf.tidy(() => (decoder.predict(activations) as tf.Tensor4D).clipByValue(0, 1) as tf.Tensor4D);
  const scores = structuralSimilarity(images, reconstructions);
  return { ssim: scores.reduce((sum, score) => sum + score, 0) / Math.max(1, scores.length), reconstructions };
}
