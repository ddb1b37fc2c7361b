import { describe, expect, it } from 'vitest';
import { parseCsvLabels, parseCsvRecords } from './csv_labels';

describe('parseCsvLabels', () => {
  it('reads file,label rows without a header', () => {
    expect(parseCsvLabels('a.png,normal\nb.png,pneumonia\n')).toEqual({
      rows: [
        { file: 'a.png', label: 'normal' },
        { file: 'b.png', label: 'pneumonia' },
      ],
      problems: [],
    });
  });

  it('skips a header and honours its column order', () => {
    expect(parseCsvLabels('label,filename\nnormal,a.png\n').rows).toEqual([{ file: 'a.png', label: 'normal' }]);
    expect(parseCsvLabels('file,label\r\na.png,normal\r\n').rows).toEqual([{ file: 'a.png', label: 'normal' }]);
  });

  it('strips the UTF-8 byte-order mark Excel writes', () => {
    expect(parseCsvLabels('\uFEFFfile,label\na.png,normal').rows).toEqual([{ file: 'a.png', label: 'normal' }]);
  });

  it('handles quoted fields with commas, escaped quotes and line breaks', () => {
    const text = 'file,label\n"scans/a, left.png","Pneumonia ""viral"""\n"b\nc.png",normal\n';
    expect(parseCsvLabels(text).rows).toEqual([
      { file: 'scans/a, left.png', label: 'Pneumonia "viral"' },
      { file: 'b\nc.png', label: 'normal' },
    ]);
  });

  it('accepts semicolon- and tab-separated exports', () => {
    expect(parseCsvLabels('file;label\na.png;normal').rows).toEqual([{ file: 'a.png', label: 'normal' }]);
    expect(parseCsvLabels('a.png\tnormal').rows).toEqual([{ file: 'a.png', label: 'normal' }]);
  });

  it('reports rows without a label or file, with their line, and ignores blank lines', () => {
    const { rows, problems } = parseCsvLabels('a.png,normal\n\nb.png,\n,normal\n');
    expect(rows).toEqual([{ file: 'a.png', label: 'normal' }]);
    expect(problems).toEqual([
      { line: 3, reason: 'no label for b.png' },
      { line: 4, reason: 'no file name' },
    ]);
  });

  it('reports an unterminated quote instead of swallowing the rest of the file silently', () => {
    const { problems } = parseCsvLabels('a.png,normal\n"b.png,normal\nc.png,normal');
    expect(problems).toEqual([{ line: 2, reason: 'a quoted field is never closed (missing ")' }]);
  });

  it('numbers records by the line they start on, counting line breaks inside quotes', () => {
    const { records } = parseCsvRecords('"a\nb",x\nc,y');
    expect(records.map((record) => record.line)).toEqual([1, 3]);
  });
});
