import { describe, expect, it } from 'vitest';
import { DEMO_CLASSES, DEMO_LABEL_NOISE, generateDemoDataset, generateDemoSample } from './demo';

describe('generateDemoDataset', () => {
  const { train, val } = generateDemoDataset({ seed: 42, trainSize: 400, valSize: 100 });

  it('has the requested sizes, shape, classes and stable ids', () => {
    expect(train.samples).toHaveLength(400);
    expect(val.samples).toHaveLength(100);
    expect(train.classes).toEqual([...DEMO_CLASSES]);
    expect(train.sampleShape).toEqual([28, 28, 1]);
    expect(train.samples[123]?.id).toBe('demo/train/000123');
    expect(val.samples[7]?.id).toBe('demo/val/000007');
    const all = [...train.samples, ...val.samples];
    expect(all.every((sample) => sample.values.length === 28 * 28)).toBe(true);
    expect(Math.min(...all.map((sample) => Math.min(...sample.values)))).toBeGreaterThanOrEqual(0);
    expect(Math.max(...all.map((sample) => Math.max(...sample.values)))).toBeLessThanOrEqual(1);
  });

  it('is deterministic from the seed, and the seed matters', () => {
    const again = generateDemoDataset({ seed: 42, trainSize: 400, valSize: 100 });
    expect(again.train.samples.map((s) => s.label)).toEqual(train.samples.map((s) => s.label));
    expect(again.train.samples[5]?.values).toEqual(train.samples[5]?.values);
    const other = generateDemoDataset({ seed: 43, trainSize: 10, valSize: 0 });
    expect(other.train.samples[5]?.values).not.toEqual(train.samples[5]?.values);
  });

  it('draws train and validation from independent streams', () => {
    expect(val.samples[0]?.values).not.toEqual(train.samples[0]?.values);
  });

  it('regenerates any single sample on its own', () => {
    expect(generateDemoSample({ seed: 42, split: 'train', index: 321 })).toEqual(train.samples[321]);
  });

  it('alternates the true classes and flips about DEMO_LABEL_NOISE of the labels', () => {
    const clean = generateDemoDataset({ seed: 42, trainSize: 400, valSize: 0, labelNoise: 0 });
    expect(clean.train.samples.map((s) => s.label)).toEqual(clean.train.samples.map((_, i) => i % 2));
    // Label noise does not change the images.
    expect(clean.train.samples[9]?.values).toEqual(train.samples[9]?.values);
    const big = generateDemoDataset({ seed: 9, trainSize: 2000, valSize: 0 });
    const flipped = big.train.samples.filter((s, i) => s.label !== i % 2).length / 2000;
    // 2000 draws: the binomial standard deviations are about 0.006 (flips) and 0.011 (classes).
    expect(Math.abs(flipped - DEMO_LABEL_NOISE)).toBeLessThan(0.02);
    const nodules = big.train.samples.filter((s) => s.label === 1).length / 2000;
    expect(Math.abs(nodules - 0.5)).toBeLessThan(0.03);
  });

  it('renders other sizes and three channels (the gray image in each channel)', () => {
    const rgb = generateDemoDataset({ seed: 1, trainSize: 2, valSize: 0, size: 40, channels: 3 }).train;
    expect(rgb.sampleShape).toEqual([40, 40, 3]);
    const values = rgb.samples[0]?.values ?? new Float32Array();
    expect(values).toHaveLength(40 * 40 * 3);
    const gray = generateDemoSample({ seed: 1, split: 'train', index: 0, size: 40 }).values;
    for (let channel = 0; channel < 3; channel++) {
      expect(Array.from(gray)).toEqual(Array.from({ length: 40 * 40 }, (_, p) => values[p * 3 + channel]));
    }
  });

  it('rejects sizes too small to draw a chest on', () => {
    expect(() => generateDemoSample({ seed: 1, split: 'train', index: 0, size: 4 })).toThrow(/size/);
  });
});
