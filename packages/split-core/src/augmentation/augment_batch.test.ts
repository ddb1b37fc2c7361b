import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../data/random';
import { useBackend } from '../testing/fixtures';
import { augmentBatch } from './augment_batch';
import { AugmentationSchema, drawTransforms, inverseAffineRow, type SampleTransform } from './augmentation';
import { augmentationRng } from './augmentation_seed';

const SIZE = 9;
const NONE = AugmentationSchema.parse({ shift: 0, rotation: 0, zoom: 0, brightness: 0, contrast: 0 });
const FULL = AugmentationSchema.parse({ shift: 0.15, rotation: 15, zoom: 0.15, brightness: 0.2, contrast: 0.2, flip: true });

/** A dark [1, 9, 9, 1] image with one bright pixel at (row, column). */
function dot(row: number, column: number): tf.Tensor4D {
  const values = new Float32Array(SIZE * SIZE);
  values[row * SIZE + column] = 1;
  return tf.tensor4d(values, [1, SIZE, SIZE, 1]);
}

/** Where the brightest pixel of a [1, h, w, 1] image is. */
function brightest(image: tf.Tensor): [number, number] {
  const values = image.dataSync();
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return [Math.floor(best / SIZE), best % SIZE];
}

/** One exact geometric draw applied to an image, on the engine. */
function moved(image: tf.Tensor4D, draw: Partial<SampleTransform>): tf.Tensor4D {
  const row = inverseAffineRow({ angle: 0, scale: 1, dx: 0, dy: 0, flip: false, brightness: 0, contrast: 1, ...draw }, [SIZE, SIZE]);
  return tf.tidy(() => tf.image.transform(image, tf.tensor2d([row], [1, 8]), 'bilinear', 'nearest'));
}

function noiseBatch(seed: number, shape: [number, number, number, number]): tf.Tensor4D {
  const rng = createRng(seed);
  return tf.tensor4d(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.next()), shape);
}

describe.each(['wasm', 'cpu'] as const)('augmentation on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  afterAll(() => useBackend('cpu'));

  it('moves pixels where the draw says: shifted right and down, turned clockwise, mirrored, zoomed about the centre', () => {
    const image = dot(2, 6);
    const cases: [Partial<SampleTransform>, [number, number]][] = [
      [{}, [2, 6]],
      [{ dx: 2, dy: 1 }, [3, 8]],
      // Clockwise as displayed (rows grow downward): the dot up and right of the centre goes down and right.
      [{ angle: Math.PI / 2 }, [6, 6]],
      [{ flip: true }, [2, 2]],
      // Zoom x2 about the centre (4, 4): 2 rows above and 2 right of it become 4 and 4.
      [{ scale: 2 }, [0, 8]],
    ];
    for (const [draw, expected] of cases) {
      const out = moved(image, draw);
      expect(brightest(out), JSON.stringify(draw)).toEqual(expected);
      out.dispose();
    }
    image.dispose();
  });

  it('gives the same batch for the same seed and another for the next step; keeps the shape and the [0, 1] range', () => {
    const batch = noiseBatch(5, [6, 28, 28, 1]);
    const key = { seed: 3, group: 'hospital-1', round: 2 };
    const first = augmentBatch(batch, FULL, augmentationRng(key, 4));
    const again = augmentBatch(batch, FULL, augmentationRng(key, 4));
    const next = augmentBatch(batch, FULL, augmentationRng(key, 5));
    expect(first.shape).toEqual(batch.shape);
    expect(Array.from(again.dataSync())).toEqual(Array.from(first.dataSync()));
    expect(Array.from(next.dataSync())).not.toEqual(Array.from(first.dataSync()));
    const values = first.dataSync();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    // Each sample changed, and by its own draw: no two samples moved alike.
    const input = batch.dataSync();
    const perSample = 28 * 28;
    for (let s = 0; s < 6; s++) expect(values.slice(s * perSample, (s + 1) * perSample)).not.toEqual(input.slice(s * perSample, (s + 1) * perSample));
    tf.dispose([batch, first, again, next]);
  });

  it('transforms each image of a batch as it would transform that image alone', () => {
    const batch = noiseBatch(8, [5, 16, 16, 1]);
    const together = augmentBatch(batch, FULL, createRng(4)).arraySync();
    // The same draws, one image at a time: a batch of one uses the rng's first draw, so each image gets its own rng advanced to its turn.
    const draws = drawTransforms(FULL, 5, [16, 16], createRng(4));
    draws.forEach((draw, i) => {
      const alone = tf.tidy(() => {
        const image: tf.Tensor4D = tf.slice(batch, [i, 0, 0, 0], [1, -1, -1, -1]);
        const moved = tf.image.transform(image, tf.tensor2d([inverseAffineRow(draw, [16, 16])], [1, 8]), 'bilinear', 'nearest');
        const mean = tf.mean(moved);
        return tf.clipByValue(tf.add(tf.add(tf.mul(tf.sub(moved, mean), draw.contrast), mean), draw.brightness), 0, 1).arraySync() as number[][][][];
      });
      const flat = (image: number[][][] | undefined): number[] => (image ?? []).flat(2);
      const got = flat(together[i]);
      flat(alone[0]).forEach((value, p) => expect(got[p], `image ${i}, pixel ${p}`).toBeCloseTo(value, 5));
    });
    batch.dispose();
  });

  it('changes nothing when every bound is 0, and leaves its input as it was', () => {
    const batch = noiseBatch(6, [3, 12, 12, 3]);
    const before = Array.from(batch.dataSync());
    const out = augmentBatch(batch, NONE, createRng(1));
    expect(out).not.toBe(batch);
    expect(Array.from(out.dataSync())).toEqual(before);
    augmentBatch(batch, FULL, createRng(1)).dispose();
    expect(Array.from(batch.dataSync())).toEqual(before);
    tf.dispose([batch, out]);
  });

  it('scales contrast around each image\'s mean and adds its brightness, as drawn', () => {
    const batch = noiseBatch(7, [4, 10, 10, 1]);
    const photometric = AugmentationSchema.parse({ shift: 0, rotation: 0, zoom: 0, brightness: 0.1, contrast: 0.3 });
    const draws = drawTransforms(photometric, 4, [10, 10], createRng(9));
    const out = augmentBatch(batch, photometric, createRng(9));
    const input = batch.dataSync();
    const values = out.dataSync();
    draws.forEach((draw, s) => {
      const own = Array.from(input.slice(s * 100, (s + 1) * 100));
      const mean = own.reduce((sum, v) => sum + v, 0) / 100;
      for (let i = 0; i < 100; i++) {
        const expected = Math.min(1, Math.max(0, ((own[i] as number) - mean) * draw.contrast + mean + draw.brightness));
        expect(values[s * 100 + i]).toBeCloseTo(expected, 5);
      }
    });
    tf.dispose([batch, out]);
  });

  it('refuses what is not a batch of images', () => {
    const rows = tf.zeros([4, 30]);
    expect(() => augmentBatch(rows, FULL, createRng(1))).toThrow(/batch of images/);
    rows.dispose();
  });
});

describe('augmentation draws', () => {
  it('stay within the study\'s bounds, mirror only where allowed, and are the same for the same seed', () => {
    const draws = drawTransforms(FULL, 500, [28, 28], createRng(11));
    expect(draws).toEqual(drawTransforms(FULL, 500, [28, 28], createRng(11)));
    for (const draw of draws) {
      expect(Math.abs(draw.angle)).toBeLessThanOrEqual((15 * Math.PI) / 180);
      expect(Math.abs(draw.scale - 1)).toBeLessThanOrEqual(0.15);
      expect(Math.abs(draw.dx)).toBeLessThanOrEqual(0.15 * 28);
      expect(Math.abs(draw.brightness)).toBeLessThanOrEqual(0.2);
      expect(Math.abs(draw.contrast - 1)).toBeLessThanOrEqual(0.2);
    }
    const flipped = draws.filter((draw) => draw.flip).length;
    expect(flipped).toBeGreaterThan(200);
    expect(flipped).toBeLessThan(300);
    expect(drawTransforms({ ...FULL, flip: false }, 500, [28, 28], createRng(11)).some((draw) => draw.flip)).toBe(false);
    // Switching mirroring off leaves every other draw as it was.
    expect(drawTransforms({ ...FULL, flip: false }, 500, [28, 28], createRng(11)).map((draw) => draw.angle)).toEqual(draws.map((draw) => draw.angle));
  });
});
