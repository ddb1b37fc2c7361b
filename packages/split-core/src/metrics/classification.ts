// Validation metrics of a classifier from its predicted class probabilities, as the dashboard
// shows them per client and per study. Clinical readers expect sensitivity/specificity and
// ROC-AUC next to accuracy; see confusion.ts and auc.ts for the exact definitions.
//
// Loss is the mean categorical cross-entropy with probabilities clipped to
// [1e-7, 1 - 1e-7], the same epsilon tfjs-layers uses, so the number matches the training
// loss tfjs reports. Rows are taken as given (not renormalized): pass softmax outputs.
// The predicted class is the argmax; ties go to the lowest class index.
// With n = 0 every scalar is NaN and the confusion matrix is all zeros.

import { binaryAuc, oneVsRestAuc } from './auc';
import { confusionRates, emptyConfusion } from './confusion';
import { thresholdCounts, type ThresholdCounts } from './operating_point';

export interface ClassificationMetrics {
  accuracy: number;
  /** Mean cross-entropy (natural log) of the true class's clipped probability. */
  loss: number;
  /** Binary: ROC-AUC of class 1. More classes: macro one-vs-rest AUC. NaN when undefined. */
  auc: number;
  sensitivity: number;
  specificity: number;
  /** confusion[trueClass][predictedClass] = number of samples. */
  confusion: number[][];
  count: number;
  /** Binary: how many of each class fall on either side of every threshold of the grid (operating_point.ts), for the study's threshold. */
  thresholds?: ThresholdCounts;
}

const PROBABILITY_EPSILON = 1e-7;

export function evaluateClassification(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
): ClassificationMetrics {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new RangeError(`evaluateClassification: numClasses must be an integer >= 2, got ${numClasses}.`);
  }
  const count = labels.length;
  if (probabilities.length !== count * numClasses) {
    throw new RangeError(
      `evaluateClassification: ${probabilities.length} probabilities for ${count} labels x ${numClasses} classes ` +
        `(expected ${count * numClasses}, row-major [n, numClasses]).`,
    );
  }

  const confusion = emptyConfusion(numClasses);
  let lossSum = 0;
  for (let row = 0; row < count; row += 1) {
    const label = labels[row] ?? -1;
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new RangeError(`evaluateClassification: label ${label} at row ${row} is not a class in 0..${numClasses - 1}.`);
    }
    const offset = row * numClasses;
    let predicted = 0;
    for (let classIndex = 1; classIndex < numClasses; classIndex += 1) {
      if ((probabilities[offset + classIndex] ?? 0) > (probabilities[offset + predicted] ?? 0)) predicted = classIndex;
    }
    const confusionRow = confusion[label];
    if (confusionRow !== undefined) confusionRow[predicted] = (confusionRow[predicted] ?? 0) + 1;
    const trueProbability = probabilities[offset + label] ?? Number.NaN;
    lossSum -= Math.log(Math.min(Math.max(trueProbability, PROBABILITY_EPSILON), 1 - PROBABILITY_EPSILON));
  }

  const base = { ...confusionRates(confusion), loss: count === 0 ? Number.NaN : lossSum / count, confusion, count };
  if (numClasses !== 2) return { ...base, auc: oneVsRestAuc(probabilities, labels, numClasses) };
  // Class 1 is positive; its probability (column 1 of [n, 2]) is the score.
  const scores = Float64Array.from({ length: count }, (_, row) => probabilities[row * 2 + 1] ?? Number.NaN);
  const isPositive = Array.from({ length: count }, (_, row) => labels[row] === 1);
  return { ...base, auc: binaryAuc(scores, isPositive), thresholds: thresholdCounts(scores, labels) };
}
