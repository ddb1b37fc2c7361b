// Where a binary classifier's decision threshold should sit, found on validation data that
// stays spread over the clients. Each client counts, at every threshold of one fixed grid,
// how many of its positives score at or above it and how many of its negatives below it:
// counts that add up across clients, so the study's threshold is chosen on the pooled
// validation set (to the grid's step) while no score or label leaves a client.

/** The thresholds on the probability of class 1 that a study can choose between: 0.01 to 0.99. */
export const THRESHOLD_GRID: readonly number[] = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);

export interface ThresholdCounts {
  /** truePositives[i]: positives (class 1) whose score is >= THRESHOLD_GRID[i]. */
  truePositives: number[];
  /** trueNegatives[i]: negatives (class 0) whose score is < THRESHOLD_GRID[i]. */
  trueNegatives: number[];
  positives: number;
  negatives: number;
}

/** How the study picks its threshold: the best balanced accuracy, or the highest threshold that still finds `sensitivity` of the positives. */
export type OperatingRule = { kind: 'balanced-accuracy' } | { kind: 'sensitivity'; target: number };

export interface OperatingPoint {
  threshold: number;
  sensitivity: number;
  specificity: number;
  balancedAccuracy: number;
  rule: OperatingRule;
}

/** The rates at one threshold of the grid, from pooled or one client's counts. */
export function ratesAtThreshold(counts: ThresholdCounts, threshold: number): { threshold: number; sensitivity: number; specificity: number; balancedAccuracy: number; accuracy: number } {
  const i = THRESHOLD_GRID.findIndex((t) => Math.abs(t - threshold) < 1e-9);
  if (i < 0) throw new RangeError(`threshold ${threshold} is not one of the grid's (0.01 to 0.99 by 0.01)`);
  const tp = counts.truePositives[i] as number;
  const tn = counts.trueNegatives[i] as number;
  const sensitivity = counts.positives > 0 ? tp / counts.positives : Number.NaN;
  const specificity = counts.negatives > 0 ? tn / counts.negatives : Number.NaN;
  return { threshold: THRESHOLD_GRID[i] as number, sensitivity, specificity, balancedAccuracy: (sensitivity + specificity) / 2, accuracy: (tp + tn) / (counts.positives + counts.negatives) };
}

/** The counts of one client's binary validation: `scores` are class 1's probabilities. */
export function thresholdCounts(scores: ArrayLike<number>, labels: ArrayLike<number>): ThresholdCounts {
  const truePositives = new Array<number>(THRESHOLD_GRID.length).fill(0);
  const trueNegatives = new Array<number>(THRESHOLD_GRID.length).fill(0);
  let positives = 0;
  let negatives = 0;
  for (let row = 0; row < labels.length; row++) {
    const score = scores[row] ?? Number.NaN;
    // The grid index of the first threshold above the score: score >= t for all thresholds before it.
    const above = Number.isNaN(score) ? 0 : Math.min(THRESHOLD_GRID.length, Math.max(0, Math.floor(score * 100 + 1e-9)));
    if (labels[row] === 1) {
      positives += 1;
      for (let i = 0; i < above; i++) truePositives[i] = (truePositives[i] as number) + 1;
    } else {
      negatives += 1;
      for (let i = above; i < THRESHOLD_GRID.length; i++) trueNegatives[i] = (trueNegatives[i] as number) + 1;
    }
  }
  return { truePositives, trueNegatives, positives, negatives };
}

/** The sum of several clients' counts. */
export function addThresholdCounts(parts: readonly ThresholdCounts[]): ThresholdCounts {
  const sum = (pick: (part: ThresholdCounts) => readonly number[]): number[] => THRESHOLD_GRID.map((_, i) => parts.reduce((total, part) => total + (pick(part)[i] ?? 0), 0));
  return {
    truePositives: sum((part) => part.truePositives),
    trueNegatives: sum((part) => part.trueNegatives),
    positives: parts.reduce((total, part) => total + part.positives, 0),
    negatives: parts.reduce((total, part) => total + part.negatives, 0),
  };
}

/** Throws RangeError unless the counts could come from `thresholdCounts` (a report checked before it is added up). */
export function requireThresholdCounts(counts: ThresholdCounts, what: string): void {
  const { truePositives, trueNegatives, positives, negatives } = counts;
  const whole = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;
  if (truePositives.length !== THRESHOLD_GRID.length || trueNegatives.length !== THRESHOLD_GRID.length) throw new RangeError(`${what}: threshold counts must have ${THRESHOLD_GRID.length} entries`);
  if (!whole(positives) || !whole(negatives)) throw new RangeError(`${what}: threshold totals must be non-negative integers`);
  for (let i = 0; i < THRESHOLD_GRID.length; i++) {
    const tp = truePositives[i] as number;
    const tn = trueNegatives[i] as number;
    if (!whole(tp) || !whole(tn) || tp > positives || tn > negatives) throw new RangeError(`${what}: threshold counts at ${THRESHOLD_GRID[i]} are not counts of its ${positives} positives and ${negatives} negatives`);
    // A higher threshold finds no more positives and no fewer negatives.
    if (i > 0 && (tp > (truePositives[i - 1] as number) || tn < (trueNegatives[i - 1] as number))) throw new RangeError(`${what}: threshold counts must not rise (positives) or fall (negatives) as the threshold rises`);
  }
}

/**
 * The study's operating point from pooled counts; undefined without both classes. Balanced
 * accuracy: the best one, the threshold nearest 0.5 among equals. Target sensitivity: the
 * highest threshold still reaching it (the most specific one that does).
 */
export function operatingPoint(counts: ThresholdCounts, rule: OperatingRule = { kind: 'balanced-accuracy' }): OperatingPoint | undefined {
  const { positives, negatives } = counts;
  if (positives === 0 || negatives === 0) return undefined;
  const points = THRESHOLD_GRID.map((threshold): OperatingPoint => {
    const { sensitivity, specificity, balancedAccuracy } = ratesAtThreshold(counts, threshold);
    return { threshold, sensitivity, specificity, balancedAccuracy, rule };
  });
  if (rule.kind === 'sensitivity') {
    const reaching = points.filter((point) => point.sensitivity >= rule.target);
    return reaching[reaching.length - 1] ?? points[0];
  }
  return points.reduce((best, point) => {
    if (point.balancedAccuracy > best.balancedAccuracy + 1e-12) return point;
    if (Math.abs(point.balancedAccuracy - best.balancedAccuracy) <= 1e-12 && Math.abs(point.threshold - 0.5) < Math.abs(best.threshold - 0.5)) return point;
    return best;
  });
}
