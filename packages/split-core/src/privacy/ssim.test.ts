import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../data/random';
import { useBackend } from '../testing/fixtures';
import { structuralSimilarity } from './ssim';

beforeAll(() => useBackend('cpu'));

// The same Gaussian-window SSIM written out pixel by pixel, for one single-channel image pair.
function referenceSsim(a: number[][], b: number[][]): number {
  const size = 7;
  const half = 3;
  const line = Array.from({ length: size }, (_, i) => Math.exp(-((i - half) ** 2) / (2 * 1.5 * 1.5)));
  const total = line.reduce((s, v) => s + v, 0) ** 2;
  const weight = (y: number, x: number): number => ((line[y] as number) * (line[x] as number)) / total;
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  const rows = a.length;
  const cols = (a[0] as number[]).length;
  let sum = 0;
  let windows = 0;
  for (let top = 0; top + size <= rows; top++) {
    for (let left = 0; left + size <= cols; left++) {
      let ma = 0, mb = 0, saa = 0, sbb = 0, sab = 0;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const w = weight(y, x);
          const va = (a[top + y] as number[])[left + x] as number;
          const vb = (b[top + y] as number[])[left + x] as number;
          ma += w * va;
          mb += w * vb;
          saa += w * va * va;
          sbb += w * vb * vb;
          sab += w * va * vb;
        }
      }
      const va = saa - ma * ma;
      const vb = sbb - mb * mb;
      const cov = sab - ma * mb;
      sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      windows += 1;
    }
  }
  return sum / windows;
}

function image(seed: number, size = 12): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: size }, () => Array.from({ length: size }, () => rng.next()));
}

const asBatch = (...images: number[][][]): tf.Tensor4D => tf.tensor4d(images.flat(2), [images.length, images[0]?.length ?? 0, images[0]?.[0]?.length ?? 0, 1]);

describe('structural similarity', () => {
  it('matches a pixel-by-pixel reference, per image of a batch', () => {
    const a = image(1);
    const smooth = a.map((row, y) => row.map((v, x) => 0.7 * v + 0.3 * ((a[Math.max(0, y - 1)] as number[])[x] as number)));
    const unrelated = image(2);
    const scores = structuralSimilarity(asBatch(a, a), asBatch(smooth, unrelated));
    expect(scores[0]).toBeCloseTo(referenceSsim(a, smooth), 4);
    expect(scores[1]).toBeCloseTo(referenceSsim(a, unrelated), 4);
  });

  it('is 1 for the same image, near 0 for independent noise, and refuses mismatched shapes', () => {
    const a = image(3, 28);
    const [same, noise] = structuralSimilarity(asBatch(a, a), asBatch(a, image(4, 28)));
    expect(same).toBeCloseTo(1, 5);
    expect(Math.abs(noise as number)).toBeLessThan(0.1);
    expect(() => structuralSimilarity(asBatch(a), asBatch(image(5, 12)))).toThrow(/one shape/);
  });
});
