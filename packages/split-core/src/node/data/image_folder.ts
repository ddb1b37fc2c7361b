// Reads the ImageFolder layout (`<root>/<class>/<file>`, the shape of most labelled image
// exports) into a Dataset. A bad file never aborts the whole read: a clinician's folder
// always holds a stray .DS_Store, a thumbnail database or a half-copied image, and losing
// the other thousand images over it helps nobody. Everything left out is reported.

import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { matchClasses, type ClassMatch } from '../../data/classes';
import type { Dataset, Sample, SkippedFile } from '../../data/dataset';
import type { DecodedSample, ImageShape } from '../../data/image';
import { assignLabels, classByUid, uidsWithoutFile, type UidLabels } from '../../data/labels/assign_labels';
import { parseLabelManifest } from '../../data/labels/label_manifest';
import { decodeImageFile } from './decode_image';

export interface ImageFolderOptions {
  /** The model input every image is converted to: [height, width, channels (1 or 3)]. */
  sampleShape: ImageShape;
  /** The study's classes in label order; folders are matched case-insensitively and trimmed. Default: the folder names found. */
  classes?: string[];
  /**
   * A CSV of labels (`key,label`, the key a path below the root, a file name or a DICOM SOP
   * Instance UID), as the contribute page takes it: then every file below the root is a
   * candidate, whatever folder it is in, and folder names are not labels.
   */
  labels?: string;
}

export interface ImageFolderResult {
  dataset: Dataset;
  /** Files (and hidden or misplaced entries) left out, with the reason; paths relative to the root. */
  skipped: SkippedFile[];
  /** Class folders that match no declared class (their files are in `skipped`). */
  unknownClasses: string[];
  /** Files used with a remark (a multi-frame DICOM's first frame), paths relative to the root. */
  notes: FileNote[];
  /** With a labels CSV: its rows that name no file found (a path, a name or a SOP Instance UID). */
  unlistedRows?: string[];
}

export interface FileNote {
  path: string;
  note: string;
}

/** Files above this size are skipped unread: no 28x28 training image needs more, and reading them costs memory. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Parallel reads keep the disk busy while the (synchronous) decoder works; more brings nothing on 2 cores. */
const READ_CONCURRENCY = 16;

interface ImageFile {
  /** Path relative to the root with '/' separators: the sample id. */
  id: string;
  absolutePath: string;
  /** Absent where a labels CSV may list the file by SOP Instance UID: known once it is read. */
  label?: number;
}

/** The files to read and how their labels were found. */
interface Listing {
  images: ImageFile[];
  match: ClassMatch;
  /** With a CSV keyed by SOP Instance UID: the label of a file read with this UID (none: not DICOM), or why it has none. */
  byUid?: (uid: string | undefined) => { label: number } | { reason: string };
  unlistedRows?: (uidsSeen: ReadonlySet<string>) => string[];
}

/**
 * Sample ids are paths relative to `root` with '/' separators, and samples come in id
 * order (by code unit), so every run and every machine sees the same dataset.
 * Sub-folders below a class folder are read too; their files belong to that class.
 */
export async function readImageFolder(root: string, options: ImageFolderOptions): Promise<ImageFolderResult> {
  const skipped: SkippedFile[] = [];
  const listing = options.labels === undefined ? await listByFolders(root, options.classes, skipped) : await listByManifest(root, options.labels, options.classes, skipped);
  const images = listing.images.sort((a, b) => compareCodeUnits(a.id, b.id));

  const loaded = await mapWithConcurrency(images, READ_CONCURRENCY, (image) => loadSample(image, options.sampleShape));
  const samples: Sample[] = [];
  const notes: FileNote[] = [];
  const uids = new Set<string>();
  loaded.forEach((result, i) => {
    const id = images[i]?.id ?? '';
    if ('reason' in result) return void skipped.push({ path: id, reason: result.reason });
    if (result.sopInstanceUid) uids.add(result.sopInstanceUid);
    const known = images[i]?.label;
    const found = known !== undefined ? { label: known } : (listing.byUid?.(result.sopInstanceUid) ?? { reason: 'no label' });
    if ('reason' in found) return void skipped.push({ path: id, reason: found.reason });
    samples.push({ id, label: found.label, values: result.values });
    if (result.note) notes.push({ path: id, note: result.note });
  });
  skipped.sort((a, b) => compareCodeUnits(a.path, b.path));
  const unlistedRows = listing.unlistedRows?.(uids);

  return {
    dataset: { classes: listing.match.classes, sampleShape: [...options.sampleShape], samples },
    skipped,
    unknownClasses: listing.match.unknownClasses,
    notes,
    ...(unlistedRows && unlistedRows.length > 0 ? { unlistedRows } : {}),
  };
}

/** The ImageFolder layout: each class folder's files, labelled by the folder's name. */
async function listByFolders(root: string, classes: string[] | undefined, skipped: SkippedFile[]): Promise<Listing> {
  const classFolders = await listClassFolders(root, skipped);
  const match = matchClasses(classFolders, classes);
  const images: ImageFile[] = [];
  for (const folder of classFolders) {
    const label = match.labels.get(folder);
    for (const file of await listFilesBelow(root, folder, skipped)) {
      if (label === undefined) {
        skipped.push({ path: file.id, reason: `unknown class "${folder.trim()}" (study classes: ${match.classes.join(', ')})` });
      } else {
        images.push({ ...file, label });
      }
    }
  }
  return { images, match };
}

/** Every file below the root, labelled by the CSV (split-core's one rule, the contribute page's). */
async function listByManifest(root: string, csvPath: string, classes: string[] | undefined, skipped: SkippedFile[]): Promise<Listing> {
  let text: string;
  try {
    text = await readFile(csvPath, 'utf8');
  } catch (error) {
    throw new Error(`Labels CSV "${csvPath}" cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  const manifest = parseLabelManifest(text);
  const csvName = path.basename(csvPath);
  skipped.push(...manifest.problems.map((problem) => ({ path: `${csvName}, line ${problem.line}`, reason: problem.reason })));
  if (manifest.rows.length === 0) throw new Error(`Labels CSV "${csvPath}" has no usable rows: it needs a file name (or SOP Instance UID) and a label on each line${manifest.problems[0] ? ` (line ${manifest.problems[0].line}: ${manifest.problems[0].reason})` : ''}`);
  try {
    if (!(await stat(root)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`Image folder "${root}" ${code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is a file, not a folder' : `cannot be read (${code ?? String(error)})`}`, { cause: error });
  }
  const files = await listFilesBelow(root, '', skipped);
  const assignment = assignLabels(
    files.map((file) => ({ path: file.id, file })),
    manifest.rows,
  );
  skipped.push(...assignment.skipped);
  const uidLabels: UidLabels = assignment.uidLabels;
  const match = matchClasses([...assignment.images.map((image) => image.label), ...Object.values(uidLabels.labels)], classes);
  const unknown = (label: string): string => `unknown class "${label.trim()}" (study classes: ${match.classes.join(', ')})`;
  const images: ImageFile[] = [];
  for (const image of assignment.images) {
    const label = match.labels.get(image.label);
    if (label === undefined) skipped.push({ path: image.path, reason: unknown(image.label) });
    else images.push({ ...image.file, label });
  }
  images.push(...assignment.byUid.map((entry) => ({ id: entry.file.id, absolutePath: entry.file.absolutePath })));
  return {
    images,
    match,
    byUid: classByUid(uidLabels, (label) => match.labels.get(label), unknown),
    unlistedRows: (seen) => [...assignment.csvRowsWithoutFile, ...uidsWithoutFile(uidLabels, seen)],
  };
}

async function listClassFolders(root: string, skipped: SkippedFile[]): Promise<string[]> {
  const layoutHint = 'Choose the folder that holds one sub-folder per class, e.g. <root>/normal/*.png and <root>/pneumonia/*.png.';
  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is a file, not a folder' : `cannot be read (${code ?? String(error)})`;
    throw new Error(`Image folder "${root}" ${problem}. ${layoutHint}`, { cause: error });
  }
  const classFolders: string[] = [];
  for (const entry of sortedEntries(entries)) {
    if (entry.name.startsWith('.')) {
      skipped.push({ path: entry.name, reason: 'hidden file or folder' });
    } else if (await isDirectory(path.join(root, entry.name), entry)) {
      classFolders.push(entry.name);
    } else {
      skipped.push({ path: entry.name, reason: 'not inside a class folder' });
    }
  }
  if (classFolders.length === 0) {
    throw new Error(`Image folder "${root}" has no class folders. ${layoutHint}`);
  }
  return classFolders;
}

/** Every file below `<root>/<folder>`, recursively; hidden entries are reported, not followed. */
async function listFilesBelow(root: string, folder: string, skipped: SkippedFile[]): Promise<Omit<ImageFile, 'label'>[]> {
  const files: Omit<ImageFile, 'label'>[] = [];
  const visit = async (relative: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(root, relative), { withFileTypes: true });
    } catch (error) {
      skipped.push({ path: toId(relative), reason: `folder cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
      return;
    }
    for (const entry of sortedEntries(entries)) {
      const childRelative = path.join(relative, entry.name);
      const absolutePath = path.join(root, childRelative);
      if (entry.name.startsWith('.')) {
        skipped.push({ path: toId(childRelative), reason: 'hidden file or folder' });
      } else if (entry.isSymbolicLink() && (await isDirectory(absolutePath, entry))) {
        // A linked folder can point back up the tree; following it could loop forever.
        skipped.push({ path: toId(childRelative), reason: 'link to a folder (not followed)' });
      } else if (entry.isDirectory()) {
        await visit(childRelative);
      } else {
        files.push({ id: toId(childRelative), absolutePath });
      }
    }
  };
  await visit(folder);
  return files;
}

async function loadSample(image: ImageFile, sampleShape: ImageShape): Promise<DecodedSample | { reason: string }> {
  try {
    const info = await stat(image.absolutePath);
    if (!info.isFile()) return { reason: 'not a regular file' };
    if (info.size === 0) return { reason: 'empty file' };
    if (info.size > MAX_FILE_BYTES) return { reason: `file larger than ${MAX_FILE_BYTES / 1024 / 1024} MB` };
    return await decodeImageFile(await readFile(image.absolutePath), sampleShape);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { reason: code ? `cannot be read (${code})` : error instanceof Error ? error.message : String(error) };
  }
}

async function isDirectory(absolutePath: string, entry: Dirent): Promise<boolean> {
  if (!entry.isSymbolicLink()) return entry.isDirectory();
  try {
    return (await stat(absolutePath)).isDirectory();
  } catch {
    return false; // a dangling link is reported later as an unreadable file
  }
}

function sortedEntries(entries: Dirent[]): Dirent[] {
  return entries.slice().sort((a, b) => compareCodeUnits(a.name, b.name));
}

/** Locale-independent order: the same on every machine, unlike localeCompare. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toId(relative: string): string {
  return relative.split(path.sep).join('/');
}

async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
