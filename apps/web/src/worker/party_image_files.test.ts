import { describe, expect, it } from 'vitest';
import { filesBesideCsv } from './party_image_files';

const file = (name: string): { path: string; file: Blob } => ({ path: name, file: new Blob([name]) });

describe('filesBesideCsv', () => {
  it('names the chosen files from the CSV’s folder, as its file column does', async () => {
    const files = [file('imaging/mapping.csv'), file('imaging/scans/a.png'), file('imaging\\scans\\b.png'), file('imaging/c.png'), file('other/d.png'), file('imagingX/e.png')];
    const beside = filesBesideCsv('imaging/mapping.csv', files);
    expect([...beside.keys()].sort()).toEqual(['c.png', 'mapping.csv', 'scans/a.png', 'scans/b.png']);
    expect(await beside.get('scans/b.png')?.text()).toBe('imaging\\scans\\b.png');
  });

  it('a CSV deeper in the folder sees only the files below it; one at the top sees them all', () => {
    const files = [file('imaging/scans/a.png'), file('imaging/scans/2024/b.png'), file('imaging/c.png')];
    expect([...filesBesideCsv('imaging/scans/mapping.csv', files).keys()].sort()).toEqual(['2024/b.png', 'a.png']);
    expect([...filesBesideCsv('mapping.csv', files).keys()].sort()).toEqual(['imaging/c.png', 'imaging/scans/2024/b.png', 'imaging/scans/a.png']);
  });
});
