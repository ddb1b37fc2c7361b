import { describe, expect, it } from 'vitest';
import { TabularError, csvHeader } from '../data/tabular';
import { StudyConfigSchema, VerticalStudyConfigSchema, type PartiesStudyConfig } from './config';
import { PartyRowsError, partyRowsFromCsv, serverLabelRows } from './party_rows';

const config = VerticalStudyConfigSchema.parse({
  name: 'two hospitals',
  topology: 'vertical',
  classes: ['benign', 'malignant'],
  schedule: 'round-robin',
  parties: [
    { name: 'Pathology', input: { columns: ['radius', 'texture'] } },
    { name: 'Radiology', input: { columns: ['density'] } },
    { name: 'Imaging', input: { image: [28, 14, 1] } },
  ],
  labelColumn: 'diagnosis',
});

const pathology = ['patient_id,texture,radius,diagnosis', 'a,1,2,benign', 'b,3,4,MALIGNANT', 'c,5,,benign', 'd,6,7,unknown'].join('\n');

describe('partyRowsFromCsv', () => {
  it('reads a multi-task label holder’s task columns, each against its task’s classes; another party reads none', () => {
    const multiTask = StudyConfigSchema.parse({ ...config, topology: 'multi-task', tasks: [{ name: 'grade', column: 'grade_text', classes: ['low', 'high'] }] }) as PartiesStudyConfig;
    const rows = partyRowsFromCsv(multiTask, 0, ['patient_id,texture,radius,diagnosis,grade_text', 'a,1,2,benign,HIGH', 'b,3,4,malignant,low', 'c,5,6,benign,', 'd,7,8,benign,severe'].join('\n'));
    expect(rows.data.tasks).toEqual([{ name: 'grade', classes: ['low', 'high'] }]);
    expect(rows.data.samples.map((sample) => [sample.id, sample.label, sample.tasks])).toEqual([
      ['a', 0, [1]],
      ['b', 1, [0]],
    ]);
    expect(rows.skipped.map((skip) => skip.reason)).toEqual(['no label in task column "grade_text"', '"severe" in task column "grade_text" is not one of its classes (low, high)']);
    expect(() => partyRowsFromCsv(multiTask, 0, 'patient_id,texture,radius,diagnosis\na,1,2,benign')).toThrow(/grade_text/);
    expect(partyRowsFromCsv(multiTask, 1, 'patient_id,density\nx,0.5').data.samples[0]?.tasks).toBeUndefined();
  });

  it('reads the label holder’s columns in the study’s order, with its labels, and lists the rows it cannot use', () => {
    const rows = partyRowsFromCsv(config, 0, pathology);
    expect(rows.labelled).toBe(true);
    expect(rows.columns).toEqual(['radius', 'texture']);
    expect(rows.data.samples.map((sample) => [sample.id, sample.label, [...sample.values]])).toEqual([
      ['a', 0, [2, 1]],
      ['b', 1, [4, 3]],
    ]);
    expect(rows.skipped.map((skip) => skip.path)).toEqual(['line 4', 'line 5']);
    expect(rows.skipped[1]?.reason).toMatch(/"unknown" is not one of the study's classes/);
  });

  it('takes no labels from another party, even when its table has them, and lets the id column be renamed', () => {
    const rows = partyRowsFromCsv(config, 1, 'mrn,density,diagnosis\nx,0.5,benign\ny,0.25,malignant', { idColumn: 'mrn' });
    expect(rows.labelled).toBe(false);
    expect(rows.data.samples.map((sample) => [sample.id, sample.label])).toEqual([
      ['x', 0],
      ['y', 0],
    ]);
    expect(() => partyRowsFromCsv(config, 1, 'mrn,density\nx,0.5')).toThrow(TabularError);
    expect(() => partyRowsFromCsv(config, 1, 'mrn,density\nx,0.5')).toThrow(/no id column "patient_id"/);
  });

  it('refuses a party that does not exist or holds images, saying which to choose', () => {
    expect(() => partyRowsFromCsv(config, 3, pathology)).toThrow(/no party 3: its parties are 0 \(Pathology\), 1 \(Radiology\), 2 \(Imaging\)/);
    expect(() => partyRowsFromCsv(config, 2, pathology)).toThrow(PartyRowsError);
  });

  it('names a CSV’s columns from its header line', () => {
    expect(csvHeader('\uFEFF patient_id , a,"b, c"\n1,2,3')).toEqual(['patient_id', 'a', 'b, c']);
    expect(csvHeader('')).toEqual([]);
  });

  it('reads the server’s table of labels (id and label only) when the server holds them, and then no party is labelled', () => {
    const serverHeld = VerticalStudyConfigSchema.parse({ ...config, labelHolder: 'server' });
    const labels = serverLabelRows(serverHeld, 'patient_id,diagnosis\na,benign\nb,malignant\nb,benign\nc,');
    expect(labels.data.samples.map((sample) => [sample.id, sample.label, sample.values.length])).toEqual([['a', 0, 0]]);
    expect(labels.skipped.map((skip) => skip.reason)).toEqual([expect.stringMatching(/"b" appears on more than one line/), expect.stringMatching(/"b" appears/), expect.stringMatching(/no label/)]);
    const clean = serverLabelRows(serverHeld, 'patient_id,diagnosis\na,benign\nb,MALIGNANT');
    expect(clean.data.samples.map((sample) => [sample.id, sample.label, sample.values.length])).toEqual([
      ['a', 0, 0],
      ['b', 1, 0],
    ]);
    expect(partyRowsFromCsv(serverHeld, 0, pathology).labelled).toBe(false);
    expect(() => serverLabelRows(serverHeld, 'patient_id,outcome\na,benign')).toThrow(/no label column "diagnosis"/);
  });
});
