import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { columnScaling, readTabularCsv, scaledSamples, TabularError } from './tabular';

const csv = [
  '\uFEFFpatient_id,age,"size, mm",note,diagnosis',
  'P1,50,12.5,first,Malignant',
  'P2,61,,"has, comma",benign',
  'P3,x,11,third,benign',
  'P4,40,9,fourth,benign',
  'P4,41,9.5,again,benign',
  'P5,70,20,fifth,unsure',
  ',33,7,no id,benign',
  'P6,55,14,"sixth",MALIGNANT',
  '',
].join('\n');

describe('readTabularCsv', () => {
  it('reads the numeric columns of usable rows and lists every other row with its reason', () => {
    const table = readTabularCsv(csv, { idColumn: 'patient_id', labelColumn: 'diagnosis', classes: ['benign', 'malignant'] });
    // 'note' is text, so not a feature; 'age' has one bad cell, but its column is numbers.
    expect(table.columns).toEqual(['size, mm']);
    expect(table.rows.map((row) => [row.id, [...row.values], row.label])).toEqual([
      ['P1', [12.5], 1],
      ['P3', [11], 0],
      ['P6', [14], 1],
    ]);
    expect(table.skipped).toEqual([
      { path: 'line 3', reason: 'missing value in column "size, mm"' },
      { path: 'line 5', reason: 'id "P4" appears on more than one line (first on line 5): its rows cannot be told apart, so none is used' },
      { path: 'line 6', reason: 'id "P4" appears on more than one line (first on line 5): its rows cannot be told apart, so none is used' },
      { path: 'line 7', reason: 'label "unsure" is not one of the study\'s classes (benign, malignant)' },
      { path: 'line 8', reason: 'no value in the id column "patient_id"' },
    ]);
  });

  it('takes the columns it is given, in order, and explains a bad cell in one of them', () => {
    const table = readTabularCsv(csv, { idColumn: 'patient_id', columns: ['size, mm', 'age'] });
    expect(table.rows.map((row) => row.id)).toEqual(['P1', 'P5', 'P6']);
    expect(table.rows[0]?.label).toBeUndefined();
    expect(table.skipped.find((skip) => skip.path === 'line 4')?.reason).toBe('"x" in column "age" is not a number');
  });

  it('refuses a table it cannot use at all, naming the columns it has', () => {
    expect(() => readTabularCsv(csv, { idColumn: 'id' })).toThrow(/no id column "id" in the CSV \(its columns: patient_id, age, size, mm, note, diagnosis\)/);
    expect(() => readTabularCsv(csv, { idColumn: 'patient_id', columns: ['weight'] })).toThrow(TabularError);
    expect(() => readTabularCsv('', { idColumn: 'patient_id' })).toThrow(/no header row/);
    expect(() => readTabularCsv('patient_id,note\nP1,a\n', { idColumn: 'patient_id' })).toThrow(/no numeric feature column/);
  });

  it('z-scores each column over the rows given', () => {
    const rows = [1, 2, 3, 4].map((value, i) => ({ id: `r${i}`, values: new Float32Array([value, 7]) }));
    const scaling = columnScaling(rows);
    const samples = scaledSamples(rows, scaling);
    expect(samples.map((sample) => sample.values[0])).toEqual([-1.3416407108306885, -0.4472135901451111, 0.4472135901451111, 1.3416407108306885]);
    // A constant column is centred, not divided by zero.
    expect(samples.map((sample) => sample.values[1])).toEqual([0, 0, 0, 0]);
  });
});

const breastCancer = path.join(process.env.SPLIT_DATA_DIR ?? path.resolve(import.meta.dirname, '../../../../../shared/data'), 'breast-cancer-wisconsin.csv');
if (!existsSync(breastCancer)) console.warn(`Skipping the breast-cancer table test: ${breastCancer} not found (set SPLIT_DATA_DIR to the shared data folder).`);

describe.skipIf(!existsSync(breastCancer))('the breast-cancer table (shared data)', () => {
  it('reads 569 patients, 30 features, 212 malignant', () => {
    const table = readTabularCsv(readFileSync(breastCancer, 'utf8'), { idColumn: 'patient_id', labelColumn: 'diagnosis', classes: ['benign', 'malignant'] });
    expect(table.rows).toHaveLength(569);
    expect(table.columns).toHaveLength(30);
    expect(table.rows.filter((row) => row.label === 1)).toHaveLength(212);
    expect(table.skipped).toEqual([]);
  });
});
