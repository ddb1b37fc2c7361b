import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClassificationMetrics } from './classification';
import { evaluateClassification } from './classification';
import { mergeClassificationMetrics } from './merge';

function part(probabilities: number[], labels: number[], numClasses = 2): { metrics: ClassificationMetrics; count: number } {
  return { metrics: evaluateClassification(probabilities, labels, numClasses), count: labels.length };
}

describe('mergeClassificationMetrics', () => {
  // Client A: [0.9,0.1] label 0 (TN), [0.6,0.4] label 1 (FN), [0.4,0.6] label 0 (FP)
  // Client B: [0.3,0.7] label 1 (TP), [0.2,0.8] label 1 (TP)   (one class only: AUC undefined)
  const clientA = part([0.9, 0.1, 0.6, 0.4, 0.4, 0.6], [0, 1, 0]);
  const clientB = part([0.3, 0.7, 0.2, 0.8], [1, 1]);
  const merged = mergeClassificationMetrics([clientA, clientB]);

  it('sums confusion matrices and counts', () => {
    expect(merged.confusion).toEqual([
      [1, 1],
      [1, 2],
    ]);
    expect(merged.count).toBe(5);
  });

  it('recomputes rates from the summed matrix, as if the samples were pooled', () => {
    expect(merged.accuracy).toBeCloseTo(3 / 5, 12);
    // pooled: TP 2 / (TP 2 + FN 1). A sample-weighted mean of A's 0/1 and B's 2/2 would give (3*0 + 2*1)/5 = 0.4.
    expect(merged.sensitivity).toBeCloseTo(2 / 3, 12);
    expect(merged.specificity).toBeCloseTo(1 / 2, 12);
  });

  it('weights the loss by samples', () => {
    const expected = -(Math.log(0.9) + Math.log(0.4) + Math.log(0.4) + Math.log(0.7) + Math.log(0.8)) / 5;
    expect(merged.loss).toBeCloseTo(expected, 12);
  });

  it('averages AUC over the parts where it is defined', () => {
    // A: positive 0.4 vs negatives 0.1 (win), 0.6 (loss) -> 1/2; B: NaN, left out
    expect(clientB.metrics.auc).toBeNaN();
    expect(merged.auc).toBeCloseTo(1 / 2, 12);
    // With two defined parts: (3 * 1/2 + 2 * 1) / 5 = 0.8 (C: positive 0.9 beats negative 0.1)
    const clientC = part([0.9, 0.1, 0.1, 0.9], [0, 1]);
    expect(mergeClassificationMetrics([clientA, clientC]).auc).toBeCloseTo((3 * 0.5 + 2 * 1) / 5, 12);
  });

  it('lets a NaN loss propagate and ignores empty parts', () => {
    const diverged = part([Number.NaN, Number.NaN], [0]);
    expect(mergeClassificationMetrics([clientA, diverged]).loss).toBeNaN();
    const empty = part([], []);
    expect(mergeClassificationMetrics([clientA, empty]).loss).toBeCloseTo(clientA.metrics.loss, 12);
  });

  it('returns an empty result for no parts', () => {
    const none = mergeClassificationMetrics([]);
    expect(none.count).toBe(0);
    expect(none.confusion).toEqual([]);
    expect(none.accuracy).toBeNaN();
  });

  it('rejects inconsistent parts', () => {
    expect(() => mergeClassificationMetrics([{ ...clientA, count: 4 }])).toThrow(RangeError);
    expect(() => mergeClassificationMetrics([clientA, part([0.2, 0.3, 0.5], [2], 3)])).toThrow(RangeError);
    const negativeCell = { metrics: { ...clientA.metrics, confusion: [[2, -1], [1, 1]] }, count: 3 };
    expect(() => mergeClassificationMetrics([negativeCell])).toThrow(RangeError);
  });

  it('matches pooled evaluation for any split of any data (except AUC)', () => {
    const sample = fc.record({ p1: fc.double({ min: 0, max: 1, noNaN: true }), label: fc.integer({ min: 0, max: 1 }), client: fc.integer({ min: 0, max: 3 }) });
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 40 }), (samples) => {
        const toInputs = (subset: typeof samples): [number[], number[]] => [subset.flatMap((s) => [1 - s.p1, s.p1]), subset.map((s) => s.label)];
        const pooled = evaluateClassification(...toInputs(samples), 2);
        const parts = [0, 1, 2, 3].map((client) => part(...toInputs(samples.filter((s) => s.client === client))));
        const merged = mergeClassificationMetrics(parts);
        expect(merged.confusion).toEqual(pooled.confusion);
        expect(merged.count).toBe(pooled.count);
        for (const key of ['accuracy', 'sensitivity', 'specificity', 'loss'] as const) {
          if (Number.isNaN(pooled[key])) expect(merged[key]).toBeNaN();
          else expect(merged[key]).toBeCloseTo(pooled[key], 9);
        }
      }),
    );
  });
});
