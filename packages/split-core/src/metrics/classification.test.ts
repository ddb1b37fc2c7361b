import { describe, expect, it } from 'vitest';
import { evaluateClassification } from './classification';

// Binary example, rows [p(class 0), p(class 1)]:
//   row 0 [0.9, 0.1] label 0 -> predicted 0 (TN)
//   row 1 [0.6, 0.4] label 1 -> predicted 0 (FN)
//   row 2 [0.3, 0.7] label 1 -> predicted 1 (TP)
//   row 3 [0.4, 0.6] label 0 -> predicted 1 (FP)
//   row 4 [0.2, 0.8] label 1 -> predicted 1 (TP)
const binaryProbabilities = new Float32Array([0.9, 0.1, 0.6, 0.4, 0.3, 0.7, 0.4, 0.6, 0.2, 0.8]);
const binaryLabels = new Int32Array([0, 1, 1, 0, 1]);

describe('evaluateClassification, binary', () => {
  const metrics = evaluateClassification(binaryProbabilities, binaryLabels, 2);

  it('builds the confusion matrix [true][predicted]', () => {
    expect(metrics.confusion).toEqual([
      [1, 1], // true 0: row 0 -> 0, row 3 -> 1
      [1, 2], // true 1: row 1 -> 0, rows 2 and 4 -> 1
    ]);
    expect(metrics.count).toBe(5);
  });

  it('computes accuracy, sensitivity and specificity from it', () => {
    expect(metrics.accuracy).toBeCloseTo(3 / 5, 12); // rows 0, 2, 4 correct
    expect(metrics.sensitivity).toBeCloseTo(2 / 3, 12); // TP 2 / (TP 2 + FN 1)
    expect(metrics.specificity).toBeCloseTo(1 / 2, 12); // TN 1 / (TN 1 + FP 1)
  });

  it('computes the mean cross-entropy of the true class', () => {
    const expected = -(Math.log(0.9) + Math.log(0.4) + Math.log(0.7) + Math.log(0.4) + Math.log(0.8)) / 5;
    expect(metrics.loss).toBeCloseTo(expected, 6); // float32 inputs: 6 digits
  });

  it('ranks class-1 probabilities for AUC', () => {
    // positives (rows 1, 2, 4): 0.4, 0.7, 0.8; negatives (rows 0, 3): 0.1, 0.6
    // 0.4 beats 0.1 only (1); 0.7 and 0.8 beat both (2 + 2): 5 / (3 * 2)
    expect(metrics.auc).toBeCloseTo(5 / 6, 12);
  });

  it('clips probabilities at 1e-7 like tfjs', () => {
    // true class has probability 0 -> -ln(1e-7); probability 1 -> -ln(1 - 1e-7)
    expect(evaluateClassification([1, 0], [1], 2).loss).toBeCloseTo(-Math.log(1e-7), 9);
    expect(evaluateClassification([1, 0], [0], 2).loss).toBeCloseTo(-Math.log(1 - 1e-7), 12);
    expect(evaluateClassification([1, 0], [0], 2).loss).toBeGreaterThan(0);
  });

  it('breaks argmax ties toward the lower class', () => {
    expect(evaluateClassification([0.5, 0.5], [1], 2).confusion).toEqual([
      [0, 0],
      [1, 0],
    ]);
  });
});

describe('evaluateClassification, 3 classes', () => {
  // rows and predictions (argmax):
  //   [0.7, 0.2, 0.1] label 0 -> 0
  //   [0.3, 0.4, 0.3] label 0 -> 1
  //   [0.2, 0.6, 0.2] label 1 -> 1
  //   [0.1, 0.3, 0.6] label 1 -> 2
  //   [0.1, 0.1, 0.8] label 2 -> 2
  //   [0.5, 0.2, 0.3] label 2 -> 0
  const probabilities = new Float32Array([0.7, 0.2, 0.1, 0.3, 0.4, 0.3, 0.2, 0.6, 0.2, 0.1, 0.3, 0.6, 0.1, 0.1, 0.8, 0.5, 0.2, 0.3]);
  const metrics = evaluateClassification(probabilities, [0, 0, 1, 1, 2, 2], 3);

  it('counts confusion and macro rates', () => {
    expect(metrics.confusion).toEqual([
      [1, 1, 0],
      [0, 1, 1],
      [1, 0, 1],
    ]);
    expect(metrics.accuracy).toBeCloseTo(3 / 6, 12);
    // recall per class: 1/2, 1/2, 1/2 -> macro 1/2
    expect(metrics.sensitivity).toBeCloseTo(1 / 2, 12);
    // specificity per class: 4 negatives each, one false positive each (row 5 -> 0, row 1 -> 1, row 3 -> 2): 3/4
    expect(metrics.specificity).toBeCloseTo(3 / 4, 12);
  });

  it('macro-averages one-vs-rest AUC', () => {
    // class 0: pos 0.7, 0.3 vs neg 0.2, 0.1, 0.1, 0.5: 4 + 3 = 7 of 8
    // class 1: pos 0.6, 0.3 vs neg 0.2, 0.4, 0.1, 0.2: 4 + 3 = 7 of 8
    // class 2: pos 0.8, 0.3 vs neg 0.1, 0.3, 0.2, 0.6: 4 + (2 wins + 1/2 tie) = 6.5 of 8
    // macro: (7/8 + 7/8 + 6.5/8) / 3 = 20.5 / 24
    expect(metrics.auc).toBeCloseTo(20.5 / 24, 12);
  });

  it('computes the cross-entropy of the true classes', () => {
    const expected = -(Math.log(0.7) + Math.log(0.3) + Math.log(0.6) + Math.log(0.3) + Math.log(0.8) + Math.log(0.3)) / 6;
    expect(metrics.loss).toBeCloseTo(expected, 6);
  });
});

describe('evaluateClassification, degenerate inputs', () => {
  it('returns NaN scalars and a zero matrix for n = 0', () => {
    const metrics = evaluateClassification(new Float32Array(0), [], 2);
    expect(metrics.count).toBe(0);
    expect(metrics.confusion).toEqual([
      [0, 0],
      [0, 0],
    ]);
    for (const value of [metrics.accuracy, metrics.loss, metrics.auc, metrics.sensitivity, metrics.specificity]) expect(value).toBeNaN();
  });

  it('returns NaN for AUC and sensitivity when only negatives are present', () => {
    const metrics = evaluateClassification([0.8, 0.2, 0.4, 0.6], [0, 0], 2);
    expect(metrics.auc).toBeNaN();
    expect(metrics.sensitivity).toBeNaN();
    expect(metrics.specificity).toBeCloseTo(1 / 2, 12); // row 0 -> 0 (TN), row 1 -> 1 (FP)
    expect(metrics.accuracy).toBeCloseTo(1 / 2, 12);
  });

  it('rejects inconsistent sizes and labels out of range', () => {
    expect(() => evaluateClassification([0.5, 0.5, 0.5], [0, 1], 2)).toThrow(RangeError);
    expect(() => evaluateClassification([0.5, 0.5], [2], 2)).toThrow(RangeError);
    expect(() => evaluateClassification([0.5, 0.5], [0.5], 2)).toThrow(RangeError);
    expect(() => evaluateClassification([1], [0], 1)).toThrow(RangeError);
  });
});
