import { describe, expect, it } from 'vitest';
import { assignLabels, normalizePath, type PickedFile } from './assign_labels';
import { parseCsvLabels } from './csv_labels';

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
  const csv = parseCsvLabels('file,label\nimg/a.png,Normal\nb.png,pneumonia\nmissing.png,normal\n').rows;

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
    const rows = parseCsvLabels('a.png,normal\na.png,pneumonia\n').rows;
    expect(assignLabels(picked('d/a.png'), rows).skipped[0]?.reason).toBe('listed more than once in the CSV with different labels');
  });

  it('falls back to folders when the CSV has no usable rows', () => {
    expect(assignLabels(picked('d/normal/a.png'), []).labelSource).toBe('folders');
  });
});
