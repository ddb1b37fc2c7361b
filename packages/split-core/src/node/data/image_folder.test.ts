import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { encode as encodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageFolder } from './image_folder';

/** An 8-bit PNG of a constant colour; `colorType` 0 = gray, 2 = RGB, 6 = RGBA. */
function pngBytes(width: number, height: number, rgb: [number, number, number], colorType: 0 | 2 | 6 = 6): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) png.data.set([...rgb, 255], i * 4);
  return PNG.sync.write(png, { colorType });
}

/** A 16-bit grayscale PNG of a constant level in [0, 65535] (pngjs reads 16-bit RGBA input for it). */
function gray16PngBytes(width: number, height: number, level: number): Buffer {
  const png = new PNG({ width, height });
  const samples = new Uint16Array(width * height * 4);
  for (let i = 0; i < width * height; i++) samples.set([level, level, level, 65535], i * 4);
  png.data = Buffer.from(samples.buffer);
  return PNG.sync.write(png, { colorType: 0, bitDepth: 16 });
}

/** An 8-bit palette PNG, written by hand because pngjs cannot encode palettes. */
function palettePngBytes(width: number, height: number, paletteRgb: [number, number, number]): Buffer {
  const chunk = (type: string, body: Buffer): Buffer => {
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), body]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 3, 0, 0, 0], 8); // bit depth 8, colour type 3 (palette), no interlace
  const rows = Buffer.alloc((width + 1) * height); // filter byte 0, then palette index 0 for every pixel
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('PLTE', Buffer.from(paletteRgb)),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function jpegBytes(width: number, height: number, rgb: [number, number, number]): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...rgb, 255], i * 4);
  return encodeJpeg({ width, height, data }, 95).data;
}

async function put(root: string, relative: string, bytes: Uint8Array | string): Promise<void> {
  const file = path.join(root, ...relative.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
}

function mean(values: Float32Array): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

describe('readImageFolder', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'image-folder-'));
    await put(root, 'Normal/a_gray.png', pngBytes(8, 8, [100, 100, 100], 0));
    await put(root, 'Normal/b_rgb.png', pngBytes(6, 10, [200, 50, 0], 2));
    await put(root, 'Normal/deeper/c_16bit.png', gray16PngBytes(4, 4, 0xc000));
    await put(root, 'Normal/deeper/d_palette.png', palettePngBytes(5, 5, [10, 250, 40]));
    await put(root, 'Normal/.DS_Store', 'not an image');
    await put(root, 'Normal/notes.txt', 'scanned on Tuesday');
    await put(root, 'Normal/empty.png', new Uint8Array(0));
    await put(root, ' PNEUMONIA /x_photo.jpg', jpegBytes(16, 16, [30, 60, 90]));
    await put(root, ' PNEUMONIA /y_corrupt.png', pngBytes(8, 8, [1, 2, 3]).subarray(0, 40));
    await put(root, 'pneumonia/z_rgba.png', pngBytes(3, 3, [0, 0, 255]));
    await put(root, 'covid/q.png', pngBytes(4, 4, [9, 9, 9]));
    await put(root, 'stray_at_root.png', pngBytes(4, 4, [9, 9, 9]));
    await mkdir(path.join(root, '.thumbnails'));
    await symlink(path.join(root, 'Normal'), path.join(root, 'Normal', 'loop'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads images of every kind into the declared classes, in path order', async () => {
    const { dataset } = await readImageFolder(root, { sampleShape: [4, 4, 1], classes: ['normal', 'pneumonia'] });
    expect(dataset.classes).toEqual(['normal', 'pneumonia']);
    expect(dataset.sampleShape).toEqual([4, 4, 1]);
    expect(dataset.samples.map((s) => [s.id, s.label])).toEqual([
      [' PNEUMONIA /x_photo.jpg', 1],
      ['Normal/a_gray.png', 0],
      ['Normal/b_rgb.png', 0],
      ['Normal/deeper/c_16bit.png', 0],
      ['Normal/deeper/d_palette.png', 0],
      ['pneumonia/z_rgba.png', 1],
    ]);
    for (const sample of dataset.samples) {
      expect(sample.values).toHaveLength(16);
      for (const v of sample.values) expect(v >= 0 && v <= 1).toBe(true);
    }
    const byId = new Map(dataset.samples.map((s) => [s.id, s.values]));
    expect(mean(byId.get('Normal/a_gray.png') ?? new Float32Array())).toBeCloseTo(100 / 255, 4);
    expect(mean(byId.get('Normal/b_rgb.png') ?? new Float32Array())).toBeCloseTo((0.299 * 200 + 0.587 * 50) / 255, 4);
    expect(mean(byId.get('Normal/deeper/c_16bit.png') ?? new Float32Array())).toBeCloseTo(0xc000 / 0xffff, 2);
    expect(mean(byId.get('Normal/deeper/d_palette.png') ?? new Float32Array())).toBeCloseTo((0.299 * 10 + 0.587 * 250 + 0.114 * 40) / 255, 4);
    expect(mean(byId.get('pneumonia/z_rgba.png') ?? new Float32Array())).toBeCloseTo(0.114, 4);
    // JPEG is lossy: allow a couple of grey levels.
    expect(mean(byId.get(' PNEUMONIA /x_photo.jpg') ?? new Float32Array())).toBeCloseTo((0.299 * 30 + 0.587 * 60 + 0.114 * 90) / 255, 1);
  });

  it('keeps RGB when the model takes three channels', async () => {
    const { dataset } = await readImageFolder(root, { sampleShape: [2, 2, 3], classes: ['normal', 'pneumonia'] });
    const rgb = dataset.samples.find((s) => s.id === 'Normal/b_rgb.png')?.values;
    expect(rgb).toHaveLength(12);
    expect(Array.from(rgb?.subarray(0, 3) ?? []).map((v) => Math.round(v * 255))).toEqual([200, 50, 0]);
  });

  it('reports every file it leaves out, with a reason, and the unknown classes', async () => {
    const { skipped, unknownClasses } = await readImageFolder(root, { sampleShape: [4, 4, 1], classes: ['normal', 'pneumonia'] });
    const reasons = new Map(skipped.map((s) => [s.path, s.reason]));
    expect(unknownClasses).toEqual(['covid']);
    expect(reasons.get('covid/q.png')).toMatch(/unknown class "covid"/);
    expect(reasons.get('Normal/.DS_Store')).toMatch(/hidden/);
    expect(reasons.get('.thumbnails')).toMatch(/hidden/);
    expect(reasons.get('Normal/notes.txt')).toMatch(/not a PNG, JPEG or DICOM image/);
    expect(reasons.get('Normal/empty.png')).toMatch(/empty/);
    expect(reasons.get(' PNEUMONIA /y_corrupt.png')).toMatch(/corrupt/);
    expect(reasons.get('stray_at_root.png')).toMatch(/not inside a class folder/);
    expect(reasons.get('Normal/loop')).toMatch(/link to a folder/);
    expect(skipped).toHaveLength(8);
  });

  it('derives the classes from the folder names when none are declared', async () => {
    const { dataset, unknownClasses } = await readImageFolder(root, { sampleShape: [4, 4, 1] });
    expect(dataset.classes).toEqual(['covid', 'normal', 'pneumonia']);
    expect(unknownClasses).toEqual([]);
    expect(dataset.samples.filter((s) => s.label === 0).map((s) => s.id)).toEqual(['covid/q.png']);
  });

  it('explains what to do when the folder is missing or has no class folders', async () => {
    await expect(readImageFolder(path.join(root, 'nope'), { sampleShape: [4, 4, 1] })).rejects.toThrow(/does not exist.*one sub-folder per class/);
    await expect(readImageFolder(path.join(root, 'stray_at_root.png'), { sampleShape: [4, 4, 1] })).rejects.toThrow(/is a file/);
    const flat = await mkdtemp(path.join(tmpdir(), 'image-folder-flat-'));
    try {
      await put(flat, 'only.png', pngBytes(2, 2, [0, 0, 0]));
      await expect(readImageFolder(flat, { sampleShape: [4, 4, 1] })).rejects.toThrow(/no class folders.*one sub-folder per class/);
    } finally {
      await rm(flat, { recursive: true, force: true });
    }
  });
});

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
const dataDir = process.env.SPLIT_DATA_DIR ?? path.resolve(repoRoot, '../shared/data');
const pneumoniaVal = path.join(dataDir, 'pneumoniamnist', 'val');
const hasPneumonia = existsSync(pneumoniaVal);
if (!hasPneumonia) {
  console.warn(`Skipping the PneumoniaMNIST reading test: ${pneumoniaVal} not found (set SPLIT_DATA_DIR to the shared data folder).`);
}

describe('readImageFolder on PneumoniaMNIST', () => {
  it.skipIf(!hasPneumonia)('reads the 524 validation images with the published class counts', async () => {
    const { dataset, skipped, unknownClasses } = await readImageFolder(pneumoniaVal, { sampleShape: [28, 28, 1], classes: ['normal', 'pneumonia'] });
    expect(skipped).toEqual([]);
    expect(unknownClasses).toEqual([]);
    expect(dataset.samples).toHaveLength(524);
    expect(dataset.samples.filter((s) => s.label === 0)).toHaveLength(135);
    expect(dataset.samples.filter((s) => s.label === 1)).toHaveLength(389);
    let min = Infinity;
    let max = -Infinity;
    for (const sample of dataset.samples) {
      expect(sample.values).toHaveLength(784);
      for (const v of sample.values) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    // Real radiographs use most of the grey range: catches a reader that returns blank or unscaled pixels.
    expect(max - min).toBeGreaterThan(0.5);
  });
});

describe('readImageFolder with DICOM exports', () => {
  const SIDE = 32;
  /** A PNG and an 8-bit DICOM of the same picture (a gradient and a bright square). */
  const picture = Array.from({ length: SIDE * SIDE }, (_, i) => Math.min(255, Math.floor(i / SIDE) * 6 + ((i % SIDE) > 20 && Math.floor(i / SIDE) < 10 ? 100 : 0)));
  let dicomRoot: string;

  beforeAll(async () => {
    const { dicomDirFile, dicomImageFile, structuredReportFile } = await import('../../dicom/testing/dicom_writer');
    dicomRoot = await mkdtemp(path.join(tmpdir(), 'dicom-folder-'));
    const put = async (relative: string, bytes: Uint8Array): Promise<void> => {
      const file = path.join(dicomRoot, ...relative.split('/'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, bytes);
    };
    const png = new PNG({ width: SIDE, height: SIDE });
    picture.forEach((value, i) => png.data.set([value, value, value, 255], i * 4));
    await put('normal/a.png', PNG.sync.write(png, { colorType: 0 }));
    // As exported from a PACS: no extension, windowed so that stored v shows as v / 255.
    const window = [{ center: 128, width: 256 }];
    await put('normal/IM0001', await dicomImageFile({ rows: SIDE, columns: SIDE, frames: [picture], bitsAllocated: 8, windows: window, syntax: 'explicit' }));
    await put('normal/IM0002.dcm', await dicomImageFile({ rows: SIDE, columns: SIDE, frames: [picture], bitsAllocated: 8, windows: window, syntax: 'jpegLs' }));
    await put('normal/IM0003.dcm', await dicomImageFile({ rows: SIDE, columns: SIDE, frames: [picture, picture.map((value) => 255 - value)], bitsAllocated: 8, windows: window, syntax: 'rle' }));
    await put('pneumonia/IM0004', await dicomImageFile({ rows: SIDE, columns: SIDE, frames: [picture.map((value) => value * 16)], bitsAllocated: 16, bitsStored: 12, syntax: 'jpeg2000Lossless' }));
    await put('pneumonia/DICOMDIR', dicomDirFile());
    await put('pneumonia/SR0001', structuredReportFile());
    const whole = await dicomImageFile({ rows: SIDE, columns: SIDE, frames: [picture], bitsAllocated: 8, syntax: 'explicit' });
    await put('pneumonia/IM0005', whole.subarray(0, whole.length - 300));
  });

  afterAll(async () => {
    await rm(dicomRoot, { recursive: true, force: true });
  });

  it('reads DICOM files (with or without an extension) like PNGs: the same picture gives the same model input', async () => {
    const { dataset, skipped, notes } = await readImageFolder(dicomRoot, { sampleShape: [16, 16, 1], classes: ['normal', 'pneumonia'] });
    const byId = new Map(dataset.samples.map((sample) => [sample.id, sample]));
    expect([...byId.keys()]).toEqual(['normal/IM0001', 'normal/IM0002.dcm', 'normal/IM0003.dcm', 'normal/a.png', 'pneumonia/IM0004']);
    const fromPng = byId.get('normal/a.png')?.values;
    expect(fromPng).toBeDefined();
    for (const id of ['normal/IM0001', 'normal/IM0002.dcm', 'normal/IM0003.dcm']) {
      const values = byId.get(id)?.values ?? new Float32Array();
      expect(Math.max(...values.map((value, i) => Math.abs(value - (fromPng?.[i] ?? Number.NaN))))).toBeLessThan(1e-6);
    }
    expect(byId.get('pneumonia/IM0004')?.label).toBe(1);
    expect(notes).toEqual([{ path: 'normal/IM0003.dcm', note: 'DICOM with 2 frames: the first is used' }]);
    expect(skipped.map((file) => file.path)).toEqual(['pneumonia/DICOMDIR', 'pneumonia/IM0005', 'pneumonia/SR0001']);
    expect(skipped[0]?.reason).toBe('a DICOMDIR (the index of a DICOM folder), not an image');
    expect(skipped[1]?.reason).toMatch(/^truncated/);
    expect(skipped[2]?.reason).toBe('a structured report, not an image');
  });
});

describe('readImageFolder with a labels CSV', () => {
  const SIDE = 8;
  let root: string;
  const uid = (n: number): string => `1.2.826.0.1.3680043.8.498.${n}`;

  beforeAll(async () => {
    const { dicomImageFile } = await import('../../dicom/testing/dicom_writer');
    root = await mkdtemp(path.join(tmpdir(), 'labelled-folder-'));
    const level = (n: number): number[] => new Array<number>(SIDE * SIDE).fill(n * 20);
    // A PACS export: one folder per series (not per class), files named by number.
    for (const n of [1, 2, 3, 4, 5]) await put(root, `series${n % 2}/IM000${n}`, await dicomImageFile({ rows: SIDE, columns: SIDE, frames: [level(n)], bitsAllocated: 8, windows: [{ center: 128, width: 256 }], syntax: 'explicit', sopInstanceUid: uid(n) }));
    await put(root, 'photos/a.png', pngBytes(SIDE, SIDE, [10, 10, 10]));
    await put(root, 'photos/b.png', pngBytes(SIDE, SIDE, [200, 200, 200]));
    await put(root, 'labels.csv', ['SOPInstanceUID,diagnosis', `${uid(1)},normal`, `${uid(2)},Pneumonia`, `${uid(3)},covid`, `${uid(9)},normal`, 'photos/a.png,pneumonia', ',normal'].join('\n'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('labels by path or SOP Instance UID, whatever the folders, and names every file and row it could not use', async () => {
    const result = await readImageFolder(root, { sampleShape: [SIDE, SIDE, 1], classes: ['normal', 'pneumonia'], labels: path.join(root, 'labels.csv') });
    expect(result.dataset.samples.map((sample) => [sample.id, sample.label])).toEqual([
      ['photos/a.png', 1],
      ['series0/IM0002', 1],
      ['series1/IM0001', 0],
    ]);
    // Each DICOM file's pixels are its own: the labels went to the right files.
    expect(mean(result.dataset.samples[2]?.values ?? new Float32Array())).toBeLessThan(mean(result.dataset.samples[1]?.values ?? new Float32Array()));
    expect(result.skipped).toEqual([
      { path: 'labels.csv, line 7', reason: 'no file name or SOP Instance UID' },
      { path: 'photos/b.png', reason: 'not listed in the CSV' },
      { path: 'series0/IM0004', reason: 'not listed in the CSV, by path, file name or SOP Instance UID' },
      { path: 'series1/IM0003', reason: 'unknown class "covid" (study classes: normal, pneumonia)' },
      { path: 'series1/IM0005', reason: 'not listed in the CSV, by path, file name or SOP Instance UID' },
    ]);
    expect(result.unknownClasses).toEqual(['covid']);
    expect(result.unlistedRows).toEqual([uid(9)]);
  });

  it('says when the CSV cannot be read or holds no usable row', async () => {
    await expect(readImageFolder(root, { sampleShape: [SIDE, SIDE, 1], labels: path.join(root, 'missing.csv') })).rejects.toThrow(/Labels CSV ".*missing\.csv" cannot be read \(ENOENT\)/);
    await put(root, 'empty.csv', 'file,label\n,normal\n');
    await expect(readImageFolder(root, { sampleShape: [SIDE, SIDE, 1], labels: path.join(root, 'empty.csv') })).rejects.toThrow(/has no usable rows.*line 2: no file name or SOP Instance UID/);
    await expect(readImageFolder(path.join(root, 'nowhere'), { sampleShape: [SIDE, SIDE, 1], labels: path.join(root, 'labels.csv') })).rejects.toThrow(/Image folder ".*nowhere" does not exist/);
  });
});
