import { expect } from 'vitest';

// Whether a study over the relay learned, judged by its last round's validation AUC. Accuracy
// at 0.5 is no measure of it in these short runs: it swings with the calibration of a few
// rounds while the ranking is already right (0.75-0.78 at AUC 0.99-1.0 in single rounds seen
// here), and participant ids, hence batch orders, are random, so every run is another draw.

export interface ValidationRow {
  round: number;
  metrics: { accuracy?: number | null; auc?: number | null };
}

/** The last round's validation AUC is above `bar`; the failure message lists every round's figures. */
export function expectLearned(val: readonly ValidationRow[], bar = 0.9): void {
  const figures = [...val]
    .sort((a, b) => a.round - b.round)
    .map((row) => `round ${row.round}: AUC ${row.metrics.auc?.toFixed(3)}, accuracy ${row.metrics.accuracy?.toFixed(3)}`)
    .join('; ');
  const last = [...val].sort((a, b) => a.round - b.round).at(-1);
  expect(last?.metrics.auc ?? 0, figures).toBeGreaterThan(bar);
}
