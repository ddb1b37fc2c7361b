import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encode as encodeJpeg } from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudyInfo } from '../../protocol/messages';
import { HorizontalStudyConfigSchema, VerticalStudyConfigSchema } from '../../study/config';
import { loadLocalData } from './local_data';

// A vertical image party joining from disk: its mapping CSV beside real PNG and JPEG files,
// decoded by the Node decoder to the party's shape; the rows and skips the client would join with.

/** A PNG of one gray level, `colorType` 0 = gray, 6 = RGBA. */
function grayPng(size: number, level: number, colorType: 0 | 6 = 0): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let i = 0; i < size * size; i++) png.data.set([level, level, level, 255], i * 4);
  return PNG.sync.write(png, { colorType });
}

function grayJpeg(size: number, level: number): Buffer {
  const rgba = Buffer.alloc(size * size * 4);
  for (let i = 0; i < size * size; i++) rgba.set([level, level, level, 255], i * 4);
  return encodeJpeg({ data: rgba, width: size, height: size }, 95).data;
}

const config = VerticalStudyConfigSchema.parse({
  name: 'scans and labs',
  topology: 'vertical',
  classes: ['no', 'yes'],
  schedule: 'round-robin',
  parties: [
    { name: 'Imaging', input: { image: [8, 8, 1] } },
    { name: 'Labs', input: { columns: ['crp'] } },
  ],
  labelColumn: 'outcome',
});
const studyInfo = (labelHolder: number): StudyInfo => ({ id: 'study-1', config: { ...config, labelHolder }, state: 'open', round: 0 });

let scratch: string;
let dataDir: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'image-party-'));
  dataDir = path.join(scratch, 'imaging');
  await mkdir(path.join(dataDir, 'scans'), { recursive: true });
  await writeFile(path.join(dataDir, 'scans', 'a.png'), grayPng(8, 51));
  // Larger and RGBA: resized and converted to the party's 8x8 gray.
  await writeFile(path.join(dataDir, 'scans', 'b.png'), grayPng(32, 204, 6));
  await writeFile(path.join(dataDir, 'scans', 'c.jpg'), grayJpeg(16, 102));
  await writeFile(path.join(dataDir, 'broken.png'), 'this is not an image');
  await writeFile(path.join(scratch, 'outside.png'), grayPng(8, 255));
  await symlink(path.join(scratch, 'outside.png'), path.join(dataDir, 'link.png'));
  await writeFile(
    path.join(dataDir, 'mapping.csv'),
    [
      'patient_id,file,outcome',
      'P1,scans/a.png,no',
      'P2,scans\\b.png,YES',
      'P3,./scans/c.jpg,no',
      'P4,broken.png,no',
      'P5,scans/missing.png,yes',
      'P6,../outside.png,no',
      'P7,link.png,no',
      'P8,scans,no',
      'P9,scans/a.png,maybe',
    ].join('\n'),
  );
  await writeFile(path.join(scratch, 'labs.csv'), 'patient_id,crp\nP1,3.5\nP2,7');
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('loadLocalData for a vertical party', () => {
  it('an image party’s mapping CSV: each patient’s image decoded from disk to the party’s shape, labels at the label holder, every unusable row with its reason', async () => {
    const data = await loadLocalData(studyInfo(0), { source: path.join(dataDir, 'mapping.csv'), party: 0 });
    expect(data.labelled).toBe(true);
    expect(data.train.samples).toEqual([]);
    expect(data.rows?.sampleShape).toEqual([8, 8, 1]);
    const samples = data.rows?.samples ?? [];
    expect(samples.map((sample) => [sample.id, sample.label, sample.values.length])).toEqual([
      ['P1', 0, 64],
      ['P2', 1, 64],
      ['P3', 0, 64],
    ]);
    expect(samples[0]?.values.every((value) => Math.abs(value - 0.2) < 1e-6)).toBe(true);
    expect(samples[1]?.values.every((value) => Math.abs(value - 0.8) < 1e-6)).toBe(true);
    // JPEG is lossy: near its level, not exact.
    expect(samples[2]?.values.every((value) => Math.abs(value - 0.4) < 0.03)).toBe(true);
    expect(data.skipped.map((skip) => [skip.path, skip.reason])).toEqual([
      ['line 5', expect.stringMatching(/"broken.png" cannot be used as an image \(not a PNG, JPEG or DICOM image\)/)],
      ['line 6', expect.stringMatching(/"scans\/missing.png" is not there/)],
      ['line 7', expect.stringMatching(/"\.\.\/outside.png" leaves the CSV’s folder/)],
      ['line 8', expect.stringMatching(/"link.png" cannot be used as an image \(a link to a file outside the CSV’s folder/)],
      ['line 9', expect.stringMatching(/"scans" cannot be used as an image \(a folder, not an image file\)/)],
      ['line 10', expect.stringMatching(/label "maybe" is not one of the study's classes/)],
    ]);
  });

  it('an image party without the labels needs no label column; a table party in the same study still reads its columns', async () => {
    const images = await loadLocalData(studyInfo(1), { source: path.join(dataDir, 'mapping.csv'), party: 0 });
    expect(images.labelled).toBe(false);
    expect(images.rows?.samples.map((sample) => [sample.id, sample.label])).toEqual([
      ['P1', 0],
      ['P2', 0],
      ['P3', 0],
      ['P9', 0],
    ]);
    const table = await loadLocalData(studyInfo(0), { source: path.join(scratch, 'labs.csv'), party: 1 });
    expect(table.rows?.samples.map((sample) => [sample.id, [...sample.values]])).toEqual([
      ['P1', [3.5]],
      ['P2', [7]],
    ]);
  });

  it('says what --data must be when it is a folder or missing, and what the mapping CSV lacks', async () => {
    await expect(loadLocalData(studyInfo(0), { source: dataDir, party: 0 })).rejects.toThrow(/is a folder: give the mapping CSV of this image party/);
    await expect(loadLocalData(studyInfo(0), { source: path.join(scratch, 'nope.csv'), party: 0 })).rejects.toThrow(/does not exist/);
    await expect(loadLocalData(studyInfo(0), { source: path.join(scratch, 'labs.csv'), party: 0 })).rejects.toThrow(/no image file column "file" in the CSV \(its columns: patient_id, crp\)/);
    await expect(loadLocalData(studyInfo(0), { source: path.join(dataDir, 'mapping.csv'), party: 1 })).rejects.toThrow(/no feature column "crp"/);
  });
});

describe('loadLocalData with a labels CSV (npm run client -- --labels)', () => {
  const horizontal = (): StudyInfo => ({
    id: 'study-2',
    config: HorizontalStudyConfigSchema.parse({ name: 'flat export', model: 'cnn-small', inputShape: [8, 8, 1], classes: ['normal', 'pneumonia'], topology: 'vanilla', schedule: 'round-robin', validationFraction: 0.25, seed: 3 }),
    state: 'open',
    round: 0,
  });

  it('labels a folder without class folders from the CSV and keeps a stratified share for validation', async () => {
    const flat = path.join(scratch, 'flat');
    await mkdir(flat, { recursive: true });
    const rows = ['file,label'];
    for (let i = 0; i < 8; i++) {
      await writeFile(path.join(flat, `im${i}.png`), grayPng(8, 20 * i));
      rows.push(`im${i}.png,${i % 2 === 0 ? 'normal' : 'PNEUMONIA'}`);
    }
    await writeFile(path.join(flat, 'labels.csv'), rows.join('\n'));
    const local = await loadLocalData(horizontal(), { source: flat, labels: path.join(flat, 'labels.csv') });
    const all = [...local.train.samples, ...local.val.samples].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(all.map((sample) => [sample.id, sample.label])).toEqual(Array.from({ length: 8 }, (_, i) => [`im${i}.png`, i % 2]));
    // Stratified: one of each class's four kept for validation.
    expect(local.val.samples.map((sample) => sample.label).sort()).toEqual([0, 1]);
    expect(local.skipped).toEqual([]);
  });

  it('refuses --labels where it labels nothing: the demo images, a vertical party', async () => {
    await expect(loadLocalData(horizontal(), { source: 'demo', labels: 'labels.csv' })).rejects.toThrow(/--labels labels a folder of images/);
    await expect(loadLocalData(studyInfo(0), { source: path.join(dataDir, 'mapping.csv'), party: 0, labels: 'labels.csv' })).rejects.toThrow(/a vertical party’s CSV holds its own labels/);
  });
});
