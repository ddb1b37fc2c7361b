import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../data/random';
import { drawTransforms, inverseAffineRow, movesPixels, type Augmentation } from './augmentation';

/**
 * A training batch [batch, height, width, channels] of images in [0, 1], each sample
 * transformed by its own draw from `rng`, on the engine the batch is on (wasm, WebGL):
 * shifted, turned, zoomed (edges repeat outwards) and mirrored where allowed in one
 * resampling, then its contrast scaled around its mean and its brightness moved, kept in
 * [0, 1]. The caller owns the result; the input is left as it was.
 */
export function augmentBatch(x: tf.Tensor, augmentation: Augmentation, rng: Rng): tf.Tensor4D {
  if (x.rank !== 4) throw new Error(`augmentation takes a batch of images [batch, height, width, channels], got [${x.shape.join(', ')}]`);
  const [count, height, width] = x.shape as [number, number, number, number];
  const size: [number, number] = [height, width];
  const draws = drawTransforms(augmentation, count, size, rng);
  return tf.tidy(() => {
    let images = x as tf.Tensor4D;
    if (draws.some(movesPixels)) {
      const rows = draws.map((draw) => inverseAffineRow(draw, size));
      // tfjs 4.22's cpu Transform returns after the first image of a batch (the rest stay at
      // the fill value): there, each image is resampled alone. wasm and WebGL take the batch.
      images =
        tf.getBackend() === 'cpu'
          ? tf.concat(rows.map((row, i) => tf.image.transform(tf.slice(images, [i, 0, 0, 0], [1, -1, -1, -1]), tf.tensor2d([row], [1, 8], 'float32'), 'bilinear', 'nearest')), 0)
          : tf.image.transform(images, tf.tensor2d(rows, [count, 8], 'float32'), 'bilinear', 'nearest');
    }
    if (augmentation.brightness > 0 || augmentation.contrast > 0) {
      const perSample = (values: number[]): tf.Tensor4D => tf.tensor4d(values, [count, 1, 1, 1], 'float32');
      const mean = tf.mean(images, [1, 2, 3], true);
      const contrasted = tf.add(tf.mul(tf.sub(images, mean), perSample(draws.map((draw) => draw.contrast))), mean);
      images = tf.clipByValue(tf.add(contrasted, perSample(draws.map((draw) => draw.brightness))), 0, 1) as tf.Tensor4D;
    }
    // A fresh tensor even when nothing was drawn: the caller disposes what it gets.
    return images === x ? tf.clone(images) : images;
  });
}
