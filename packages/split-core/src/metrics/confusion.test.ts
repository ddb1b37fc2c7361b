import { describe, expect, it } from 'vitest';
import { confusionRates, emptyConfusion } from './confusion';

describe('confusionRates', () => {
  it('reads binary sensitivity and specificity with class 1 positive', () => {
    // [true][predicted]: TN 5, FP 2, FN 1, TP 4
    const rates = confusionRates([
      [5, 2],
      [1, 4],
    ]);
    expect(rates.accuracy).toBeCloseTo((5 + 4) / 12, 12);
    expect(rates.sensitivity).toBeCloseTo(4 / (4 + 1), 12);
    expect(rates.specificity).toBeCloseTo(5 / (5 + 2), 12);
  });

  it('macro-averages per-class recall and specificity for more classes', () => {
    // n = 10; row sums (actual) 4, 5, 1; column sums (predicted) 5, 3, 2
    // recall:      3/4, 2/5, 1/1
    // specificity: class 0: negatives 10 - 4 = 6, FP 5 - 3 = 2 -> 4/6
    //              class 1: negatives 10 - 5 = 5, FP 3 - 2 = 1 -> 4/5
    //              class 2: negatives 10 - 1 = 9, FP 2 - 1 = 1 -> 8/9
    const rates = confusionRates([
      [3, 1, 0],
      [2, 2, 1],
      [0, 0, 1],
    ]);
    expect(rates.accuracy).toBeCloseTo(6 / 10, 12);
    expect(rates.sensitivity).toBeCloseTo((3 / 4 + 2 / 5 + 1) / 3, 12);
    expect(rates.specificity).toBeCloseTo((4 / 6 + 4 / 5 + 8 / 9) / 3, 12);
  });

  it('leaves a class without samples out of the recall average only', () => {
    // class 2 never occurs: recall over classes 0, 1 = (2/2 + 1/2) / 2
    // specificity: class 0: negatives 2, FP 1 -> 1/2; class 1: negatives 2, FP 0 -> 1; class 2: negatives 4, FP 0 -> 1
    const rates = confusionRates([
      [2, 0, 0],
      [1, 1, 0],
      [0, 0, 0],
    ]);
    expect(rates.sensitivity).toBeCloseTo((1 + 1 / 2) / 2, 12);
    expect(rates.specificity).toBeCloseTo((1 / 2 + 1 + 1) / 3, 12);
  });

  it('is NaN where a denominator is empty', () => {
    const rates = confusionRates(emptyConfusion(2));
    expect(rates.accuracy).toBeNaN();
    expect(rates.sensitivity).toBeNaN();
    expect(rates.specificity).toBeNaN();
    expect(emptyConfusion(3)).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });
});
