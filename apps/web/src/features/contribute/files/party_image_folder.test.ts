import { describe, expect, it } from 'vitest';
import { folderCsvPaths, partyImagesPick } from './party_image_folder';

const picked = (...paths: string[]): { path: string; file: string }[] => paths.map((path) => ({ path, file: `bytes of ${path}` }));

describe('an image party’s folder', () => {
  it('offers the folder’s CSVs, the shallowest first', () => {
    expect(folderCsvPaths(picked('imaging/scans/a.png', 'imaging/old/mapping.CSV', 'imaging/mapping.csv', 'imaging/b-list.csv'))).toEqual(['imaging/b-list.csv', 'imaging/mapping.csv', 'imaging/old/mapping.CSV']);
    expect(folderCsvPaths(picked('imaging/scans/a.png'))).toEqual([]);
  });

  it('sends a CSV of the folder under its own path, with every file of the folder', () => {
    const folder = picked('imaging/mapping.csv', 'imaging\\scans\\a.png', 'imaging/notes.txt');
    expect(partyImagesPick(folder, { path: 'imaging/mapping.csv' })).toEqual({
      csv: 'bytes of imaging/mapping.csv',
      csvName: 'imaging/mapping.csv',
      images: [
        { path: 'imaging/mapping.csv', file: 'bytes of imaging/mapping.csv' },
        { path: 'imaging/scans/a.png', file: 'bytes of imaging\\scans\\a.png' },
        { path: 'imaging/notes.txt', file: 'bytes of imaging/notes.txt' },
      ],
    });
  });

  it('puts a CSV chosen on its own at the top of the chosen folder', () => {
    expect(partyImagesPick(picked('imaging/scans/a.png', 'imaging/b.png'), { name: 'mapping.csv', file: 'csv bytes' })).toMatchObject({ csv: 'csv bytes', csvName: 'imaging/mapping.csv' });
    // Loose files (dropped, not a folder) share no folder: the CSV sits beside them.
    expect(partyImagesPick(picked('a.png', 'b.png'), { name: 'mapping.csv', file: 'csv bytes' })).toMatchObject({ csvName: 'mapping.csv' });
  });

  it('waits for both a folder and a CSV, and for a CSV the folder holds', () => {
    expect(partyImagesPick(picked(), { name: 'mapping.csv', file: 'csv bytes' })).toBeUndefined();
    expect(partyImagesPick(picked('imaging/a.png'), undefined)).toBeUndefined();
    expect(partyImagesPick(picked('imaging/a.png'), { path: 'imaging/mapping.csv' })).toBeUndefined();
  });
});
