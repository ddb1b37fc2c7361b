import { isCsvPath, isPlainImagePath, notAnImage } from './file_kind';
import { isDicomUid, type ManifestRow } from './label_manifest';

// Gives every picked image a class name, as found: from a CSV manifest when one was given
// (it is explicit, so it wins), otherwise from the folder that holds the image
// (`<class>/<file>`, the ImageFolder layout). A manifest row may name a DICOM image by its
// SOP Instance UID, which is only known once the file is read: such images come back as
// `byUid`, for the reader (the browser's training worker, the Node reader) to label with
// `labelByUid` after decoding. Matching names to the study's declared classes happens later,
// where the study's classes are known.

export interface PickedFile<F> {
  /** Relative path as picked or dropped, `/`-separated, e.g. `train/normal/a.png`. */
  path: string;
  file: F;
}

export interface LabelledImage<F> extends PickedFile<F> {
  label: string;
}

/** A manifest's rows keyed by SOP Instance UID that no file name matched: labels for images read later. Plain data, so it crosses to a worker. */
export interface UidLabels {
  labels: Record<string, string>;
  /** UIDs listed more than once with different labels. */
  conflicting: string[];
}

export interface Assignment<F> {
  images: LabelledImage<F>[];
  /** Files the manifest did not name by path or file name, which may be DICOM files it lists by SOP Instance UID (labelled once read, by `uidLabels`). */
  byUid: PickedFile<F>[];
  uidLabels: UidLabels;
  skipped: { path: string; reason: string }[];
  labelSource: 'folders' | 'csv';
  /** CSV rows naming a file that was not picked, so the user can spot a wrong folder (rows keyed by UID are checked once the files are read: `uidsWithoutFile`). */
  csvRowsWithoutFile: string[];
}

export const NOT_LISTED = 'not listed in the CSV';
const NOT_LISTED_BY_UID = 'not listed in the CSV, by path, file name or SOP Instance UID';

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
  /** The rows no picked file matched by path or name: file rows to report, UID rows to try on the files once read. */
  unmatched(pickedPaths: readonly string[]): { files: string[]; uids: UidLabels };
}

/** Keys an image can be listed under: its full path, its path below the picked folder, its bare name. */
function lookupKeys(path: string): [string, string, string] {
  return [key(path), key(withoutRoot(path)), key(basename(path))];
}

function indexCsv(rows: readonly ManifestRow[]): CsvIndex {
  const byKey = new Map<string, string>();
  const conflicts = new Set<string>();
  for (const row of rows) {
    const rowKey = key(row.key);
    const previous = byKey.get(rowKey);
    if (previous !== undefined && previous !== row.label) conflicts.add(rowKey);
    else byKey.set(rowKey, row.label);
  }
  return {
    labelFor(path) {
      const keys = lookupKeys(path);
      for (const [index, candidate] of keys.entries()) {
        if (conflicts.has(candidate)) return { reason: 'listed more than once in the CSV with different labels' };
        const label = byKey.get(candidate);
        if (label !== undefined) return { label, byNameOnly: index === 2 };
      }
      return { reason: NOT_LISTED };
    },
    unmatched(pickedPaths) {
      const picked = new Set(pickedPaths.flatMap(lookupKeys));
      const left = [...byKey.keys()].filter((rowKey) => !picked.has(rowKey));
      const uids = left.filter(isDicomUid);
      return {
        files: left.filter((rowKey) => !isDicomUid(rowKey)),
        uids: { labels: Object.fromEntries(uids.filter((uid) => !conflicts.has(uid)).map((uid) => [uid, byKey.get(uid) as string])), conflicting: uids.filter((uid) => conflicts.has(uid)) },
      };
    },
  };
}

/** The label a manifest gives a file read as DICOM with this SOP Instance UID (none for a file that is not DICOM), or why it has none. */
export function labelByUid(uidLabels: UidLabels, uid: string | undefined): { label: string } | { reason: string } {
  if (uid === undefined) return { reason: NOT_LISTED };
  if (uidLabels.conflicting.includes(uid)) return { reason: 'its SOP Instance UID is listed more than once in the CSV with different labels' };
  const label = uidLabels.labels[uid];
  return label === undefined ? { reason: NOT_LISTED_BY_UID } : { label };
}

/**
 * The class a decoded file's UID gives: its CSV label through the study's classes
 * (`classOf`), or why it has none (`notAClass` words a label that is no study class). The
 * training worker and the Node reader label files by UID with it.
 */
export function classByUid(uidLabels: UidLabels, classOf: (label: string) => number | undefined, notAClass: (label: string) => string): (uid: string | undefined) => { label: number } | { reason: string } {
  return (uid) => {
    const found = labelByUid(uidLabels, uid);
    if ('reason' in found) return found;
    const label = classOf(found.label);
    return label === undefined ? { reason: notAClass(found.label) } : { label };
  };
}

/** The manifest's UID rows that no file read had: the user may have picked the wrong folder. */
export function uidsWithoutFile(uidLabels: UidLabels, seen: ReadonlySet<string>): string[] {
  return [...Object.keys(uidLabels.labels), ...uidLabels.conflicting].filter((uid) => !seen.has(uid)).sort();
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

export function assignLabels<F>(files: readonly PickedFile<F>[], csvRows?: readonly ManifestRow[]): Assignment<F> {
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
  const unmatched = csv?.unmatched(imageFiles.map((entry) => entry.path)) ?? { files: [], uids: { labels: {}, conflicting: [] } };
  const listsUids = Object.keys(unmatched.uids.labels).length + unmatched.uids.conflicting.length > 0;
  const byUid: PickedFile<F>[] = [];
  const ambiguous = useCsv ? duplicateBasenames(imageFiles.map((entry) => entry.path)) : new Set<string>();
  for (const entry of imageFiles) {
    if (csv) {
      const found = csv.labelFor(entry.path);
      // A PNG or JPEG has no UID: only a file that may be DICOM waits for its header.
      if ('reason' in found && found.reason === NOT_LISTED && listsUids && !isPlainImagePath(entry.path)) byUid.push(entry);
      else if ('reason' in found) skipped.push({ path: entry.path, reason: found.reason });
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
    byUid,
    uidLabels: unmatched.uids,
    skipped,
    labelSource: useCsv ? 'csv' : 'folders',
    csvRowsWithoutFile: unmatched.files,
  };
}
