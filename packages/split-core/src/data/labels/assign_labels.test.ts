import { describe, expect, it } from 'vitest';
import { assignLabels, labelByUid, normalizePath, uidsWithoutFile, type PickedFile } from './assign_labels';
import { parseLabelManifest } from './label_manifest';

function picked(...paths: string[]): PickedFile<string>[] {
  return paths.map((path) => ({ path, file: path }));
}

describe('assignLabels from folders', () => {
  it('labels each image with the folder that holds it and lists what is not an image', () => {
    const result = assignLabels(picked('train/normal/a.png', 'train/Pneumonia/b.JPG', 'train/pneumonia/c.jpeg', 'train/notes.txt', 'train/normal/.DS_Store'));
    expect(result.labelSource).toBe('folders');
    expect(result.images.map(({ path, label }) => [path, label])).toEqual([
      ['train/normal/a.png', 'normal'],
      ['train/Pneumonia/b.JPG', 'Pneumonia'],
      ['train/pneumonia/c.jpeg', 'pneumonia'],
    ]);
    expect(result.skipped).toEqual([
      { path: 'train/notes.txt', reason: 'not a PNG, JPEG or DICOM image' },
      { path: 'train/normal/.DS_Store', reason: 'hidden file' },
    ]);
  });

  it('takes DICOM exports as they come: .dcm, no extension, a UID for a name; skips the DICOMDIR by name', () => {
    const result = assignLabels(picked('export/normal/IM0001', 'export/normal/a.dcm', 'export/pneumonia/1.2.840.113619.2.55.3.604688119', 'export/DICOMDIR', 'export/pneumonia/DICOMDIR'));
    expect(result.images.map(({ path, label }) => [path, label])).toEqual([
      ['export/normal/IM0001', 'normal'],
      ['export/normal/a.dcm', 'normal'],
      ['export/pneumonia/1.2.840.113619.2.55.3.604688119', 'pneumonia'],
    ]);
    expect(result.skipped.map((file) => file.reason)).toEqual(['a DICOMDIR (the index of a DICOM folder), not an image', 'a DICOMDIR (the index of a DICOM folder), not an image']);
  });

  it('cannot label loose files without a folder or a CSV, and says so', () => {
    const result = assignLabels(picked('a.png'));
    expect(result.images).toEqual([]);
    expect(result.skipped[0]?.reason).toMatch(/folder named after its class, or add a CSV/);
  });

  it('never treats the CSV itself as a skipped file', () => {
    expect(assignLabels(picked('data/labels.csv', 'data/x/a.png')).skipped).toEqual([]);
  });

  it('normalizes Windows separators and leading ./', () => {
    expect(normalizePath('.\\train\\normal\\a.png')).toBe('train/normal/a.png');
    expect(assignLabels(picked('train\\normal\\a.png')).images[0]?.label).toBe('normal');
  });
});

describe('assignLabels from a CSV', () => {
  const csv = parseLabelManifest('file,label\nimg/a.png,Normal\nb.png,pneumonia\nmissing.png,normal\n').rows;

  it('prefers the CSV over folder names and matches by path below the picked folder or by bare name', () => {
    const result = assignLabels(picked('scans/img/a.png', 'scans/other/B.PNG', 'scans/img/c.png'), csv);
    expect(result.labelSource).toBe('csv');
    expect(result.images.map(({ path, label }) => [path, label])).toEqual([
      ['scans/img/a.png', 'Normal'],
      ['scans/other/B.PNG', 'pneumonia'],
    ]);
    expect(result.skipped).toEqual([{ path: 'scans/img/c.png', reason: 'not listed in the CSV' }]);
    expect(result.csvRowsWithoutFile).toEqual(['missing.png']);
  });

  it('refuses a bare CSV name that matches images in two folders', () => {
    const result = assignLabels(picked('x/one/b.png', 'x/two/b.png'), csv);
    expect(result.images).toEqual([]);
    expect(result.skipped.map((entry) => entry.reason)).toEqual([
      'its file name appears in several folders: list it in the CSV with its folder',
      'its file name appears in several folders: list it in the CSV with its folder',
    ]);
  });

  it('refuses a file listed twice with different labels', () => {
    const rows = parseLabelManifest('a.png,normal\na.png,pneumonia\n').rows;
    expect(assignLabels(picked('d/a.png'), rows).skipped[0]?.reason).toBe('listed more than once in the CSV with different labels');
  });

  it('falls back to folders when the CSV has no usable rows', () => {
    expect(assignLabels(picked('d/normal/a.png'), []).labelSource).toBe('folders');
  });
});

describe('assignLabels from a CSV keyed by SOP Instance UID', () => {
  const uidA = '1.2.826.0.1.3680043.8.498.1';
  const uidB = '1.2.826.0.1.3680043.8.498.2';
  const csv = parseLabelManifest(`SOPInstanceUID,label\n${uidA},normal\n${uidB},pneumonia\n1.2.3.4,normal\n`).rows;

  it('leaves files that may be DICOM to be labelled once read, and skips PNG and JPEG files it cannot list', () => {
    const result = assignLabels(picked('export/IM0001', 'export/IM0002.dcm', 'export/photo.png'), csv);
    expect(result.labelSource).toBe('csv');
    expect(result.images).toEqual([]);
    expect(result.byUid.map((entry) => entry.path)).toEqual(['export/IM0001', 'export/IM0002.dcm']);
    expect(result.skipped).toEqual([{ path: 'export/photo.png', reason: 'not listed in the CSV' }]);
    // UID rows are not reported as missing before the files are read.
    expect(result.csvRowsWithoutFile).toEqual([]);
    expect(result.uidLabels.labels).toEqual({ [uidA]: 'normal', [uidB]: 'pneumonia', '1.2.3.4': 'normal' });
  });

  it('labels by the UID in the header once read, and says why a file has none', () => {
    const { uidLabels } = assignLabels(picked('export/IM0001'), csv);
    expect(labelByUid(uidLabels, uidB)).toEqual({ label: 'pneumonia' });
    expect(labelByUid(uidLabels, '1.2.9')).toEqual({ reason: 'not listed in the CSV, by path, file name or SOP Instance UID' });
    // Not DICOM after all: no UID to look up.
    expect(labelByUid(uidLabels, undefined)).toEqual({ reason: 'not listed in the CSV' });
    expect(uidsWithoutFile(uidLabels, new Set([uidA, uidB]))).toEqual(['1.2.3.4']);
  });

  it('matches a file named by its UID by name first, and does not wait for its header', () => {
    const result = assignLabels(picked(`export/${uidA}`, 'export/IM0002'), csv);
    expect(result.images.map(({ path, label }) => [path, label])).toEqual([[`export/${uidA}`, 'normal']]);
    expect(result.byUid.map((entry) => entry.path)).toEqual(['export/IM0002']);
    expect(Object.keys(result.uidLabels.labels)).not.toContain(uidA);
  });

  it('refuses a UID listed twice with different labels, once read', () => {
    const rows = parseLabelManifest(`${uidA},normal\n${uidA},pneumonia\n`).rows;
    const { uidLabels, byUid } = assignLabels(picked('export/IM0001'), rows);
    expect(byUid).toHaveLength(1);
    expect(labelByUid(uidLabels, uidA)).toEqual({ reason: 'its SOP Instance UID is listed more than once in the CSV with different labels' });
  });

  it('keeps a manifest of file names as it was: nothing waits for a header', () => {
    const rows = parseLabelManifest('a.dcm,normal\n').rows;
    const result = assignLabels(picked('x/a.dcm', 'x/b.dcm'), rows);
    expect(result.byUid).toEqual([]);
    expect(result.skipped).toEqual([{ path: 'x/b.dcm', reason: 'not listed in the CSV' }]);
  });
});
