import { describe, expect, it } from 'vitest';
import { COSINE_FLOOR, learningRateAt, STEP_FACTOR } from './learning_rate';

describe('learning-rate schedules', () => {
  it('cosine starts at the base rate, falls every round, and ends at its floor in the last round', () => {
    const rates = Array.from({ length: 10 }, (_, round) => learningRateAt(0.01, { kind: 'cosine', rounds: 10 }, round));
    expect(rates[0]).toBeCloseTo(0.01, 12);
    expect(rates[9]).toBeCloseTo(0.01 * COSINE_FLOOR, 12);
    for (let round = 1; round < 10; round++) expect(rates[round]).toBeLessThan(rates[round - 1] as number);
    // Halfway, half-way between the base and the floor.
    expect(learningRateAt(1, { kind: 'cosine', rounds: 11 }, 5)).toBeCloseTo((1 + COSINE_FLOOR) / 2, 12);
    // Rounds past the study's (a study extended while running) stay at the floor.
    expect(learningRateAt(0.01, { kind: 'cosine', rounds: 10 }, 30)).toBeCloseTo(0.01 * COSINE_FLOOR, 12);
  });

  it('step decay drops at half and three quarters of the rounds; constant and one-round studies keep the base rate', () => {
    const rates = Array.from({ length: 9 }, (_, round) => learningRateAt(1, { kind: 'step', rounds: 9 }, round));
    expect(rates).toEqual([1, 1, 1, 1, STEP_FACTOR, STEP_FACTOR, STEP_FACTOR ** 2, STEP_FACTOR ** 2, STEP_FACTOR ** 2]);
    expect(learningRateAt(0.3, { kind: 'constant', rounds: 9 }, 8)).toBe(0.3);
    expect(learningRateAt(0.3, undefined, 8)).toBe(0.3);
    expect(learningRateAt(0.3, { kind: 'cosine', rounds: 1 }, 0)).toBe(0.3);
  });
});
