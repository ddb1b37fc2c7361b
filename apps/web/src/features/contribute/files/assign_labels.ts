import type { CsvLabel } from './csv_labels';
import { isCsvPath, notAnImage } from './image_kind';

// Gives every picked image a class name, as found: from a CSV manifest when one was given
// (it is explicit, so it wins), otherwise from the folder that holds the image
// (`<class>/<file>`, the ImageFolder layout). Matching names to the study's declared classes
// happens later, in the worker, where the study's classes are known.

export interface PickedFile<F> {
  /** Relative path as picked or dropped, `/`-separated, e.g. `train/normal/a.png`. */
  path: string;
  file: F;
}

export interface LabelledImage<F> extends PickedFile<F> {
  label: string;
}

export interface Assignment<F> {
  images: LabelledImage<F>[];
  skipped: { path: string; reason: string }[];
  labelSource: 'folders' | 'csv';
  /** CSV rows naming a file that was not picked, so the user can spot a wrong folder. */
  csvRowsWithoutFile: string[];
}

export function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function withoutRoot(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}

/** File systems at hospitals are often case-insensitive (Windows): so is the CSV lookup. */
function key(path: string): string {
  return normalizePath(path).toLowerCase();
}

type CsvLookup = { label: string; byNameOnly: boolean } | { reason: string };

interface CsvIndex {
  labelFor(path: string): CsvLookup;
  rowsWithoutFile(pickedPaths: readonly string[]): string[];
}

/** Keys an image can be listed under: its full path, its path below the picked folder, its bare name. */
function lookupKeys(path: string): [string, string, string] {
  return [key(path), key(withoutRoot(path)), key(basename(path))];
}

function indexCsv(rows: readonly CsvLabel[]): CsvIndex {
  const byPath = new Map<string, string>();
  const conflicts = new Set<string>();
  for (const row of rows) {
    const rowKey = key(row.file);
    const previous = byPath.get(rowKey);
    if (previous !== undefined && previous !== row.label) conflicts.add(rowKey);
    else byPath.set(rowKey, row.label);
  }
  return {
    labelFor(path) {
      const keys = lookupKeys(path);
      for (const [index, candidate] of keys.entries()) {
        if (conflicts.has(candidate)) return { reason: 'listed more than once in the CSV with different labels' };
        const label = byPath.get(candidate);
        if (label !== undefined) return { label, byNameOnly: index === 2 };
      }
      return { reason: 'not listed in the CSV' };
    },
    rowsWithoutFile(pickedPaths) {
      const picked = new Set(pickedPaths.flatMap(lookupKeys));
      return [...byPath.keys()].filter((rowKey) => !picked.has(rowKey));
    },
  };
}

function folderLabel(path: string): string | undefined {
  const parts = normalizePath(path).split('/');
  return parts.length >= 2 ? parts[parts.length - 2] : undefined;
}

/** Basenames picked more than once: a bare CSV file name cannot tell them apart. */
function duplicateBasenames(paths: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const path of paths) {
    const name = key(basename(path));
    if (seen.has(name)) duplicates.add(name);
    seen.add(name);
  }
  return duplicates;
}

export function assignLabels<F>(files: readonly PickedFile<F>[], csvRows?: readonly CsvLabel[]): Assignment<F> {
  const images: LabelledImage<F>[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const imageFiles: PickedFile<F>[] = [];
  for (const entry of files) {
    const path = normalizePath(entry.path);
    if (isCsvPath(path)) continue;
    const reason = notAnImage(path);
    if (reason === undefined) imageFiles.push({ path, file: entry.file });
    else skipped.push({ path, reason });
  }
  const useCsv = csvRows !== undefined && csvRows.length > 0;
  const csv = useCsv ? indexCsv(csvRows) : undefined;
  const ambiguous = useCsv ? duplicateBasenames(imageFiles.map((entry) => entry.path)) : new Set<string>();
  for (const entry of imageFiles) {
    if (csv) {
      const found = csv.labelFor(entry.path);
      if ('reason' in found) skipped.push({ path: entry.path, reason: found.reason });
      // A CSV row with only a bare name must not label two different images.
      else if (found.byNameOnly && ambiguous.has(key(basename(entry.path)))) skipped.push({ path: entry.path, reason: 'its file name appears in several folders: list it in the CSV with its folder' });
      else images.push({ ...entry, label: found.label });
      continue;
    }
    const label = folderLabel(entry.path);
    if (label === undefined) skipped.push({ path: entry.path, reason: 'no label: put it in a folder named after its class, or add a CSV (file,label)' });
    else images.push({ ...entry, label });
  }
  return {
    images,
    skipped,
    labelSource: useCsv ? 'csv' : 'folders',
    csvRowsWithoutFile: csv ? csv.rowsWithoutFile(imageFiles.map((entry) => entry.path)) : [],
  };
}
