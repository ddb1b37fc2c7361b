import { describe, expect, it } from 'vitest';
import { isDicomUid, parseLabelManifest } from './label_manifest';

function keysAndLabels(text: string): { key: string; label: string }[] {
  return parseLabelManifest(text).rows.map(({ key, label }) => ({ key, label }));
}

describe('parseLabelManifest', () => {
  it('reads key,label rows without a header, with the line of each', () => {
    expect(parseLabelManifest('a.png,normal\nb.png,pneumonia\n')).toEqual({
      rows: [
        { key: 'a.png', label: 'normal', line: 1 },
        { key: 'b.png', label: 'pneumonia', line: 2 },
      ],
      problems: [],
    });
  });

  it('skips a header and honours its column order', () => {
    expect(keysAndLabels('label,filename\nnormal,a.png\n')).toEqual([{ key: 'a.png', label: 'normal' }]);
    expect(keysAndLabels('file,label\r\na.png,normal\r\n')).toEqual([{ key: 'a.png', label: 'normal' }]);
  });

  it('takes a SOP Instance UID column under the names DICOM tools give it', () => {
    for (const header of ['SOPInstanceUID', 'sop_instance_uid', 'SOP Instance UID', 'uid', '"(0008,0018)"']) {
      expect(keysAndLabels(`patient,diagnosis,${header}\nP1,pneumonia,1.2.840.10008.1\n`), header).toEqual([{ key: '1.2.840.10008.1', label: 'pneumonia' }]);
    }
  });

  it('strips the UTF-8 byte-order mark Excel writes', () => {
    expect(keysAndLabels('\uFEFFfile,label\na.png,normal')).toEqual([{ key: 'a.png', label: 'normal' }]);
  });

  it('handles quoted fields with commas, escaped quotes and line breaks', () => {
    const text = 'file,label\n"scans/a, left.png","Pneumonia ""viral"""\n"b\nc.png",normal\nd.png,normal\n';
    expect(parseLabelManifest(text).rows).toEqual([
      { key: 'scans/a, left.png', label: 'Pneumonia "viral"', line: 2 },
      { key: 'b\nc.png', label: 'normal', line: 3 },
      // Counted past the line break inside the quotes.
      { key: 'd.png', label: 'normal', line: 5 },
    ]);
  });

  it('accepts semicolon- and tab-separated exports', () => {
    expect(keysAndLabels('file;label\na.png;normal')).toEqual([{ key: 'a.png', label: 'normal' }]);
    expect(keysAndLabels('a.png\tnormal')).toEqual([{ key: 'a.png', label: 'normal' }]);
  });

  it('reports rows without a label or key, with their line, and ignores blank lines', () => {
    const { rows, problems } = parseLabelManifest('a.png,normal\n\n  \nb.png,\n,normal\n');
    expect(rows).toEqual([{ key: 'a.png', label: 'normal', line: 1 }]);
    expect(problems).toEqual([
      { line: 4, reason: 'no label for b.png' },
      { line: 5, reason: 'no file name or SOP Instance UID' },
    ]);
  });

  it('reports an unterminated quote instead of swallowing the rest of the file silently', () => {
    const { rows, problems } = parseLabelManifest('a.png,normal\n"b.png,normal\nc.png,normal');
    expect(rows.map((row) => row.key)).toEqual(['a.png']);
    expect(problems).toEqual([{ line: 2, reason: 'a quoted field is never closed (missing ")' }]);
  });
});

describe('isDicomUid', () => {
  it('tells a UID from a file name', () => {
    expect(isDicomUid('1.2.840.113619.2.55.3.604688119')).toBe(true);
    expect(isDicomUid('2.25.329800735698586629295641978511506172918')).toBe(true);
    for (const key of ['a.png', '1.2.840.dcm', '12345', '1.02.3', '1..2', `1.${'2'.repeat(63)}`]) expect(isDicomUid(key), key).toBe(false);
  });
});
