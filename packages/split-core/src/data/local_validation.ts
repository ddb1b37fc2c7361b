import type { Sample } from './dataset';
import { createRng, deriveSeed, shuffled } from './random';
import { stratifiedSplit } from './shard';

/** What of a study decides a participant's local validation split. */
export interface LocalValidationConfig {
  seed: number;
  /** Share of each class kept on the device for validation. */
  validationFraction: number;
}

function byId(a: Sample, b: Sample): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The share of a participant's samples it keeps on its device for validation: one rule for
 * every participant (browser worker, Node client, booth hospital, `npm run infer` scoring a
 * demo client's images), so the same files give the same split wherever they are read.
 * Samples are sorted by id first, and the split depends only on that order and the study's
 * seed: a browser's ids (`train/normal/a.png`, the picked folder's name first) and the Node
 * reader's (`normal/a.png`) differ by a common prefix, which leaves the order unchanged; the
 * order the files arrived in does not matter either (a page reload picks the same files).
 */
export function localValidationSplit<T extends Sample>(samples: readonly T[], study: LocalValidationConfig): { train: T[]; val: T[] } {
  const sorted = [...samples].sort(byId);
  return stratifiedSplit(sorted, study.validationFraction, createRng(deriveSeed(study.seed, 'local-validation')));
}

/**
 * The validation rows of a vertical group: the parties hold the same rows in one common
 * order (by PSI tag), so a seeded choice of row positions picks the same patients at every
 * party without anyone naming one. Not stratified: only the label holder knows the labels.
 * Returns the positions (0..count-1) kept for validation, ascending.
 */
export function sharedValidationRows(count: number, study: LocalValidationConfig): number[] {
  const positions = shuffled(
    Array.from({ length: count }, (_, i) => i),
    createRng(deriveSeed(study.seed, 'shared-validation')),
  );
  return positions.slice(0, Math.round(count * study.validationFraction)).sort((a, b) => a - b);
}
