import { describe, expect, it } from 'vitest';
import { grayToRgba, previewSamples } from './preview_samples';

describe('previewSamples', () => {
  it('gives a few correctly labelled images of each demo class', () => {
    const classes = previewSamples(4);
    expect(classes.map((entry) => entry.name)).toEqual(['normal', 'nodule']);
    for (const [label, entry] of classes.entries()) {
      expect(entry.images).toHaveLength(4);
      for (const image of entry.images) {
        expect(image.gray).toHaveLength(28 * 28);
        // Drawn as this class (ids are demo/train/<index>, and index % 2 is the drawn class).
        expect(Number(image.id.split('/').at(-1)) % 2).toBe(label);
      }
    }
  });

  it('converts grayscale to opaque RGBA', () => {
    expect([...grayToRgba(Float32Array.from([0, 1, 0.5]))]).toEqual([0, 0, 0, 255, 255, 255, 255, 255, 128, 128, 128, 255]);
  });
});
