import { data } from '@splitlearn/split-core';
import { labels } from '@splitlearn/split-core/pure';
import type { ClassPreview, FileNote, ImageCandidate, Skipped, UidLabels } from './messages';

// The clinician's files -> the local training and validation datasets, in the worker. Class
// names are matched to the study's (case-insensitive), each image is decoded to the study's
// input shape, and a stratified validation split is kept on the device. Failures are listed,
// never fatal: a folder with a few corrupt files trains on the good ones. An image a CSV may
// list by SOP Instance UID gets its label once decoded, from the UID in its header, which
// goes no further than this lookup.

export type DecodeImage = (file: Blob, shape: data.ImageShape) => Promise<data.DecodedSample>;

export interface StudyDataConfig {
  classes: string[];
  inputShape: number[];
  validationFraction: number;
  seed: number;
}

export interface PreparedData {
  train: data.Dataset;
  val: data.Dataset;
  classes: ClassPreview[];
  skipped: Skipped[];
  notes?: FileNote[];
  /** SOP Instance UIDs the CSV lists that no file read had. */
  uidsWithoutFile?: string[];
}

const THUMBNAILS_PER_CLASS = 4;
/** Decodes in flight at once: enough to overlap file reads with decoding, few enough to bound memory. */
const DECODE_CONCURRENCY = 4;

export function imageShape(inputShape: readonly number[]): data.ImageShape {
  const [height, width, channels] = inputShape;
  if (height === undefined || width === undefined || channels === undefined || inputShape.length !== 3) {
    throw new Error(`this study's input shape [${inputShape.join(', ')}] is not an image shape [height, width, channels]`);
  }
  return [height, width, channels];
}

/** A file to decode, with its label where known; without one, `byUid` gives it from the decoded file's SOP Instance UID. */
interface DecodeItem {
  candidate: ImageCandidate;
  label?: number;
}

async function decodeAll(
  items: readonly DecodeItem[],
  shape: data.ImageShape,
  decode: DecodeImage,
  byUid: (uid: string | undefined) => { label: number } | { reason: string },
  onProgress: (done: number, total: number) => void,
): Promise<{ samples: data.Sample[]; skipped: Skipped[]; notes: FileNote[]; uids: Set<string> }> {
  const samples: data.Sample[] = [];
  const skipped: Skipped[] = [];
  const notes: FileNote[] = [];
  const uids = new Set<string>();
  let next = 0;
  let done = 0;
  const work = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as DecodeItem;
      try {
        const decoded = await decode(item.candidate.file, shape);
        if (decoded.sopInstanceUid) uids.add(decoded.sopInstanceUid);
        const found = item.label === undefined ? byUid(decoded.sopInstanceUid) : { label: item.label };
        if ('reason' in found) skipped.push({ path: item.candidate.path, reason: found.reason });
        else {
          samples.push({ id: item.candidate.path, label: found.label, values: decoded.values });
          if (decoded.note) notes.push({ path: item.candidate.path, note: decoded.note });
        }
      } catch (error) {
        skipped.push({ path: item.candidate.path, reason: `could not be decoded as an image (${error instanceof Error ? error.message : String(error)})` });
      }
      done += 1;
      onProgress(done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DECODE_CONCURRENCY, items.length) }, work));
  return { samples, skipped, notes: notes.sort(byPath), uids };
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export async function prepareDataset(
  candidates: readonly ImageCandidate[],
  study: StudyDataConfig,
  decode: DecodeImage,
  onProgress: (done: number, total: number) => void = () => undefined,
  uidLabels: UidLabels = { labels: {}, conflicting: [] },
): Promise<PreparedData> {
  const shape = imageShape(study.inputShape);
  const match = data.matchClasses(
    [...candidates.flatMap((candidate) => (candidate.label === undefined ? [] : [candidate.label])), ...Object.values(uidLabels.labels)],
    study.classes,
  );
  const notAClass = (label: string): string => `class "${label.trim()}" is not one of this study's classes (${study.classes.join(', ')})`;
  const skipped: Skipped[] = [];
  const items: DecodeItem[] = [];
  // Sorted by path: the picker's file order varies between browsers and runs, and the
  // seeded validation split must pick the same files after a page reload.
  for (const candidate of [...candidates].sort(byPath)) {
    if (candidate.label === undefined) {
      items.push({ candidate });
      continue;
    }
    const label = match.labels.get(candidate.label);
    if (label === undefined) skipped.push({ path: candidate.path, reason: notAClass(candidate.label) });
    else items.push({ candidate, label });
  }
  const byUid = labels.classByUid(uidLabels, (label) => match.labels.get(label), notAClass);
  const decoded = await decodeAll(items, shape, decode, byUid, onProgress);
  skipped.push(...decoded.skipped);
  const prepared = keepLocalValidation(decoded.samples, match.classes, shape, study, skipped);
  const uidsWithoutFile = candidates.some((candidate) => candidate.label === undefined) ? labels.uidsWithoutFile(uidLabels, decoded.uids) : [];
  return { ...prepared, ...(decoded.notes.length > 0 ? { notes: decoded.notes } : {}), ...(uidsWithoutFile.length > 0 ? { uidsWithoutFile } : {}) };
}

/**
 * Labelled samples -> the local training and validation datasets, with split-core's one
 * local-validation rule (the Node client keeps the same files for validation).
 */
export function keepLocalValidation(labelled: readonly data.Sample[], classNames: string[], shape: data.ImageShape, study: StudyDataConfig, skipped: Skipped[] = []): PreparedData {
  const split = data.localValidationSplit(labelled, study);
  const valIds = new Set(split.val.map((sample) => sample.id));
  const samples = [...labelled].sort((a, b) => byPath({ path: a.id }, { path: b.id }));
  const classes = classNames.map((name, label): ClassPreview => {
    // Where <img> cannot show a file (DICOM), the preview draws what the model takes.
    const members = samples.filter((sample) => sample.label === label);
    const val = members.filter((sample) => valIds.has(sample.id)).length;
    const shown = members.slice(0, THUMBNAILS_PER_CLASS);
    const decoded = shown.filter((sample) => !labels.isPlainImagePath(sample.id)).map((sample) => ({ path: sample.id, height: shape[0], width: shape[1], channels: shape[2] === 3 ? (3 as const) : (1 as const), pixels: Uint8Array.from(sample.values, (value) => Math.round(255 * value)) }));
    return { name, count: members.length, train: members.length - val, val, samplePaths: shown.map((sample) => sample.id), ...(decoded.length > 0 ? { decoded } : {}) };
  });
  const dataset = (part: data.Sample[]): data.Dataset => ({ classes: classNames, sampleShape: [...shape], samples: part });
  return { train: dataset(split.train), val: dataset(split.val), classes, skipped: skipped.sort(byPath) };
}
