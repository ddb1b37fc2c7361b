import { describe, expect, it } from 'vitest';
import type { DemoStyle } from './demo_render';
import { DEFAULT_DEMO_STYLE, renderChestImage, renderChestScene } from './demo_render';
import { createRng } from './random';

/** No noise, no global contrast change, no extra blob, dim lungs (nothing clips): only the lesion shape differs. */
const CLEAN: DemoStyle = { ...DEFAULT_DEMO_STYLE, noise: 0, contrastRange: 0, brightnessRange: 0, extraBlobProbability: 0, lungLevel: 0.1 };

function sum(values: Float32Array): number {
  return values.reduce((total, v) => total + v, 0);
}

describe('renderChestImage', () => {
  it('gives a nodule ring and a normal blob the same added intensity but a different shape', () => {
    for (let seed = 1; seed <= 20; seed++) {
      // The rng is consumed identically for both shapes: same anatomy, same lesion position.
      const nodule = renderChestImage(createRng(seed), 28, true, CLEAN);
      const normal = renderChestImage(createRng(seed), 28, false, CLEAN);
      expect(Math.abs(sum(nodule) - sum(normal))).toBeLessThan(1e-3 * sum(normal));
      let largestDifference = 0;
      nodule.forEach((v, i) => (largestDifference = Math.max(largestDifference, Math.abs(v - (normal[i] ?? 0)))));
      expect(largestDifference).toBeGreaterThan(0.15);
    }
  });

  it('puts the brightest point of a blob where a ring is dark (its centre)', () => {
    const nodule = renderChestImage(createRng(7), 28, true, CLEAN);
    const normal = renderChestImage(createRng(7), 28, false, CLEAN);
    const blobPeak = normal.indexOf(Math.max(...normal));
    expect(nodule[blobPeak] ?? 1).toBeLessThan((normal[blobPeak] ?? 0) - 0.2);
  });

  it('adds the same lesion mass at any resolution (mass is defined on the 28 grid)', () => {
    const lesionMass = (size: number): number => {
      const withLesion = renderChestImage(createRng(3), size, true, CLEAN);
      const without = renderChestImage(createRng(3), size, true, { ...CLEAN, lesionMass: 0 });
      return ((sum(withLesion) - sum(without)) * (28 / size) ** 2) / CLEAN.lesionMass;
    };
    // Mass jitter is drawn per lesion: the ratio to the nominal mass must agree across sizes.
    expect(lesionMass(56)).toBeCloseTo(lesionMass(28), 3);
    expect(lesionMass(28)).toBeGreaterThan(1 - CLEAN.lesionMassJitter - 1e-6);
    expect(lesionMass(28)).toBeLessThan(1 + CLEAN.lesionMassJitter + 1e-6);
  });

  it('stays within [0, 1] with the default style', () => {
    for (let seed = 0; seed < 10; seed++) {
      const image = renderChestImage(createRng(seed), 28, seed % 2 === 0, DEFAULT_DEMO_STYLE);
      expect(Math.min(...image)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...image)).toBeLessThanOrEqual(1);
    }
  });

  it('names the side of the image whose lung holds the deciding lesion, drawing nothing more from the rng', () => {
    const sides: number[] = [];
    for (let seed = 0; seed < 24; seed++) {
      const scene = renderChestScene(createRng(seed), 28, seed % 2 === 0, CLEAN);
      const without = renderChestScene(createRng(seed), 28, seed % 2 === 0, { ...CLEAN, lesionMass: 0 });
      // The same image as renderChestImage draws: the side is recorded, not drawn.
      expect(scene.image).toEqual(renderChestImage(createRng(seed), 28, seed % 2 === 0, CLEAN));
      let left = 0;
      let right = 0;
      scene.image.forEach((value, i) => {
        const added = value - (without.image[i] as number);
        if (i % 28 < 14) left += added;
        else right += added;
      });
      expect(scene.lesionSide, `seed ${seed}`).toBe(left > right ? 0 : 1);
      sides.push(scene.lesionSide);
    }
    // Both sides occur.
    expect(new Set(sides).size).toBe(2);
  });
});
