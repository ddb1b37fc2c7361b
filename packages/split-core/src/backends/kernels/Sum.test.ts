// The Sum wrapper on wasm against the cpu backend: leading-axes reductions (our JS path,
// e.g. bias gradients) and everything else (handed back to the built-in).
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbs, prepareBackends, randomTensor, relativeError, runKernelOn } from './kernel_test_support';
import { leadingAxesCount } from './Sum';

describe('leadingAxesCount', () => {
  it('counts a leading prefix in any order and rejects gaps', () => {
    expect(leadingAxesCount([0])).toBe(1);
    expect(leadingAxesCount([2, 0, 1])).toBe(3);
    expect(leadingAxesCount([1])).toBeNull();
    expect(leadingAxesCount([0, 2])).toBeNull();
    expect(leadingAxesCount([])).toBeNull();
  });
});

describe('wasm Sum', () => {
  beforeAll(prepareBackends);

  const shape = [5, 7, 9, 3];
  const axisCases: Array<number | number[]> = [0, [0, 1], [0, 1, 2], [0, 1, 2, 3], [1, 0], -4, 3, [1, 2], [2, 3], [0, 2]];
  for (const axis of axisCases) {
    for (const keepDims of [false, true]) {
      it(`axis ${JSON.stringify(axis)} keepDims=${keepDims}`, async () => {
        const inputs = { x: randomTensor(shape, 41) };
        const attrs = { axis, keepDims };
        const expected = await runKernelOn('cpu', 'Sum', inputs, attrs);
        const actual = await runKernelOn('wasm', 'Sum', inputs, attrs);
        expect(actual.shape).toEqual(expected.shape);
        expect(maxAbs(expected.values)).toBeGreaterThan(0);
        const { maxDiff, bound } = relativeError(actual, expected);
        expect(maxDiff).toBeLessThanOrEqual(bound);
      });
    }
  }
});
