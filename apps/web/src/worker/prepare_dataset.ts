import { data } from '@splitlearn/split-core';
import type { ClassPreview, FileNote, ImageCandidate, Skipped } from './messages';

// The clinician's files -> the local training and validation datasets, in the worker. Class
// names are matched to the study's (case-insensitive), each image is decoded to the study's
// input shape, and a stratified validation split is kept on the device. Failures are listed,
// never fatal: a folder with a few corrupt files trains on the good ones.

/** One file as model input; `note` is what the file list should say about it (a multi-frame DICOM's first frame). */
export interface DecodedFile {
  values: Float32Array;
  note?: string;
}
export type DecodeImage = (file: Blob, shape: data.ImageShape) => Promise<DecodedFile>;

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

async function decodeAll(
  items: readonly { candidate: ImageCandidate; label: number }[],
  shape: data.ImageShape,
  decode: DecodeImage,
  onProgress: (done: number, total: number) => void,
): Promise<{ samples: data.Sample[]; skipped: Skipped[]; notes: FileNote[] }> {
  const samples: data.Sample[] = [];
  const skipped: Skipped[] = [];
  const notes: FileNote[] = [];
  let next = 0;
  let done = 0;
  const work = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as { candidate: ImageCandidate; label: number };
      try {
        const decoded = await decode(item.candidate.file, shape);
        samples.push({ id: item.candidate.path, label: item.label, values: decoded.values });
        if (decoded.note) notes.push({ path: item.candidate.path, note: decoded.note });
      } catch (error) {
        skipped.push({ path: item.candidate.path, reason: `could not be decoded as an image (${error instanceof Error ? error.message : String(error)})` });
      }
      done += 1;
      onProgress(done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DECODE_CONCURRENCY, items.length) }, work));
  return { samples, skipped, notes: notes.sort(byPath) };
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export async function prepareDataset(
  candidates: readonly ImageCandidate[],
  study: StudyDataConfig,
  decode: DecodeImage,
  onProgress: (done: number, total: number) => void = () => undefined,
): Promise<PreparedData> {
  const shape = imageShape(study.inputShape);
  const match = data.matchClasses(
    candidates.map((candidate) => candidate.label),
    study.classes,
  );
  const skipped: Skipped[] = [];
  const known: { candidate: ImageCandidate; label: number }[] = [];
  // Sorted by path: the picker's file order varies between browsers and runs, and the
  // seeded validation split must pick the same files after a page reload.
  for (const candidate of [...candidates].sort(byPath)) {
    const label = match.labels.get(candidate.label);
    if (label === undefined) {
      skipped.push({ path: candidate.path, reason: `class "${candidate.label.trim()}" is not one of this study's classes (${study.classes.join(', ')})` });
    } else {
      known.push({ candidate, label });
    }
  }
  const decoded = await decodeAll(known, shape, decode, onProgress);
  skipped.push(...decoded.skipped);
  const prepared = keepLocalValidation(decoded.samples, match.classes, shape, study, skipped);
  return decoded.notes.length > 0 ? { ...prepared, notes: decoded.notes } : prepared;
}

/** Whether an <img> can show the file itself (PNG, JPEG); others (DICOM) are previewed as the model takes them. */
export function browserShows(path: string): boolean {
  return /\.(png|jpe?g)$/i.test(path);
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
    const members = samples.filter((sample) => sample.label === label);
    const val = members.filter((sample) => valIds.has(sample.id)).length;
    const shown = members.slice(0, THUMBNAILS_PER_CLASS);
    const decoded = shown.filter((sample) => !browserShows(sample.id)).map((sample) => ({ path: sample.id, height: shape[0], width: shape[1], channels: shape[2] === 3 ? (3 as const) : (1 as const), pixels: Uint8Array.from(sample.values, (value) => Math.round(255 * value)) }));
    return { name, count: members.length, train: members.length - val, val, samplePaths: shown.map((sample) => sample.id), ...(decoded.length > 0 ? { decoded } : {}) };
  });
  const dataset = (part: data.Sample[]): data.Dataset => ({ classes: classNames, sampleShape: [...shape], samples: part });
  return { train: dataset(split.train), val: dataset(split.val), classes, skipped: skipped.sort(byPath) };
}
