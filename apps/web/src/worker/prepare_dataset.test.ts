import { describe, expect, it } from 'vitest';
import type { ImageCandidate } from './messages';
import { prepareDataset, type DecodeImage } from './prepare_dataset';

const study = { classes: ['Normal', 'Pneumonia'], inputShape: [2, 2, 1], validationFraction: 0.25, seed: 7 };

function candidate(path: string, label: string, contents = 'ok'): ImageCandidate {
  return { path, label, file: new Blob([contents]) };
}

/** Stands in for createImageBitmap: a file whose text is 'bad' fails to decode. */
const fakeDecode: DecodeImage = async (file, shape) => {
  if ((await file.text()) === 'bad') throw new Error('not a valid PNG');
  return { values: new Float32Array(shape[0] * shape[1] * shape[2]).fill(0.5) };
};

describe('prepareDataset', () => {
  it('matches classes case-insensitively, decodes, and keeps a stratified validation split on the device', async () => {
    const files = [
      ...Array.from({ length: 8 }, (_, i) => candidate(`d/NORMAL/n${i}.png`, 'NORMAL')),
      ...Array.from({ length: 4 }, (_, i) => candidate(`d/pneumonia/p${i}.png`, 'pneumonia')),
    ];
    const progress: number[] = [];
    const prepared = await prepareDataset(files, study, fakeDecode, (done) => progress.push(done));
    expect(prepared.train.classes).toEqual(['Normal', 'Pneumonia']);
    expect(prepared.train.sampleShape).toEqual([2, 2, 1]);
    expect(prepared.classes.map(({ name, count, train, val }) => ({ name, count, train, val }))).toEqual([
      { name: 'Normal', count: 8, train: 6, val: 2 },
      { name: 'Pneumonia', count: 4, train: 3, val: 1 },
    ]);
    expect(prepared.train.samples).toHaveLength(9);
    expect(prepared.val.samples).toHaveLength(3);
    expect(prepared.classes[0]?.samplePaths).toHaveLength(4);
    expect(progress.at(-1)).toBe(12);
    expect(prepared.skipped).toEqual([]);
  });

  it('lists unknown classes and undecodable files, and trains on the rest', async () => {
    const prepared = await prepareDataset(
      [candidate('d/normal/a.png', 'normal'), candidate('d/normal/broken.png', 'normal', 'bad'), candidate('d/covid/c.png', 'covid')],
      study,
      fakeDecode,
    );
    expect(prepared.train.samples.length + prepared.val.samples.length).toBe(1);
    expect(prepared.skipped).toEqual([
      { path: 'd/covid/c.png', reason: 'class "covid" is not one of this study\'s classes (Normal, Pneumonia)' },
      { path: 'd/normal/broken.png', reason: 'could not be decoded as an image (not a valid PNG)' },
    ]);
  });

  it('lists the files used with a remark, and draws previews only of files an <img> cannot show', async () => {
    const noting: DecodeImage = async (file, shape) => ({ ...(await fakeDecode(file, shape)), ...((await file.text()) === 'frames' ? { note: 'DICOM with 3 frames: the first is used' } : {}) });
    const prepared = await prepareDataset([candidate('d/normal/a.png', 'normal'), candidate('d/normal/IM0001', 'normal', 'frames'), candidate('d/normal/b.dcm', 'normal')], study, noting);
    expect(prepared.notes).toEqual([{ path: 'd/normal/IM0001', note: 'DICOM with 3 frames: the first is used' }]);
    const normal = prepared.classes.find((item) => item.name.toLowerCase() === 'normal');
    expect(normal?.samplePaths).toEqual(['d/normal/IM0001', 'd/normal/a.png', 'd/normal/b.dcm']);
    expect(normal?.decoded?.map((image) => [image.path, image.height, image.width, image.channels, image.pixels[0]])).toEqual([
      ['d/normal/IM0001', 2, 2, 1, 128],
      ['d/normal/b.dcm', 2, 2, 1, 128],
    ]);
  });

  it('labels a file a CSV lists by SOP Instance UID once decoded, and lists what it could not label', async () => {
    // A file's text stands in for its DICOM header's UID ('png' for a file without one).
    const withUid: DecodeImage = async (file, shape) => {
      const text = await file.text();
      return { ...(await fakeDecode(file, shape)), ...(text === 'png' ? {} : { sopInstanceUid: text }) };
    };
    const pending = (path: string, uid: string): ImageCandidate => ({ path, file: new Blob([uid]) });
    const uidLabels = { labels: { '1.2.1': 'normal', '1.2.2': 'PNEUMONIA', '1.2.3': 'covid', '1.2.9': 'normal' }, conflicting: ['1.2.4'] };
    const prepared = await prepareDataset(
      [candidate('d/a.png', 'normal'), pending('d/IM1', '1.2.1'), pending('d/IM2', '1.2.2'), pending('d/IM3', '1.2.3'), pending('d/IM4', '1.2.4'), pending('d/IM5', '1.2.5'), pending('d/IM6', 'png')],
      study,
      withUid,
      undefined,
      uidLabels,
    );
    const labelled = [...prepared.train.samples, ...prepared.val.samples].map((sample) => [sample.id, sample.label]).sort();
    expect(labelled).toEqual([
      ['d/IM1', 0],
      ['d/IM2', 1],
      ['d/a.png', 0],
    ]);
    expect(prepared.skipped).toEqual([
      { path: 'd/IM3', reason: 'class "covid" is not one of this study\'s classes (Normal, Pneumonia)' },
      { path: 'd/IM4', reason: 'its SOP Instance UID is listed more than once in the CSV with different labels' },
      { path: 'd/IM5', reason: 'not listed in the CSV, by path, file name or SOP Instance UID' },
      { path: 'd/IM6', reason: 'not listed in the CSV' },
    ]);
    expect(prepared.uidsWithoutFile).toEqual(['1.2.9']);
  });

  it('picks the same validation files whatever order the browser lists them in', async () => {
    const files = Array.from({ length: 20 }, (_, i) => candidate(`d/normal/${String(i).padStart(2, '0')}.png`, 'normal'));
    const forward = await prepareDataset(files, study, fakeDecode);
    const reversed = await prepareDataset([...files].reverse(), study, fakeDecode);
    expect(reversed.val.samples.map((s) => s.id)).toEqual(forward.val.samples.map((s) => s.id));
  });

  it('refuses a study whose input is not an image', async () => {
    await expect(prepareDataset([], { ...study, inputShape: [30] }, fakeDecode)).rejects.toThrow(/not an image shape/);
  });
});
