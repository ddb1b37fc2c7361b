import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binaryAuc, oneVsRestAuc } from './auc';

/** Brute-force oracle: share of (positive, negative) pairs ordered correctly, ties counting 1/2. */
function pairwiseAuc(scores: readonly number[], isPositive: readonly boolean[]): number {
  let favourable = 0;
  let pairs = 0;
  scores.forEach((positiveScore, i) => {
    if (isPositive[i] !== true) return;
    scores.forEach((negativeScore, j) => {
      if (isPositive[j] === true) return;
      pairs += 1;
      if (positiveScore > negativeScore) favourable += 1;
      else if (positiveScore === negativeScore) favourable += 0.5;
    });
  });
  return favourable / pairs;
}

describe('binaryAuc by hand', () => {
  it('ranks without ties', () => {
    // ascending: 0.1 (neg, rank 1), 0.35 (pos, 2), 0.4 (neg, 3), 0.8 (pos, 4)
    // R+ = 2 + 4 = 6; AUC = (6 - 2*3/2) / (2*2) = 3/4
    expect(binaryAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBe(0.75);
  });

  it('gives tied scores their average rank', () => {
    // ascending: 0.2 (neg, rank 1), then 0.5 x3 at ranks 2,3,4 -> average 3 (one neg, two pos), 0.9 (pos, 5)
    // R+ = 3 + 3 + 5 = 11; AUC = (11 - 3*4/2) / (3*2) = 5/6
    // pairs: each pos 0.5 beats 0.2 and ties 0.5 -> 1.5 each; 0.9 beats both -> 2; (1.5+1.5+2)/6 = 5/6
    expect(binaryAuc([0.2, 0.5, 0.5, 0.5, 0.9], [false, false, true, true, true])).toBeCloseTo(5 / 6, 12);
    // all tied: every pair counts 1/2
    expect(binaryAuc([0.3, 0.3, 0.3], [true, false, true])).toBe(0.5);
  });

  it('scores perfect and inverted rankings 1 and 0', () => {
    expect(binaryAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(binaryAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
  });

  it('returns NaN when one group is empty or a score is NaN', () => {
    expect(binaryAuc([0.1, 0.9], [true, true])).toBeNaN();
    expect(binaryAuc([0.1, 0.9], [false, false])).toBeNaN();
    expect(binaryAuc([], [])).toBeNaN();
    expect(binaryAuc([0.1, Number.NaN], [false, true])).toBeNaN();
  });

  it('rejects mismatched lengths', () => {
    expect(() => binaryAuc([0.1, 0.2], [true])).toThrow(RangeError);
  });
});

describe('oneVsRestAuc', () => {
  it('averages only the classes present as positives and negatives', () => {
    // rows (3 classes, labels use only 0 and 1, so class 2 has no positives and is skipped):
    //   [0.8, 0.1,  0.1 ] label 0
    //   [0.6, 0.3,  0.1 ] label 0
    //   [0.3, 0.2,  0.5 ] label 1
    //   [0.7, 0.25, 0.05] label 1
    // class 0 (column 0): positives 0.8, 0.6 vs negatives 0.3, 0.7: 0.8 beats both (2), 0.6 beats 0.3 (1) -> 3/4
    // class 1 (column 1): positives 0.2, 0.25 vs negatives 0.1, 0.3: each beats only 0.1 (1 + 1) -> 2/4
    // macro: (3/4 + 2/4) / 2 = 0.625
    const probabilities = [0.8, 0.1, 0.1, 0.6, 0.3, 0.1, 0.3, 0.2, 0.5, 0.7, 0.25, 0.05];
    expect(oneVsRestAuc(probabilities, [0, 0, 1, 1], 3)).toBeCloseTo(0.625, 12);
  });

  it('is NaN when a score is NaN or no class qualifies', () => {
    expect(oneVsRestAuc([0.5, 0.5, Number.NaN, 0.5], [0, 1], 2)).toBeNaN();
    expect(oneVsRestAuc([0.2, 0.3, 0.5, 0.1, 0.6, 0.3], [2, 2], 3)).toBeNaN();
  });
});

const scoredSamples = fc
  .array(fc.record({ score: fc.integer({ min: -40, max: 40 }), positive: fc.boolean() }), { minLength: 2, maxLength: 60 })
  .filter((samples) => samples.some((sample) => sample.positive) && samples.some((sample) => !sample.positive));

describe('binaryAuc properties', () => {
  it('equals the pairwise count, ties included', () => {
    fc.assert(
      fc.property(scoredSamples, (samples) => {
        const scores = samples.map((sample) => sample.score);
        const isPositive = samples.map((sample) => sample.positive);
        expect(binaryAuc(scores, isPositive)).toBeCloseTo(pairwiseAuc(scores, isPositive), 12);
      }),
    );
  });

  it('is invariant to strictly increasing transforms of the scores', () => {
    // Integer scores keep these transforms exact or well separated, so no new ties appear.
    const transforms: ((x: number) => number)[] = [(x) => 3 * x + 7, (x) => x * x * x + 5 * x, (x) => Math.exp(x / 10), (x) => 1 / (1 + Math.exp(-x / 10))];
    fc.assert(
      fc.property(scoredSamples, fc.constantFrom(...transforms), (samples, transform) => {
        const scores = samples.map((sample) => sample.score);
        const isPositive = samples.map((sample) => sample.positive);
        expect(binaryAuc(scores.map(transform), isPositive)).toBeCloseTo(binaryAuc(scores, isPositive), 12);
      }),
    );
  });

  it('AUC(scores) + AUC(-scores) = 1 (also with ties: a tie counts 1/2 on both sides)', () => {
    fc.assert(
      fc.property(scoredSamples, (samples) => {
        const scores = samples.map((sample) => sample.score);
        const isPositive = samples.map((sample) => sample.positive);
        expect(binaryAuc(scores, isPositive) + binaryAuc(scores.map((score) => -score), isPositive)).toBeCloseTo(1, 12);
      }),
    );
  });
});
