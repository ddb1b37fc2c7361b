import { describe, expect, it } from 'vitest';
import type { NamedWeight } from './weights';
import { WEIGHTS_DIGEST_PATTERN, weightsDigest } from './weights_digest';

const weight = (name: string, values: number[], shape = [values.length]): NamedWeight => ({ name, shape, values: new Float32Array(values) });

describe('weightsDigest', () => {
  it('is the same for equal weights and differs for any change of value, name, shape or segment split', () => {
    const base = [[weight('conv1/kernel', [1, 2, 3, 4]), weight('conv1/bias', [0.5])], [weight('dense/kernel', [7, 8])]];
    const digest = weightsDigest(base);
    expect(digest).toMatch(WEIGHTS_DIGEST_PATTERN);
    // A fresh copy of the same numbers (e.g. read back from a file) names the same weights.
    expect(weightsDigest(base.map((segment) => segment.map((w) => ({ ...w, values: Float32Array.from(w.values) }))))).toBe(digest);

    const nudged = Math.fround(4 + 2 ** -21);
    expect(nudged).not.toBe(4);
    const variants = [
      [[weight('conv1/kernel', [1, 2, 3, nudged]), weight('conv1/bias', [0.5])], [weight('dense/kernel', [7, 8])]],
      [[weight('conv1/kernel', [1, 2, 3, 4]), weight('conv1/b', [0.5])], [weight('dense/kernel', [7, 8])]],
      [[weight('conv1/kernel', [1, 2, 3, 4], [2, 2]), weight('conv1/bias', [0.5])], [weight('dense/kernel', [7, 8])]],
      [[weight('conv1/kernel', [1, 2, 3, 4]), weight('conv1/bias', [0.5]), weight('dense/kernel', [7, 8])]],
      [[weight('conv1/kernel', [1, 2, 3, 4]), weight('conv1/bias', [0.5])]],
    ];
    const digests = variants.map((variant) => weightsDigest(variant));
    expect(new Set([digest, ...digests]).size).toBe(variants.length + 1);
  });
});
