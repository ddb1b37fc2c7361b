import { binaryAuc } from '../metrics/auc';

// What the cut gradients reveal about the labels (Li et al., "Label leakage and protection
// in two-party split learning", ICLR 2022): in a binary task the gradient of the loss at the
// cut is larger for the rarer class (the norm attack), and gradients of the same class point
// the same way (the direction attack, for someone who knows one positive example's
// gradient). Each attack's success is a leak AUC: 0.5 reveals nothing, 1 every label.
// Scores are gathered batch by batch (a per-sample norm and a cosine) and scored once a round.

/** A leak AUC whichever way the attacker reads its score: max(AUC, 1 - AUC); NaN when one class is absent. */
function leakAuc(scores: readonly number[], positive: readonly boolean[]): number {
  const auc = binaryAuc(scores, positive);
  return Number.isNaN(auc) ? auc : Math.max(auc, 1 - auc);
}

/** Per-sample attack scores of one batch's cut gradients ([samples, values] row by row). */
export function batchLeakScores(gradients: Float32Array, samples: number, labels: ArrayLike<number>, positiveClass: number): { norms: number[]; cosines: (number | undefined)[] } {
  if (samples === 0) return { norms: [], cosines: [] };
  const width = gradients.length / samples;
  if (!Number.isInteger(width)) throw new RangeError(`${gradients.length} gradient values do not split into ${samples} samples`);
  const row = (i: number): Float32Array => gradients.subarray(i * width, (i + 1) * width);
  // Plain loops with four running sums (no chain of dependent adds): this runs on every
  // training step's cut gradient (Float32Array.reduce with a closure took ~7 ms a step for
  // cnn-small's batch of 64; these loops well under 1 ms).
  const dot = (a: Float32Array, b: Float32Array): number => {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const whole = a.length - (a.length % 4);
    for (let k = 0; k < whole; k += 4) {
      s0 += (a[k] as number) * (b[k] as number);
      s1 += (a[k + 1] as number) * (b[k + 1] as number);
      s2 += (a[k + 2] as number) * (b[k + 2] as number);
      s3 += (a[k + 3] as number) * (b[k + 3] as number);
    }
    for (let k = whole; k < a.length; k++) s0 += (a[k] as number) * (b[k] as number);
    return s0 + s1 + s2 + s3;
  };
  const norm = (values: Float32Array): number => Math.sqrt(dot(values, values));
  const norms = Array.from({ length: samples }, (_, i) => norm(row(i)));
  // The attacker's one known positive: the batch's first; it scores the others by their cosine with it.
  let reference = -1;
  for (let i = 0; i < samples; i++) {
    if (labels[i] === positiveClass) {
      reference = i;
      break;
    }
  }
  const known = reference >= 0 ? row(reference) : undefined;
  const knownNorm = reference >= 0 ? (norms[reference] as number) : 0;
  const cosines = Array.from({ length: samples }, (_, i) => {
    if (!known || i === reference) return undefined;
    const denominator = (norms[i] as number) * knownNorm;
    return denominator > 0 ? dot(row(i), known) / denominator : 0;
  });
  return { norms, cosines };
}

/** A round's leak AUCs from its batches' scores and labels. */
export class LabelLeakTally {
  private readonly norms: number[] = [];
  private readonly normLabels: boolean[] = [];
  private readonly cosines: number[] = [];
  private readonly cosineLabels: boolean[] = [];

  constructor(private readonly positiveClass: number) {}

  add(gradients: Float32Array, labels: ArrayLike<number>): void {
    const samples = labels.length;
    const scores = batchLeakScores(gradients, samples, labels, this.positiveClass);
    for (let i = 0; i < samples; i++) {
      const positive = labels[i] === this.positiveClass;
      this.norms.push(scores.norms[i] as number);
      this.normLabels.push(positive);
      const cosine = scores.cosines[i];
      if (cosine !== undefined) {
        this.cosines.push(cosine);
        this.cosineLabels.push(positive);
      }
    }
  }

  get samples(): number {
    return this.norms.length;
  }

  /** The norm attack's and the direction attack's leak AUCs (NaN where a class never appeared). */
  result(): { norm: number; direction: number; samples: number } {
    return { norm: leakAuc(this.norms, this.normLabels), direction: leakAuc(this.cosines, this.cosineLabels), samples: this.samples };
  }
}
