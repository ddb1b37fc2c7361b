import { describe, expect, it } from 'vitest';
import { DicomCodecs } from './codecs';
import { decodeDicom, type DicomImage } from './decode_dicom';
import { DicomSkip } from './dicom_header';
import { dicomDirFile, dicomImageFile, structuredReportFile, type DicomImageOptions, type SyntaxName } from './testing/dicom_writer';

// Every kind of file the reader takes, generated here (dcmjs for the data set, the codecs'
// encoders or the tests' own for the pixel data), decoded to the pixels a radiologist would
// see; and every kind it must skip, with the reason it gives.

const codecs = new DicomCodecs();
const SIZE = { rows: 24, columns: 32 };
const PIXELS = SIZE.rows * SIZE.columns;

/** A chest-like image: a vertical gradient with a bright disc, spanning [low, high]. */
function scene(low: number, high: number): number[] {
  return Array.from({ length: PIXELS }, (_, i) => {
    const [y, x] = [Math.floor(i / SIZE.columns), i % SIZE.columns];
    const disc = (x - 20) ** 2 + (y - 10) ** 2 < 36 ? 0.5 : 0;
    return Math.round(low + (high - low) * Math.min(1, (y / SIZE.rows) * 0.5 + disc + ((x * 7 + y * 3) % 5) / 40));
  });
}

/** Smooth (as X-rays are at this size: no pixel noise), for the lossy codecs: a gradient and a soft bright blob. */
function smoothScene(): number[] {
  return Array.from({ length: PIXELS }, (_, i) => {
    const [y, x] = [Math.floor(i / SIZE.columns), i % SIZE.columns];
    return Math.round(255 * Math.min(1, (y / SIZE.rows) * 0.5 + 0.45 * Math.exp(-((x - 20) ** 2 + (y - 10) ** 2) / 18)));
  });
}

/** PS3.3 C.11.2.1.2's linear VOI function, written out here as the reference. */
function windowed(value: number, center: number, width: number): number {
  if (value <= center - 0.5 - (width - 1) / 2) return 0;
  if (value > center - 0.5 + (width - 1) / 2) return 1;
  return (value - (center - 0.5)) / (width - 1) + 0.5;
}

async function decoded(options: Omit<DicomImageOptions, 'rows' | 'columns'>): Promise<DicomImage> {
  return decodeDicom(await dicomImageFile({ ...SIZE, ...options }), codecs);
}

function largestDifference(a: Float32Array, b: ArrayLike<number>): number {
  return a.reduce((largest, value, i) => Math.max(largest, Math.abs(value - (b[i] as number))), 0);
}

describe('DICOM pixels as a radiologist would see them', () => {
  it('8-bit, uncompressed (explicit and implicit VR), windowed by the header: centre 128 width 256 shows v / 255', async () => {
    const stored = scene(0, 255);
    for (const syntax of ['explicit', 'implicit'] as const) {
      const image = await decoded({ frames: [stored], bitsAllocated: 8, windows: [{ center: 128, width: 256 }, { center: 40, width: 80 }], syntax });
      expect([image.width, image.height, image.frames]).toEqual([SIZE.columns, SIZE.rows, 1]);
      expect(largestDifference(image.gray, stored.map((value) => value / 255))).toBeLessThan(1e-6);
    }
  });

  it('16-bit signed, 12 bits stored, rescaled: the window applies to slope x stored + intercept', async () => {
    const stored = scene(-2048, 2047);
    const image = await decoded({ frames: [stored], bitsAllocated: 16, bitsStored: 12, signed: true, rescale: { slope: 2, intercept: -1000 }, windows: [{ center: -500, width: 3000 }], syntax: 'explicit' });
    const expected = stored.map((value) => windowed(2 * value - 1000, -500, 3000));
    expect(largestDifference(image.gray, expected)).toBeLessThan(1e-6);
    // Both ends of the window are reached: the sign and the rescale were applied.
    expect(Math.min(...image.gray)).toBe(0);
    expect(Math.max(...image.gray)).toBe(1);
  });

  it('MONOCHROME1 is inverted: low values are bright', async () => {
    const stored = scene(0, 255);
    const image = await decoded({ frames: [stored], bitsAllocated: 8, photometric: 'MONOCHROME1', windows: [{ center: 128, width: 256 }], syntax: 'explicit' });
    expect(largestDifference(image.gray, stored.map((value) => 1 - value / 255))).toBeLessThan(1e-6);
  });

  it('without a window, stretches between robust extremes: a few dead or burnt-in pixels do not flatten the rest', async () => {
    const stored = Array.from({ length: PIXELS }, (_, i) => i % 100);
    stored[5] = 65000;
    stored[300] = 65000;
    const image = await decoded({ frames: [stored], bitsAllocated: 16, syntax: 'explicit' });
    const expected = stored.map((value) => Math.min(1, value / 99));
    expect(largestDifference(image.gray, expected)).toBeLessThan(1e-6);
  });

  it.each<[SyntaxName, 8 | 16, number, boolean]>([
    ['rle', 16, 12, false],
    ['rle', 16, 16, true],
    ['rle', 8, 8, false],
    ['jpegLossless', 16, 12, false],
    ['jpegLosslessSv1', 16, 12, false],
    ['jpegLosslessSv1', 16, 12, true],
    ['jpegLosslessSv1', 8, 8, false],
    ['jpegLs', 16, 12, false],
    ['jpegLs', 16, 12, true],
    ['jpegLs', 8, 8, false],
    ['jpeg2000Lossless', 16, 12, false],
    ['jpeg2000Lossless', 16, 16, true],
    ['jpeg2000Lossless', 8, 8, false],
  ])('%s (%i-bit allocated, %i stored, signed %s) decodes to exactly the uncompressed pixels', async (syntax, bitsAllocated, bitsStored, signed) => {
    const stored = signed ? scene(-(2 ** (bitsStored - 1)), 2 ** (bitsStored - 1) - 1) : scene(0, 2 ** bitsStored - 1);
    const options = { frames: [stored], bitsAllocated, bitsStored, signed, rescale: { slope: 1, intercept: 0 } };
    const plain = await decoded({ ...options, syntax: 'explicit' });
    const compressed = await decoded({ ...options, syntax });
    expect(compressed.gray).toEqual(plain.gray);
    // And not trivially: the image has contrast.
    expect(Math.max(...plain.gray) - Math.min(...plain.gray)).toBeGreaterThan(0.9);
  });

  // Measured largest errors on this image, in grey levels: baseline (quality 90) 3, near-lossless 2 (its bound), JPEG 2000 (ratio 4) 8.
  it.each<[SyntaxName, number]>([
    ['jpegBaseline', 6 / 255],
    ['jpegLsNear', 2 / 255 + 1e-6],
    ['jpeg2000', 16 / 255],
  ])('%s (lossy) stays within the codec’s loss of the uncompressed pixels', async (syntax, tolerance) => {
    const stored = smoothScene();
    const options = { frames: [stored], bitsAllocated: 8 as const, windows: [{ center: 128, width: 256 }] };
    const plain = await decoded({ ...options, syntax: 'explicit' });
    const lossy = await decoded({ ...options, syntax });
    const difference = largestDifference(lossy.gray, plain.gray);
    expect(difference).toBeLessThanOrEqual(tolerance);
    // The image as decoded, not a blank: its range survives.
    expect(Math.max(...lossy.gray) - Math.min(...lossy.gray)).toBeGreaterThan(0.6);
  });

  it('multi-frame: the first frame, and how many there are', async () => {
    const frames = [scene(0, 255), scene(50, 100), scene(200, 255)];
    for (const syntax of ['explicit', 'jpegLs', 'rle'] as const) {
      const image = await decoded({ frames, bitsAllocated: 8, windows: [{ center: 128, width: 256 }], syntax });
      expect(image.frames).toBe(3);
      expect(largestDifference(image.gray, (frames[0] as number[]).map((value) => value / 255))).toBeLessThan(1e-6);
    }
  });

  it('reads a Node Buffer (as readFile returns) as it reads a Uint8Array, for every syntax', async () => {
    const stored = scene(0, 4095);
    for (const syntax of ['explicit', 'rle', 'jpegLosslessSv1', 'jpegLs', 'jpeg2000Lossless'] as const) {
      const file = await dicomImageFile({ ...SIZE, frames: [stored], bitsAllocated: 16, bitsStored: 12, syntax });
      const fromBuffer = await decodeDicom(Buffer.from(file), codecs);
      expect(fromBuffer.gray, syntax).toEqual((await decodeDicom(file, codecs)).gray);
    }
  });

  it('keeps the SOP Instance UID for a label table on the device', async () => {
    const image = await decoded({ frames: [scene(0, 255)], bitsAllocated: 8, syntax: 'explicit', sopInstanceUid: '2.25.1234567' });
    expect(image.sopInstanceUid).toBe('2.25.1234567');
  });
});

describe('files the reader skips, with the reason', () => {
  const skipped = async (bytes: Uint8Array): Promise<string> => {
    const error = await decodeDicom(bytes, codecs).then(
      () => undefined,
      (problem: unknown) => problem,
    );
    expect(error).toBeInstanceOf(DicomSkip);
    return (error as Error).message;
  };

  it('a file that is not DICOM, and one whose preamble is wrong', async () => {
    expect(await skipped(new TextEncoder().encode('patient,label\n1,normal\n'))).toMatch(/not a DICOM file/);
    const file = await dicomImageFile({ ...SIZE, frames: [scene(0, 255)], bitsAllocated: 8, syntax: 'explicit' });
    file.set([0x44, 0x49, 0x43, 0x4e], 128);
    expect(await skipped(file)).toMatch(/not a DICOM file/);
  });

  it('a truncated file: cut in the pixel data, or in the header', async () => {
    for (const syntax of ['explicit', 'jpegLs'] as const) {
      const file = await dicomImageFile({ ...SIZE, frames: [scene(0, 4095)], bitsAllocated: 16, bitsStored: 12, syntax });
      expect(await skipped(file.subarray(0, file.length - 100))).toMatch(/truncated/);
      expect(await skipped(file.subarray(0, 200))).toMatch(/truncated/);
    }
  });

  it('an unsupported transfer syntax, named; a video', async () => {
    const twelveBitLossy = await dicomImageFile({ ...SIZE, frames: [scene(0, 255)], bitsAllocated: 8, syntax: 'jpegBaseline', labelledAs: '1.2.840.10008.1.2.4.51' });
    expect(await skipped(twelveBitLossy)).toMatch(/unsupported transfer syntax JPEG Extended \(12 bit\) \(1\.2\.840\.10008\.1\.2\.4\.51\)/);
    const unknown = await dicomImageFile({ ...SIZE, frames: [scene(0, 255)], bitsAllocated: 8, syntax: 'jpegBaseline', labelledAs: '1.2.3.4.5' });
    expect(await skipped(unknown)).toMatch(/unsupported transfer syntax 1\.2\.3\.4\.5/);
    const video = await dicomImageFile({ ...SIZE, frames: [scene(0, 255)], bitsAllocated: 8, syntax: 'jpegBaseline', labelledAs: '1.2.840.10008.1.2.4.102' });
    expect(await skipped(video)).toMatch(/a video/);
  });

  it('a DICOMDIR and a structured report', async () => {
    expect(await skipped(dicomDirFile())).toMatch(/DICOMDIR/);
    expect(await skipped(structuredReportFile())).toMatch(/structured report/);
  });

  it('compressed data that is not what the header says', async () => {
    const file = await dicomImageFile({ ...SIZE, frames: [scene(0, 255)], bitsAllocated: 8, syntax: 'jpegLs', labelledAs: '1.2.840.10008.1.2.4.90' });
    expect(await skipped(file)).toMatch(/JPEG 2000 Lossless pixel data could not be decoded/);
    // The next file still decodes: a failed decode leaves the codecs usable.
    const good = await decoded({ frames: [scene(0, 255)], bitsAllocated: 8, windows: [{ center: 128, width: 256 }], syntax: 'jpeg2000Lossless' });
    expect(good.gray.length).toBe(PIXELS);
  });
});
