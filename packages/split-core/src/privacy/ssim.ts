import * as tf from '@tensorflow/tfjs';

// Structural similarity (Wang et al. 2004) between images and their reconstructions: how much
// of an image's structure (local means, contrasts and correlations) an inversion attack got
// back. 1 for the same image; near 0 for unrelated ones. Gaussian window of standard
// deviation 1.5 as in the paper, 7 pixels wide since these images are small (28x28).

const WINDOW = 7;
const SIGMA = 1.5;
const K1 = 0.01;
const K2 = 0.03;

function gaussianWindow(channels: number): tf.Tensor4D {
  const half = (WINDOW - 1) / 2;
  const line = Array.from({ length: WINDOW }, (_, i) => Math.exp(-((i - half) ** 2) / (2 * SIGMA * SIGMA)));
  const total = line.reduce((sum, value) => sum + value, 0) ** 2;
  const values: number[] = [];
  for (let y = 0; y < WINDOW; y++) for (let x = 0; x < WINDOW; x++) for (let c = 0; c < channels; c++) values.push(((line[y] as number) * (line[x] as number)) / total);
  return tf.tensor4d(values, [WINDOW, WINDOW, channels, 1]);
}

/**
 * Mean SSIM of each image pair ([n, height, width, channels] both, values in [0, dataRange]),
 * over the windows that fit inside the image and over channels.
 */
export function structuralSimilarity(a: tf.Tensor4D, b: tf.Tensor4D, dataRange = 1): Float32Array {
  if (a.shape.join() !== b.shape.join()) throw new Error(`SSIM compares images of one shape: [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  const [, height, width, channels] = a.shape;
  if (height < WINDOW || width < WINDOW) throw new Error(`SSIM needs images of at least ${WINDOW}x${WINDOW} pixels, not ${height}x${width}`);
  const scores = tf.tidy(() => {
    const window = gaussianWindow(channels);
    const blur = (x: tf.Tensor4D): tf.Tensor4D => tf.depthwiseConv2d(x, window, 1, 'valid');
    const meanA = blur(a);
    const meanB = blur(b);
    const varianceA = blur(a.square()).sub(meanA.square());
    const varianceB = blur(b.square()).sub(meanB.square());
    const covariance = blur(a.mul(b)).sub(meanA.mul(meanB));
    const c1 = (K1 * dataRange) ** 2;
    const c2 = (K2 * dataRange) ** 2;
    const map = meanA.mul(meanB).mul(2).add(c1).mul(covariance.mul(2).add(c2)).div(meanA.square().add(meanB.square()).add(c1).mul(varianceA.add(varianceB).add(c2)));
    return map.mean([1, 2, 3]);
  });
  const values = scores.dataSync() as Float32Array;
  scores.dispose();
  return Float32Array.from(values);
}
