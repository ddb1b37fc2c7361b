// Combining metrics that several clients computed on their own validation shards, so the
// dashboard can show one study-wide figure without any client sending predictions or labels.
//
// - confusion: summed, and accuracy, sensitivity and specificity recomputed from the sum
//   (see confusion.ts), which equals evaluating the pooled samples exactly. (A sample-weighted
//   mean of sensitivities would weight by all samples instead of by positives: wrong.)
// - loss: sample-weighted mean, also exact for a per-sample mean. A NaN loss propagates: a
//   diverged client must not disappear from the average.
// - auc: sample-weighted mean over the parts whose AUC is defined (a shard with one class has
//   none). An approximation: the pooled AUC needs the pooled scores, which never leave clients.

import type { ClassificationMetrics } from './classification';
import { confusionRates, emptyConfusion } from './confusion';
import { addThresholdCounts, requireThresholdCounts } from './operating_point';

export interface ClassificationMetricsPart {
  metrics: ClassificationMetrics;
  /** Samples the part was evaluated on; must equal its confusion matrix total. */
  count: number;
}

export function mergeClassificationMetrics(parts: readonly ClassificationMetricsPart[]): ClassificationMetrics {
  const numClasses = parts[0]?.metrics.confusion.length ?? 0;
  const confusion = emptyConfusion(numClasses);
  let count = 0;
  let lossSum = 0;
  let aucSum = 0;
  let aucWeight = 0;

  parts.forEach((part, partIndex) => {
    requireConsistentPart(part, partIndex, numClasses);
    part.metrics.confusion.forEach((row, trueClass) =>
      row.forEach((value, predicted) => {
        const mergedRow = confusion[trueClass];
        if (mergedRow !== undefined) mergedRow[predicted] = (mergedRow[predicted] ?? 0) + value;
      }),
    );
    if (part.count === 0) return;
    count += part.count;
    lossSum += part.count * part.metrics.loss;
    if (!Number.isNaN(part.metrics.auc)) {
      aucSum += part.count * part.metrics.auc;
      aucWeight += part.count;
    }
  });

  // Threshold counts add up exactly, but only when every part that scored samples has them.
  const scored = parts.filter((part) => part.count > 0);
  const thresholds = scored.length > 0 && scored.every((part) => part.metrics.thresholds) ? addThresholdCounts(scored.map((part) => part.metrics.thresholds as NonNullable<ClassificationMetrics['thresholds']>)) : undefined;
  return {
    ...confusionRates(confusion),
    loss: count === 0 ? Number.NaN : lossSum / count,
    auc: aucWeight === 0 ? Number.NaN : aucSum / aucWeight,
    confusion,
    count,
    ...(thresholds ? { thresholds } : {}),
  };
}

/**
 * Throws RangeError unless `part` is a numClasses x numClasses confusion matrix of
 * non-negative integers whose total is its count: what a merge can add up. A relay checks
 * each participant's report with it before merging, so one bad report is refused alone.
 */
export function requireConsistentPart(part: ClassificationMetricsPart, partIndex: number, numClasses: number): void {
  const { confusion } = part.metrics;
  if (confusion.length !== numClasses || confusion.some((row) => row.length !== numClasses)) {
    throw new RangeError(`mergeClassificationMetrics: part ${partIndex} is not a ${numClasses}x${numClasses} confusion matrix.`);
  }
  if (confusion.some((row) => row.some((value) => !Number.isSafeInteger(value) || value < 0))) {
    throw new RangeError(`mergeClassificationMetrics: part ${partIndex} has a confusion cell that is not a non-negative integer.`);
  }
  const confusionTotal = confusion.reduce((sum, row) => sum + row.reduce((rowSum, value) => rowSum + value, 0), 0);
  const { thresholds } = part.metrics;
  if (thresholds) {
    requireThresholdCounts(thresholds, `mergeClassificationMetrics: part ${partIndex}`);
    if (numClasses !== 2 || thresholds.negatives !== confusion[0]?.reduce((a, b) => a + b, 0) || thresholds.positives !== confusion[1]?.reduce((a, b) => a + b, 0)) {
      throw new RangeError(`mergeClassificationMetrics: part ${partIndex}'s threshold counts are not of the samples its confusion matrix holds.`);
    }
  }
  if (part.count !== confusionTotal || part.metrics.count !== confusionTotal) {
    throw new RangeError(
      `mergeClassificationMetrics: part ${partIndex} reports count ${part.count} (metrics.count ${part.metrics.count}) ` +
        `but its confusion matrix holds ${confusionTotal} samples.`,
    );
  }
}
