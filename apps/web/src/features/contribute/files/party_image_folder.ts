import { labels } from '@splitlearn/split-core/pure';

// An image party of a vertical study chooses the folder of its images, with the mapping CSV
// (patient id -> image file, relative to the CSV's folder) inside it or chosen on its own.
// The files go to the worker by path as picked; the worker looks up the CSV's file names
// from the CSV's folder, so both must be named in one tree.

export interface PartyImagesPick<F> {
  csv: F;
  /** The CSV's path in the same tree as the images' paths. */
  csvName: string;
  /** Every file of the chosen folder: the worker decodes only those the CSV names. */
  images: labels.PickedFile<F>[];
}

function depth(path: string): number {
  return path.split('/').length;
}

/** The CSVs in the chosen folder, the likeliest mapping first: the shallowest, then by path. */
export function folderCsvPaths(folder: readonly labels.PickedFile<unknown>[]): string[] {
  return folder
    .map((entry) => labels.normalizePath(entry.path))
    .filter(labels.isCsvPath)
    .sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The folder every picked path lies in (the one the clinician chose; the browser names it first), or '' when they share none. */
function chosenFolder(folder: readonly labels.PickedFile<unknown>[]): string {
  const tops = new Set(folder.map((entry) => labels.normalizePath(entry.path)).map((path) => (path.includes('/') ? path.slice(0, path.indexOf('/')) : '')));
  const [top] = tops;
  return tops.size === 1 && top !== undefined ? top : '';
}

/**
 * The mapping CSV and the folder's files as the worker takes them. `csv` is a CSV of the folder
 * (by path) or one chosen on its own, which is taken to sit at the top of the chosen folder.
 * Undefined until there is both a folder and a CSV.
 */
export function partyImagesPick<F>(folder: readonly labels.PickedFile<F>[], csv: { path: string } | { name: string; file: F } | undefined): PartyImagesPick<F> | undefined {
  if (folder.length === 0 || !csv) return undefined;
  const images = folder.map((entry) => ({ path: labels.normalizePath(entry.path), file: entry.file }));
  if ('file' in csv) {
    const top = chosenFolder(images);
    return { csv: csv.file, csvName: top === '' ? csv.name : `${top}/${csv.name}`, images };
  }
  const inFolder = images.find((entry) => entry.path === labels.normalizePath(csv.path));
  return inFolder ? { csv: inFolder.file, csvName: inFolder.path, images } : undefined;
}
