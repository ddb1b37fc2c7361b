// The BatchMatMul wrapper on wasm (explicit transposes, then the built-in fast path)
// against the cpu backend, for every combination of transpose flags.
import { beforeAll, describe, expect, it } from 'vitest';
import { getKernel } from '@tensorflow/tfjs';
import { maxAbs, prepareBackends, randomTensor, relativeError, runKernelOn } from './kernel_test_support';
import { wasmTrainingKernelsRegistered } from '../register_kernels';
import { matMulDims, swappedIsCheaper } from './BatchMatMul';

function operandShape(batch: number[], rows: number, cols: number, transposed: boolean): number[] {
  return [...batch, ...(transposed ? [cols, rows] : [rows, cols])];
}

describe('wasm BatchMatMul without transposed operands', () => {
  beforeAll(prepareBackends);

  it('is registered in place of the built-in', () => {
    expect(getKernel('BatchMatMul', 'wasm')).toBeDefined();
    expect(wasmTrainingKernelsRegistered()).toBe(true);
  });

  // [M, K] x [K, N] with odd sizes, as a plain matrix product and batched; the three
  // shapes exercise both the direct and the swapped (C^T = B^T A^T) form.
  const sizes = [
    [13, 37, 9],
    [5, 16, 40],
    [40, 16, 5],
  ] as const;
  const cases = [[], [1], [3]].flatMap((batch) =>
    sizes.flatMap(([m, k, n]) =>
      [false, true].flatMap((transposeA) => [false, true].map((transposeB) => ({ batch, m, k, n, transposeA, transposeB }))),
    ),
  );
  for (const { batch, m, k, n, transposeA, transposeB } of cases) {
    const form = swappedIsCheaper({ batch: batch[0] ?? 1, m, k, n }, transposeA, transposeB) ? 'swapped' : 'direct';
    it(`batch [${batch.join(',')}] ${m}x${k}x${n} transposeA=${transposeA} transposeB=${transposeB} (${form})`, async () => {
      const inputs = {
        a: randomTensor(operandShape(batch, m, k, transposeA), 31),
        b: randomTensor(operandShape(batch, k, n, transposeB), 32),
      };
      const attrs = { transposeA, transposeB };
      const expected = await runKernelOn('cpu', 'BatchMatMul', inputs, attrs);
      const actual = await runKernelOn('wasm', 'BatchMatMul', inputs, attrs);
      expect(actual.shape).toEqual([...batch, m, n]);
      expect(maxAbs(expected.values)).toBeGreaterThan(0);
      const { maxDiff, bound } = relativeError(actual, expected);
      expect(maxDiff).toBeLessThanOrEqual(bound);
    });
  }

  it('uses the swapped form exactly where it copies fewer floats (dense-layer backward pass)', () => {
    // cnn-small's dense layer: activations [64, 3136], weights [3136, 128], dy [64, 128].
    expect(swappedIsCheaper(matMulDims([64, 3136], [3136, 128], false, false), false, false)).toBe(false); // forward
    expect(swappedIsCheaper(matMulDims([64, 128], [3136, 128], false, true), false, true)).toBe(true); // dA = dy W^T
    expect(swappedIsCheaper(matMulDims([64, 3136], [64, 128], true, false), true, false)).toBe(false); // dW = A^T dy
    expect(swappedIsCheaper(matMulDims([3, 64, 128], [3, 3136, 128], false, true), false, true)).toBe(false); // batched
  });
});
