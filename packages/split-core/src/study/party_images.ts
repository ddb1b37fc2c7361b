import { matchClasses } from '../data/classes';
import type { Sample, SkippedFile } from '../data/dataset';
import type { ImageShape } from '../data/image';
import { cell, csvLine, csvRecords, duplicateIds, idProblem, requireColumn } from '../data/tabular';
import { labelParty, type PartiesStudyConfig } from './config';
import { partyProblem } from './groups';
import { PartyRowsError, type PartyRows } from './party_rows';

// What an image party of a vertical study brings: a mapping CSV (the patient id, the file
// of the patient's image relative to the CSV's folder, and at the label holder the label),
// each row's image loaded by the platform (the Node client from disk, the browser's worker
// from the files the clinician chose) already converted to the party's [h, w, c]. One rule
// for both, so a row is used or skipped alike wherever a hospital joins from; a row the
// study cannot use is listed with its reason, never fatal, like a table's.

/**
 * Loads the image at `relativePath` ('/'-separated, relative to the mapping CSV's folder and
 * checked not to leave it) as `shape` (the party's [h, w, c]) values in [0, 1]. Resolves
 * undefined when there is no such file (not on disk, or not among the files chosen); throws,
 * saying why, when the file is not a usable image.
 */
export type PartyImageLoader = (relativePath: string, shape: ImageShape) => Promise<Float32Array | undefined>;

export interface PartyImageOptions {
  /** The CSV's patient id column when it is named differently from the study's. */
  idColumn?: string;
  /** Called after each image is loaded or skipped, out of every image to load. */
  onProgress?: (done: number, total: number) => void;
  /** Images loaded at once: enough to overlap reading with decoding, few enough to bound memory. */
  concurrency?: number;
}

const DEFAULT_CONCURRENCY = 4;

/**
 * A file cell as a path inside the CSV's folder, or why it is refused. Backslashes are
 * separators: exports from Windows systems write `scans\a.png`, and a file name holding a
 * backslash is far rarer than such an export. Absolute paths and paths that climb above
 * the folder are refused, so a mapping CSV cannot make a client read files beside its data.
 */
export function imagePathInFolder(text: string): { path: string } | { problem: string } {
  const slashed = text.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed)) return { problem: 'is an absolute path: name each image relative to the CSV’s folder' };
  const parts: string[] = [];
  for (const part of slashed.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.pop() === undefined) return { problem: 'leaves the CSV’s folder: images must be in it or below it' };
  }
  if (parts.length === 0) return { problem: 'names a folder, not an image file' };
  return { path: parts.join('/') };
}

interface PendingImage {
  index: number;
  id: string;
  label: number;
  /** Multi-task, at the label holder: the further tasks' labels. */
  tasks?: number[];
  path: string;
}

/**
 * Reads party `party`'s mapping CSV for a vertical study and loads each patient's image.
 * Throws PartyRowsError (no such party, or it holds a table) or TabularError (the CSV lacks
 * the id, file or, at the label holder, label column).
 */
export async function partyRowsFromImages(config: PartiesStudyConfig, party: number, text: string, loadImage: PartyImageLoader, options: PartyImageOptions = {}): Promise<PartyRows> {
  const problem = partyProblem(config, party);
  if (problem) throw new PartyRowsError(problem);
  const spec = config.parties[party];
  if (!spec || !('image' in spec.input)) throw new PartyRowsError(`party ${party} (${spec?.name ?? '?'}) holds a table, not images: give its CSV of columns, or choose the party that holds images`);
  const [height = 0, width = 0, channels = 0] = spec.input.image;
  const labelled = party === labelParty(config);
  const idColumn = options.idColumn ?? config.idColumn;
  const { fileColumn, labelColumn } = config;

  const { fields, records } = csvRecords(text);
  requireColumn(fields, idColumn, 'id');
  requireColumn(fields, fileColumn, 'image file');
  if (labelled) requireColumn(fields, labelColumn, 'label');
  const classes = labelled ? matchClasses(records.map((record) => cell(record, labelColumn)).filter((name) => name !== ''), config.classes) : undefined;
  // A multi-task study's label holder has a column of labels for each further task.
  const tasks = labelled && config.topology === 'multi-task' ? config.tasks.map((task) => ({ column: task.column ?? task.name, classes: task.classes })) : [];
  for (const task of tasks) requireColumn(fields, task.column, 'task label');
  const taskClasses = tasks.map((task) => matchClasses(records.map((record) => cell(record, task.column)).filter((name) => name !== ''), task.classes));

  const skipped: (SkippedFile & { index: number })[] = [];
  const skip = (index: number, reason: string): void => void skipped.push({ index, path: csvLine(index), reason });
  const ids = duplicateIds(records, idColumn);
  const pending: PendingImage[] = [];
  records.forEach((record, index) => {
    const id = cell(record, idColumn);
    const idIssue = idProblem(id, index, idColumn, ids);
    if (idIssue !== undefined) return skip(index, idIssue);
    const file = cell(record, fileColumn);
    if (file === '') return skip(index, `no image file in column "${fileColumn}"`);
    const inFolder = imagePathInFolder(file);
    if ('problem' in inFolder) return skip(index, `image file "${file.slice(0, 120)}" ${inFolder.problem}`);
    let label = 0;
    if (classes) {
      const name = cell(record, labelColumn);
      if (name === '') return skip(index, `no label in column "${labelColumn}"`);
      const found = classes.labels.get(name);
      if (found === undefined) return skip(index, `label "${name.slice(0, 40)}" is not one of the study's classes (${classes.classes.join(', ')})`);
      label = found;
    }
    const further: number[] = [];
    for (const [t, task] of tasks.entries()) {
      const name = cell(record, task.column);
      if (name === '') return skip(index, `no label in task column "${task.column}"`);
      const found = taskClasses[t]?.labels.get(name);
      if (found === undefined) return skip(index, `"${name.slice(0, 40)}" in task column "${task.column}" is not one of its classes (${task.classes.join(', ')})`);
      further.push(found);
    }
    pending.push({ index, id, label, ...(tasks.length > 0 ? { tasks: further } : {}), path: inFolder.path });
  });

  const size = height * width * channels;
  const loaded = new Array<Sample | undefined>(pending.length);
  let next = 0;
  let done = 0;
  const work = async (): Promise<void> => {
    while (next < pending.length) {
      const slot = next++;
      const image = pending[slot] as PendingImage;
      try {
        const values = await loadImage(image.path, [height, width, channels]);
        if (values === undefined) skip(image.index, `image file "${image.path}" is not there: it must be in the CSV’s folder (or below it), named as in column "${fileColumn}"`);
        else if (values.length !== size) skip(image.index, `image file "${image.path}" gave ${values.length} values, not the party's ${height}×${width}×${channels}`);
        else loaded[slot] = { id: image.id, label: image.label, ...(image.tasks ? { tasks: image.tasks } : {}), values };
      } catch (error) {
        skip(image.index, `image file "${image.path}" cannot be used as an image (${error instanceof Error ? error.message : String(error)})`);
      }
      done += 1;
      options.onProgress?.(done, pending.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, pending.length) }, work));

  return {
    // In CSV order, like a table's rows, whatever order the loads finished in.
    data: {
      classes: [...config.classes],
      ...(config.topology === 'multi-task' && labelled ? { tasks: config.tasks.map((task) => ({ name: task.name, classes: task.classes })) } : {}),
      sampleShape: [height, width, channels],
      samples: loaded.filter((sample): sample is Sample => sample !== undefined),
    },
    columns: [],
    labelled,
    skipped: skipped.sort((a, b) => a.index - b.index).map(({ path, reason }) => ({ path, reason })),
  };
}
