// Rates read off a confusion matrix [true][predicted]. Computing them from counts (rather than
// averaging per-client rates) keeps merged metrics exact: summing clients' matrices and
// recomputing gives the same numbers as evaluating the pooled samples.
//
// Binary (2 classes): class 1 is the positive class (disease present), so
//   sensitivity = TP / (TP + FN) = recall of class 1,
//   specificity = TN / (TN + FP) = recall of class 0.
// More than 2 classes: macro averages over classes, each class c in turn positive vs the rest:
//   sensitivity = mean over classes with samples of recall_c = C[c][c] / sum_j C[c][j],
//   specificity = mean over classes with negatives of TN_c / (TN_c + FP_c),
//                 where TN_c + FP_c = n - sum_j C[c][j] (samples of other classes).
// An undefined rate (no sample in its denominator) is NaN.

export interface ConfusionRates {
  accuracy: number;
  sensitivity: number;
  specificity: number;
}

export function emptyConfusion(numClasses: number): number[][] {
  return Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
}

export function confusionRates(confusion: readonly (readonly number[])[]): ConfusionRates {
  const numClasses = confusion.length;
  const cell = (trueClass: number, predicted: number): number => confusion[trueClass]?.[predicted] ?? 0;
  const rowSums = confusion.map((row) => row.reduce((sum, value) => sum + value, 0));
  const total = rowSums.reduce((sum, value) => sum + value, 0);
  let correct = 0;
  for (let classIndex = 0; classIndex < numClasses; classIndex += 1) correct += cell(classIndex, classIndex);
  const accuracy = total === 0 ? Number.NaN : correct / total;

  if (numClasses === 2) {
    return {
      accuracy,
      sensitivity: ratio(cell(1, 1), cell(1, 0) + cell(1, 1)),
      specificity: ratio(cell(0, 0), cell(0, 0) + cell(0, 1)),
    };
  }

  const recalls: number[] = [];
  const specificities: number[] = [];
  for (let classIndex = 0; classIndex < numClasses; classIndex += 1) {
    const actual = rowSums[classIndex] ?? 0;
    let predictedAs = 0;
    for (let trueClass = 0; trueClass < numClasses; trueClass += 1) predictedAs += cell(trueClass, classIndex);
    const truePositives = cell(classIndex, classIndex);
    const negatives = total - actual;
    const falsePositives = predictedAs - truePositives;
    if (actual > 0) recalls.push(truePositives / actual);
    if (negatives > 0) specificities.push((negatives - falsePositives) / negatives);
  }
  return { accuracy, sensitivity: mean(recalls), specificity: mean(specificities) };
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? Number.NaN : numerator / denominator;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}
