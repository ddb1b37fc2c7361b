import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { grayToSampleValues, toSampleValues } from './image';

/** RGBA bytes from a per-pixel callback. */
function rgbaImage(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data.set(pixel(x, y), (y * width + x) * 4);
    }
  }
  return data;
}

describe('toSampleValues', () => {
  it('uses BT.601 luma for one channel and ignores alpha', () => {
    const rgba = new Uint8Array([255, 0, 0, 0, 0, 255, 0, 255, 0, 0, 255, 128, 200, 200, 200, 255]);
    const values = toSampleValues(rgba, 2, 2, [2, 2, 1]);
    expect(values).toHaveLength(4);
    expect(values[0]).toBeCloseTo(0.299, 5);
    expect(values[1]).toBeCloseTo(0.587, 5);
    expect(values[2]).toBeCloseTo(0.114, 5);
    expect(values[3]).toBeCloseTo(200 / 255, 5);
  });

  it('keeps RGB channels in order, interleaved, scaled to [0, 1]', () => {
    const rgba = rgbaImage(3, 2, (x, y) => [x * 100, y * 50, 7, 255]);
    const values = toSampleValues(rgba, 3, 2, [2, 3, 3]);
    expect(values).toHaveLength(18);
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 3; x++) {
        const at = (y * 3 + x) * 3;
        expect(values[at]).toBeCloseTo((x * 100) / 255, 6);
        expect(values[at + 1]).toBeCloseTo((y * 50) / 255, 6);
        expect(values[at + 2]).toBeCloseTo(7 / 255, 6);
      }
    }
  });

  it('area-averages when shrinking by an integer factor', () => {
    // 4x4 -> 2x2: each output is the mean of one 2x2 block.
    const gray = [
      [0, 40, 80, 120],
      [20, 60, 100, 140],
      [255, 255, 10, 30],
      [255, 255, 50, 70],
    ];
    const rgba = rgbaImage(4, 4, (x, y) => {
      const v = gray[y]?.[x] ?? 0;
      return [v, v, v, 255];
    });
    const values = toSampleValues(rgba, 4, 4, [2, 2, 1]);
    const blockMean = (x0: number, y0: number): number =>
      ((gray[y0]?.[x0] ?? 0) + (gray[y0]?.[x0 + 1] ?? 0) + (gray[y0 + 1]?.[x0] ?? 0) + (gray[y0 + 1]?.[x0 + 1] ?? 0)) / 4 / 255;
    expect(values[0]).toBeCloseTo(blockMean(0, 0), 5);
    expect(values[1]).toBeCloseTo(blockMean(2, 0), 5);
    expect(values[2]).toBeCloseTo(blockMean(0, 2), 5);
    expect(values[3]).toBeCloseTo(blockMean(2, 2), 5);
  });

  it('preserves the mean intensity when shrinking by a non-integer factor', () => {
    const rgba = rgbaImage(7, 5, (x, y) => {
      const v = (x * 37 + y * 91) % 256;
      return [v, v, v, 255];
    });
    const full = toSampleValues(rgba, 7, 5, [5, 7, 1]);
    const small = toSampleValues(rgba, 7, 5, [2, 3, 1]);
    const mean = (a: Float32Array): number => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(small)).toBeCloseTo(mean(full), 5);
  });

  it('interpolates bilinearly when growing', () => {
    // 2x1 -> 4x1 with half-pixel centres: positions -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
    const rgba = new Uint8Array([0, 0, 0, 255, 200, 200, 200, 255]);
    const values = Array.from(toSampleValues(rgba, 2, 1, [1, 4, 1]));
    const expected = [0, 0.25 * 200, 0.75 * 200, 200].map((v) => v / 255);
    values.forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? Number.NaN, 5));
  });

  it('handles one axis shrinking while the other grows', () => {
    const rgba = rgbaImage(4, 1, (x) => [x < 2 ? 0 : 255, x < 2 ? 0 : 255, x < 2 ? 0 : 255, 255]);
    const values = toSampleValues(rgba, 4, 1, [3, 2, 1]);
    expect(values).toHaveLength(6);
    for (let y = 0; y < 3; y++) {
      expect(values[y * 2]).toBeCloseTo(0, 6);
      expect(values[y * 2 + 1]).toBeCloseTo(1, 6);
    }
  });

  it('stays within [0, 1] and keeps constant images constant for any size change', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 255 }),
        (width, height, targetWidth, targetHeight, level) => {
          const rgba = rgbaImage(width, height, () => [level, level, level, 255]);
          const values = toSampleValues(rgba, width, height, [targetHeight, targetWidth, 3]);
          expect(values).toHaveLength(targetWidth * targetHeight * 3);
          for (const v of values) expect(v).toBeCloseTo(level / 255, 5);
        },
      ),
    );
  });

  it('rejects a buffer of the wrong length and unsupported channel counts', () => {
    expect(() => toSampleValues(new Uint8Array(15), 2, 2, [2, 2, 1])).toThrow(/16 RGBA bytes/);
    expect(() => toSampleValues(new Uint8Array(16), 2, 2, [2, 2, 4])).toThrow(/channel/);
    expect(() => toSampleValues(new Uint8Array(0), 0, 0, [2, 2, 1])).toThrow(/positive integer/);
  });
});

describe('grayToSampleValues', () => {
  it('resizes a windowed grey frame exactly as toSampleValues resizes the same grey image, in one channel or three', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.constantFrom(1, 3), (width, height, targetWidth, targetHeight, channels) => {
        const levels = Array.from({ length: width * height }, (_, i) => (i * 37) % 256);
        const rgba = new Uint8Array(levels.flatMap((level) => [level, level, level, 255]));
        const gray = Float32Array.from(levels, (level) => level / 255);
        const fromGray = grayToSampleValues(gray, width, height, [targetHeight, targetWidth, channels]);
        const fromRgba = toSampleValues(rgba, width, height, [targetHeight, targetWidth, channels]);
        expect(fromGray.length).toBe(fromRgba.length);
        fromGray.forEach((value, i) => expect(value).toBeCloseTo(fromRgba[i] as number, 5));
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a frame whose length does not match its size', () => {
    expect(() => grayToSampleValues(new Float32Array(5), 2, 2, [2, 2, 1])).toThrow(/Expected 4 grey values for a 2x2 image, got 5/);
  });
});
