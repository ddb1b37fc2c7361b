// A confusion matrix [true][predicted] as the dashboard shows it: counts with row shares (the
// share of each true class predicted as each class), and per-class sensitivity and
// specificity, because with imbalanced classes accuracy alone hides a model that predicts the
// majority class for everything. Balanced accuracy (mean sensitivity) says the same in one number.

export interface ConfusionCell {
  count: number;
  /** count / row total; null for a class with no validation sample. */
  rowShare: number | null;
}

export interface ConfusionRow {
  name: string;
  total: number;
  cells: ConfusionCell[];
  /** Recall of this class: correct / row total. */
  sensitivity: number | null;
  /** One-vs-rest: samples of other classes not predicted as this one. */
  specificity: number | null;
}

export interface ConfusionView {
  classes: string[];
  rows: ConfusionRow[];
  total: number;
  accuracy: number | null;
  balancedAccuracy: number | null;
  /** Share of each class among validation samples, to show the imbalance. */
  prevalence: (number | null)[];
}

const ratio = (numerator: number, denominator: number): number | null => (denominator === 0 ? null : numerator / denominator);

export function describeConfusion(confusion: readonly (readonly number[])[], classNames: readonly string[]): ConfusionView {
  const size = Math.max(confusion.length, ...confusion.map((row) => row.length));
  const classes = Array.from({ length: size }, (_, i) => classNames[i] ?? `class ${i}`);
  const at = (trueClass: number, predicted: number): number => confusion[trueClass]?.[predicted] ?? 0;
  const rowTotals = classes.map((_, trueClass) => classes.reduce((sum, __, predicted) => sum + at(trueClass, predicted), 0));
  const columnTotals = classes.map((_, predicted) => classes.reduce((sum, __, trueClass) => sum + at(trueClass, predicted), 0));
  const total = rowTotals.reduce((sum, value) => sum + value, 0);
  let correct = 0;
  const rows = classes.map((name, trueClass) => {
    const rowTotal = rowTotals[trueClass] ?? 0;
    const truePositives = at(trueClass, trueClass);
    correct += truePositives;
    const negatives = total - rowTotal;
    const falsePositives = (columnTotals[trueClass] ?? 0) - truePositives;
    return {
      name,
      total: rowTotal,
      cells: classes.map((__, predicted) => ({ count: at(trueClass, predicted), rowShare: ratio(at(trueClass, predicted), rowTotal) })),
      sensitivity: ratio(truePositives, rowTotal),
      specificity: ratio(negatives - falsePositives, negatives),
    };
  });
  const recalls = rows.map((row) => row.sensitivity).filter((value): value is number => value !== null);
  return {
    classes,
    rows,
    total,
    accuracy: ratio(correct, total),
    balancedAccuracy: recalls.length === 0 ? null : recalls.reduce((sum, value) => sum + value, 0) / recalls.length,
    prevalence: rowTotals.map((rowTotal) => ratio(rowTotal, total)),
  };
}
