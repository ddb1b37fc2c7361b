import { describe, expect, it } from 'vitest';
import { createRng } from '../data/random';
import { evaluateClassification } from './classification';
import { mergeClassificationMetrics } from './merge';
import { addThresholdCounts, operatingPoint, requireThresholdCounts, THRESHOLD_GRID, thresholdCounts } from './operating_point';

/** Scores where positives tend higher, as a trained model's. */
function scored(seed: number, count: number): { scores: number[]; labels: number[] } {
  const rng = createRng(seed);
  const labels = Array.from({ length: count }, () => (rng.next() < 0.7 ? 1 : 0));
  const scores = labels.map((label) => Math.min(0.999, Math.max(0.001, (label ? 0.62 : 0.35) + rng.normal() * 0.2)));
  return { scores, labels };
}

/** Sensitivity and specificity at threshold t, from the raw scores. */
function ratesAt(t: number, { scores, labels }: { scores: number[]; labels: number[] }): { sensitivity: number; specificity: number } {
  const positives = labels.filter((label) => label === 1).length;
  const tp = scores.filter((score, i) => labels[i] === 1 && score >= t).length;
  const tn = scores.filter((score, i) => labels[i] === 0 && score < t).length;
  return { sensitivity: tp / positives, specificity: tn / (labels.length - positives) };
}

describe('operating point', () => {
  it('counts each class on either side of every threshold, and the counts of parts add up to those of the pooled set', () => {
    const whole = scored(3, 600);
    const counts = thresholdCounts(whole.scores, whole.labels);
    THRESHOLD_GRID.forEach((t, i) => {
      const { sensitivity, specificity } = ratesAt(t, whole);
      expect(counts.truePositives[i] as number / counts.positives).toBeCloseTo(sensitivity, 12);
      expect(counts.trueNegatives[i] as number / counts.negatives).toBeCloseTo(specificity, 12);
    });
    const parts = [0, 150, 420, 600].slice(0, -1).map((start, k, starts) => {
      const end = starts[k + 1] ?? 600;
      return thresholdCounts(whole.scores.slice(start, end), whole.labels.slice(start, end));
    });
    expect(addThresholdCounts(parts)).toEqual(counts);
    expect(() => requireThresholdCounts(counts, 'pooled')).not.toThrow();
  });

  it('picks the threshold of best balanced accuracy, or the most specific one reaching a target sensitivity', () => {
    const whole = scored(4, 800);
    const counts = thresholdCounts(whole.scores, whole.labels);
    const balanced = THRESHOLD_GRID.map((t) => {
      const { sensitivity, specificity } = ratesAt(t, whole);
      return (sensitivity + specificity) / 2;
    });
    const point = operatingPoint(counts);
    expect(point?.balancedAccuracy).toBeCloseTo(Math.max(...balanced), 12);
    expect(point?.threshold).toBeGreaterThan(0.35);
    expect(point?.threshold).toBeLessThan(0.62);
    const sensitive = operatingPoint(counts, { kind: 'sensitivity', target: 0.95 });
    expect(sensitive?.sensitivity).toBeGreaterThanOrEqual(0.95);
    const next = THRESHOLD_GRID[THRESHOLD_GRID.indexOf(sensitive?.threshold ?? 0) + 1] as number;
    expect(ratesAt(next, whole).sensitivity).toBeLessThan(0.95);
    expect(operatingPoint(thresholdCounts([0.2, 0.9], [1, 1]))).toBeUndefined();
  });

  it('comes with a binary evaluation and survives the merge of clients\' reports exactly; refuses counts that cannot be', () => {
    const whole = scored(5, 300);
    const probabilities = (from: number, to: number): number[] => whole.scores.slice(from, to).flatMap((score) => [1 - score, score]);
    const a = evaluateClassification(probabilities(0, 120), whole.labels.slice(0, 120), 2);
    const b = evaluateClassification(probabilities(120, 300), whole.labels.slice(120), 2);
    const merged = mergeClassificationMetrics([{ metrics: a, count: a.count }, { metrics: b, count: b.count }]);
    expect(merged.thresholds).toEqual(thresholdCounts(whole.scores, whole.labels));
    expect(evaluateClassification([0.2, 0.5, 0.3, 0.3, 0.1, 0.4, 0.2, 0.3, 0.4], [0, 1, 2], 3).thresholds).toBeUndefined();
    const rising = { ...a, thresholds: { ...(a.thresholds as NonNullable<typeof a.thresholds>), truePositives: [...(a.thresholds?.truePositives ?? [])].reverse() } };
    expect(() => mergeClassificationMetrics([{ metrics: rising, count: rising.count }])).toThrow(/must not rise/);
    const inflated = { ...a, thresholds: { ...(a.thresholds as NonNullable<typeof a.thresholds>), positives: (a.thresholds?.positives ?? 0) + 5 } };
    expect(() => mergeClassificationMetrics([{ metrics: inflated, count: inflated.count }])).toThrow(/not of the samples/);
  });
});
