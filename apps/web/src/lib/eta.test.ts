import { describe, expect, it } from 'vitest';
import { estimateRemainingMs } from './eta';

describe('estimateRemainingMs', () => {
  it('needs two reported steps, then extrapolates the mean step time', () => {
    expect(estimateRemainingMs({ firstStep: 1, firstAt: 1000, step: 1, at: 1000, steps: 10 })).toBeUndefined();
    expect(estimateRemainingMs({ firstStep: 1, firstAt: 1000, step: 3, at: 2000, steps: 10 })).toBe(3500);
    expect(estimateRemainingMs({ firstStep: 1, firstAt: 0, step: 10, at: 900, steps: 10 })).toBe(0);
  });
});
