import { describe, expect, it } from 'vitest';
import { describeConfusion } from './confusion_view';

describe('describeConfusion', () => {
  it('gives row shares and per-class sensitivity and specificity of an imbalanced binary matrix', () => {
    // 90 normal (85 right), 10 pneumonia (4 right): 89% accurate, but pneumonia is mostly missed.
    const view = describeConfusion(
      [
        [85, 5],
        [6, 4],
      ],
      ['normal', 'pneumonia'],
    );
    expect(view.total).toBe(100);
    expect(view.accuracy).toBeCloseTo(0.89);
    expect(view.rows[1]?.cells.map((cell) => cell.rowShare)).toEqual([0.6, 0.4]);
    expect(view.rows[1]?.sensitivity).toBeCloseTo(0.4);
    expect(view.rows[1]?.specificity).toBeCloseTo(85 / 90);
    expect(view.rows[0]?.sensitivity).toBeCloseTo(85 / 90);
    expect(view.balancedAccuracy).toBeCloseTo((85 / 90 + 0.4) / 2);
    expect(view.prevalence).toEqual([0.9, 0.1]);
  });

  it('handles a class without validation samples and names classes the study did not name', () => {
    const view = describeConfusion(
      [
        [3, 0, 1],
        [0, 0, 0],
        [1, 0, 5],
      ],
      ['a', 'b'],
    );
    expect(view.classes).toEqual(['a', 'b', 'class 2']);
    expect(view.rows[1]?.sensitivity).toBeNull();
    expect(view.rows[1]?.cells[0]?.rowShare).toBeNull();
    expect(view.rows[1]?.specificity).toBe(1);
    expect(view.balancedAccuracy).toBeCloseTo((3 / 4 + 5 / 6) / 2);
  });

  it('has no accuracy for an empty matrix', () => {
    expect(describeConfusion([], ['a', 'b'])).toMatchObject({ total: 0, accuracy: null, balancedAccuracy: null });
  });
});
