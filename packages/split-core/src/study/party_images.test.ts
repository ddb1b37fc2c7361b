import { describe, expect, it } from 'vitest';
import { TabularError } from '../data/tabular';
import { StudyConfigSchema, VerticalStudyConfigSchema, type PartiesStudyConfig } from './config';
import { imagePathInFolder, partyRowsFromImages, type PartyImageLoader } from './party_images';
import { PartyRowsError } from './party_rows';

const study = {
  name: 'scans and labs',
  topology: 'vertical',
  classes: ['benign', 'malignant'],
  schedule: 'round-robin',
  parties: [
    { name: 'Imaging', input: { image: [2, 2, 1] } },
    { name: 'Labs', input: { columns: ['crp'] } },
  ],
  labelColumn: 'diagnosis',
};
const imagingHoldsLabels = VerticalStudyConfigSchema.parse(study);
const labsHoldLabels = VerticalStudyConfigSchema.parse({ ...study, labelHolder: 1 });

/** A constant image of the shape asked for: a loader that was given the wrong shape yields rows the party cannot use. */
const pixels = (level: number, [height, width, channels]: readonly number[]): Float32Array => new Float32Array((height ?? 0) * (width ?? 0) * (channels ?? 0)).fill(level);

/** The files a clinician has, by path relative to the CSV's folder; 'broken.png' is not an image. */
function folder(files: Record<string, number>, requested: string[] = []): PartyImageLoader {
  return (relativePath, shape) => {
    requested.push(relativePath);
    if (relativePath === 'broken.png') return Promise.reject(new Error('not a PNG or JPEG image'));
    const level = files[relativePath];
    // Settles out of order, as real reads do: the rows must still come back in CSV order.
    return new Promise((resolve) => setTimeout(() => resolve(level === undefined ? undefined : pixels(level, shape)), level === undefined ? 0 : (10 - level * 10) % 7));
  };
}

describe('partyRowsFromImages', () => {
  it('at the label holder: each row’s image and label in CSV order, every unusable row listed with its reason and no image loaded for it', async () => {
    const csv = [
      'patient_id,file,diagnosis',
      'a,scans/a.png,benign', // line 2
      'b,./scans/../scans/b.png,MALIGNANT', // line 3: normalized inside the folder
      ',scans/x.png,benign', // line 4: no id
      'd,scans/d.png,benign', // line 5: duplicate id
      'd,scans/d2.png,benign', // line 6: duplicate id
      'e,,benign', // line 7: no file
      'f,scans/missing.png,benign', // line 8: not there
      'g,broken.png,benign', // line 9: not an image
      'h,scans/h.png,unknown', // line 10: unknown label
      'i,scans/i.png,', // line 11: no label
      'j,../secrets.png,benign', // line 12: leaves the folder
      'k,/etc/passwd,benign', // line 13: absolute
      'l,scans\\l.png,malignant', // line 14: a Windows path
    ].join('\n');
    const requested: string[] = [];
    const progress: [number, number][] = [];
    const rows = await partyRowsFromImages(imagingHoldsLabels, 0, csv, folder({ 'scans/a.png': 0.1, 'scans/b.png': 0.2, 'scans/d.png': 0.3, 'scans/h.png': 0.4, 'scans/i.png': 0.5, 'scans/l.png': 0.6 }, requested), {
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(rows.labelled).toBe(true);
    expect(rows.columns).toEqual([]);
    expect(rows.data.sampleShape).toEqual([2, 2, 1]);
    expect(rows.data.classes).toEqual(['benign', 'malignant']);
    expect(rows.data.samples.map((sample) => [sample.id, sample.label, sample.values[0]])).toEqual([
      ['a', 0, expect.closeTo(0.1)],
      ['b', 1, expect.closeTo(0.2)],
      ['l', 1, expect.closeTo(0.6)],
    ]);
    expect(rows.skipped.map((skip) => skip.path)).toEqual(['line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'line 10', 'line 11', 'line 12', 'line 13']);
    const reasons = rows.skipped.map((skip) => skip.reason);
    expect(reasons[0]).toMatch(/no value in the id column "patient_id"/);
    expect(reasons[1]).toMatch(/id "d" appears on more than one line \(first on line 5\).*none is used/);
    expect(reasons[2]).toMatch(/id "d" appears on more than one line/);
    expect(reasons[3]).toMatch(/no image file in column "file"/);
    expect(reasons[4]).toMatch(/"scans\/missing.png" is not there/);
    expect(reasons[5]).toMatch(/"broken.png" cannot be used as an image \(not a PNG or JPEG image\)/);
    expect(reasons[6]).toMatch(/label "unknown" is not one of the study's classes \(benign, malignant\)/);
    expect(reasons[7]).toMatch(/no label in column "diagnosis"/);
    expect(reasons[8]).toMatch(/"\.\.\/secrets.png" leaves the CSV’s folder/);
    expect(reasons[9]).toMatch(/"\/etc\/passwd" is an absolute path/);
    // Only rows that could be used were loaded; nothing outside the folder was asked for.
    expect(requested.sort()).toEqual(['broken.png', 'scans/a.png', 'scans/b.png', 'scans/l.png', 'scans/missing.png']);
    expect(progress.at(-1)).toEqual([5, 5]);
    expect(progress.map(([done]) => done)).toEqual([1, 2, 3, 4, 5]);
  });

  it('at a party without the labels: no label column needed or read, and the id column may be named differently', async () => {
    const rows = await partyRowsFromImages(labsHoldLabels, 0, 'mrn,file,diagnosis\nx,x.png,malignant\ny,y.png,whatever', folder({ 'x.png': 0.25, 'y.png': 0.75 }), { idColumn: 'mrn' });
    expect(rows.labelled).toBe(false);
    expect(rows.data.samples.map((sample) => [sample.id, sample.label, [...sample.values]])).toEqual([
      ['x', 0, [0.25, 0.25, 0.25, 0.25]],
      ['y', 0, [0.75, 0.75, 0.75, 0.75]],
    ]);
    expect(rows.skipped).toEqual([]);
    expect((await partyRowsFromImages(labsHoldLabels, 0, 'patient_id,file\nx,x.png', folder({ 'x.png': 0 }))).data.samples).toHaveLength(1);
  });

  it('refuses a CSV without the id, file or (at the label holder) label column, naming it and the columns the CSV has', async () => {
    const none = folder({});
    await expect(partyRowsFromImages(imagingHoldsLabels, 0, 'mrn,file,diagnosis\nx,x.png,benign', none)).rejects.toThrow(TabularError);
    await expect(partyRowsFromImages(imagingHoldsLabels, 0, 'mrn,file,diagnosis\nx,x.png,benign', none)).rejects.toThrow(/no id column "patient_id" in the CSV \(its columns: mrn, file, diagnosis\)/);
    await expect(partyRowsFromImages(imagingHoldsLabels, 0, 'patient_id,image,diagnosis\nx,x.png,benign', none)).rejects.toThrow(/no image file column "file" in the CSV \(its columns: patient_id, image, diagnosis\)/);
    await expect(partyRowsFromImages(imagingHoldsLabels, 0, 'patient_id,file\nx,x.png', none)).rejects.toThrow(/no label column "diagnosis" in the CSV \(its columns: patient_id, file\)/);
    await expect(partyRowsFromImages(imagingHoldsLabels, 0, '', none)).rejects.toThrow(/no header row/);
  });

  it('refuses a party that holds a table or does not exist, saying which to choose', async () => {
    await expect(partyRowsFromImages(imagingHoldsLabels, 1, 'patient_id,file\nx,x.png', folder({}))).rejects.toThrow(PartyRowsError);
    await expect(partyRowsFromImages(imagingHoldsLabels, 1, 'patient_id,file\nx,x.png', folder({}))).rejects.toThrow(/holds a table, not images/);
    await expect(partyRowsFromImages(imagingHoldsLabels, 2, 'patient_id,file\nx,x.png', folder({}))).rejects.toThrow(/no party 2: its parties are 0 \(Imaging\), 1 \(Labs\)/);
  });

  it('skips an image the loader gives in another shape', async () => {
    const rows = await partyRowsFromImages(labsHoldLabels, 0, 'patient_id,file\nx,x.png', () => Promise.resolve(new Float32Array(3)));
    expect(rows.data.samples).toEqual([]);
    expect(rows.skipped.map((skip) => [skip.path, skip.reason])).toEqual([['line 2', expect.stringMatching(/gave 3 values, not the party's 2×2×1/)]]);
  });
});

describe('imagePathInFolder', () => {
  it('keeps paths inside the CSV’s folder, normalized, and refuses the rest', () => {
    expect(imagePathInFolder('a.png')).toEqual({ path: 'a.png' });
    expect(imagePathInFolder('./scans//b.png')).toEqual({ path: 'scans/b.png' });
    expect(imagePathInFolder('scans\\2024\\c.png')).toEqual({ path: 'scans/2024/c.png' });
    expect(imagePathInFolder('scans/../d.png')).toEqual({ path: 'd.png' });
    const refusal = (text: string): string => {
      const result = imagePathInFolder(text);
      return 'problem' in result ? result.problem : `kept as ${result.path}`;
    };
    expect(refusal('scans/../../d.png')).toMatch(/leaves the CSV’s folder/);
    expect(refusal('/abs/e.png')).toMatch(/absolute/);
    expect(refusal('C:\\scans\\e.png')).toMatch(/absolute/);
    expect(refusal('\\\\server\\share\\e.png')).toMatch(/absolute/);
    expect(refusal('scans/..')).toMatch(/names a folder/);
  });

  it('at a multi-task label holder: each image’s row brings every task’s label, checked against its classes', async () => {
    const multiTask = StudyConfigSchema.parse({ ...study, topology: 'multi-task', tasks: [{ name: 'grade', classes: ['low', 'high'] }] }) as PartiesStudyConfig;
    const csv = ['patient_id,file,diagnosis,grade', 'a,a.png,benign,high', 'b,b.png,malignant,LOW', 'c,c.png,benign,', 'd,d.png,benign,severe'].join('\n');
    const rows = await partyRowsFromImages(multiTask, 0, csv, folder({ 'a.png': 0.1, 'b.png': 0.2, 'c.png': 0.3, 'd.png': 0.4 }));
    expect(rows.data.tasks).toEqual([{ name: 'grade', classes: ['low', 'high'] }]);
    expect(rows.data.samples.map((sample) => [sample.id, sample.label, sample.tasks])).toEqual([
      ['a', 0, [1]],
      ['b', 1, [0]],
    ]);
    expect(rows.skipped.map((skipped) => skipped.reason)).toEqual(['no label in task column "grade"', '"severe" in task column "grade" is not one of its classes (low, high)']);
    await expect(partyRowsFromImages(multiTask, 0, 'patient_id,file,diagnosis\na,a.png,benign', folder({ 'a.png': 0.1 }))).rejects.toThrow(/grade/);
  });
});
