import type { Dataset, Sample } from '../data/dataset';
import { sharedValidationRows, type LocalValidationConfig } from '../data/local_validation';
import { columnScaling, scaledSamples } from '../data/tabular';
import type { PsiIntersection } from './psi_party';

/** One party's rows after alignment: the common rows in the common order, split into training and validation alike at every party. */
export interface AlignedParty {
  train: Dataset;
  val: Dataset;
  /** Rows all parties hold. */
  aligned: number;
  /** This party's rows that not every party holds: they take no part. */
  leftOut: number;
}

/**
 * A party's samples (ids = patient ids) arranged as the intersection says: row k is the
 * same patient at every party. The validation rows are chosen by position with the study's
 * seed (sharedValidationRows), so they are the same patients everywhere.
 */
export function alignParty(data: Dataset, intersection: PsiIntersection, study: LocalValidationConfig): AlignedParty {
  const byId = new Map(data.samples.map((sample) => [sample.id, sample]));
  const rows = intersection.ids.map((id) => {
    const sample = byId.get(id);
    if (!sample) throw new Error(`the intersection names a row this party does not hold (${id})`);
    return sample;
  });
  const valPositions = new Set(sharedValidationRows(rows.length, study));
  const train: Sample[] = [];
  const val: Sample[] = [];
  rows.forEach((row, position) => (valPositions.has(position) ? val : train).push(row));
  const part = (samples: Sample[]): Dataset => ({ classes: data.classes, ...(data.tasks ? { tasks: data.tasks } : {}), sampleShape: data.sampleShape, samples });
  return { train: part(train), val: part(val), aligned: rows.length, leftOut: data.samples.length - rows.length };
}

/**
 * A party's aligned rows ready to train: a table's columns z-scored by the party's own
 * training rows (no statistic leaves it); images as they are.
 */
export function alignedTrainingData(data: Dataset, intersection: PsiIntersection, study: LocalValidationConfig): AlignedParty {
  const aligned = alignParty(data, intersection, study);
  if (data.sampleShape.length !== 1) return aligned;
  const scaling = columnScaling(aligned.train.samples);
  return { ...aligned, train: { ...aligned.train, samples: scaledSamples(aligned.train.samples, scaling) }, val: { ...aligned.val, samples: scaledSamples(aligned.val.samples, scaling) } };
}
