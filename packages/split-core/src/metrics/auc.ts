// ROC-AUC by the rank statistic (Mann-Whitney U): the probability that a random positive
// scores above a random negative, ties counting one half. With average ranks for tied scores,
//   AUC = (R+ - n+(n+ + 1)/2) / (n+ * n-)
// where R+ is the sum of the positives' ranks (1-based, ascending). It needs no thresholds,
// is exact with ties, and depends on the scores only through their order. Shared by the
// classification metrics and by the label-leakage metrics (a norm attack's leak AUC).
//
// Degenerate inputs return NaN instead of throwing, because they happen in normal use (a
// hospital whose validation shard holds one class, an empty batch): no positives or no
// negatives, or any NaN score (a diverged model has no ranking).

/** Binary ROC-AUC of `scores` for the samples where `isPositive` is true against the rest. */
export function binaryAuc(scores: ArrayLike<number>, isPositive: ArrayLike<boolean>): number {
  if (scores.length !== isPositive.length) {
    throw new RangeError(`binaryAuc: ${scores.length} scores but ${isPositive.length} labels.`);
  }
  const count = scores.length;
  let positives = 0;
  for (let index = 0; index < count; index += 1) {
    if (Number.isNaN(scores[index])) return Number.NaN;
    if (isPositive[index] === true) positives += 1;
  }
  const negatives = count - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;

  const order = Array.from({ length: count }, (_, index) => index);
  const scoreAt = (index: number | undefined): number => scores[index ?? 0] ?? Number.NaN;
  order.sort((a, b) => scoreAt(a) - scoreAt(b));

  let positiveRankSum = 0;
  for (let start = 0; start < count; ) {
    let end = start + 1;
    while (end < count && scoreAt(order[end]) === scoreAt(order[start])) end += 1;
    // Positions start..end-1 hold one tie group; 1-based ranks start+1..end average to (start+1+end)/2.
    const averageRank = (start + 1 + end) / 2;
    for (let position = start; position < end; position += 1) {
      if (isPositive[order[position] ?? 0] === true) positiveRankSum += averageRank;
    }
    start = end;
  }
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Macro-averaged one-vs-rest AUC over the classes present both as positives and negatives.
 * `probabilities` is row-major [n, numClasses]. NaN when no class qualifies.
 */
export function oneVsRestAuc(probabilities: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number {
  const count = labels.length;
  let sum = 0;
  let classesCounted = 0;
  for (let classIndex = 0; classIndex < numClasses; classIndex += 1) {
    const scores = new Float64Array(count);
    const isPositive: boolean[] = [];
    for (let row = 0; row < count; row += 1) {
      scores[row] = probabilities[row * numClasses + classIndex] ?? Number.NaN;
      isPositive.push(labels[row] === classIndex);
    }
    const auc = binaryAuc(scores, isPositive);
    if (Number.isNaN(auc)) {
      // A NaN score poisons every class; a missing class is only skipped.
      if (scores.some((score) => Number.isNaN(score))) return Number.NaN;
      continue;
    }
    sum += auc;
    classesCounted += 1;
  }
  return classesCounted === 0 ? Number.NaN : sum / classesCounted;
}
