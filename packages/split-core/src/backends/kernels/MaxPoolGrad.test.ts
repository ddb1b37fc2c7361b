// MaxPoolGrad on wasm against the cpu backend, with ties: the gradient of a window must
// go to the same single input (its first maximum) on both backends.
import { beforeAll, describe, expect, it } from 'vitest';
import { backend_util } from '@tensorflow/tfjs';
import type { HostTensor } from './kernel_test_support';
import { maxAbs, prepareBackends, randomTensor, relativeError, runKernelOn } from './kernel_test_support';
import { createRng } from '../../data/random';

type Pad = 'valid' | 'same';

/** Values from a tiny set, so most windows hold several equal maxima. */
function tiedTensor(shape: number[], seed: number, levels: number): HostTensor {
  const rng = createRng(seed);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.int(levels);
  return { shape, values };
}

async function expectMatchesCpu(input: HostTensor, filterSize: number, stride: number, pad: Pad): Promise<HostTensor> {
  const attrs = { filterSize, strides: stride, pad };
  const output = await runKernelOn('cpu', 'MaxPool', { x: input }, attrs);
  const dy = randomTensor(output.shape, 7);
  const inputs = { dy, input, output };
  const expected = await runKernelOn('cpu', 'MaxPoolGrad', inputs, attrs);
  const actual = await runKernelOn('wasm', 'MaxPoolGrad', inputs, attrs);
  expect(actual.shape).toEqual(expected.shape);
  expect(maxAbs(expected.values)).toBeGreaterThan(0);
  const { maxDiff, bound } = relativeError(actual, expected);
  expect(maxDiff).toBeLessThanOrEqual(bound);
  return actual;
}

describe('wasm MaxPoolGrad', () => {
  beforeAll(prepareBackends);

  const shapes = [
    [1, 7, 9, 1],
    [3, 13, 13, 3],
    [2, 8, 8, 8],
  ];
  for (const shape of shapes) {
    for (const filterSize of [2, 3]) {
      for (const stride of [1, 2]) {
        for (const pad of ['valid', 'same'] as const) {
          const name = `[${shape.join(',')}] pool ${filterSize} stride ${stride} ${pad}`;
          it(`${name}, distinct values`, () => expectMatchesCpu(randomTensor(shape, 11), filterSize, stride, pad));
          it(`${name}, ties`, () => expectMatchesCpu(tiedTensor(shape, 12, 3), filterSize, stride, pad));
        }
      }
    }
  }

  it('all-equal input: each window sends its whole gradient to its first element', async () => {
    const shape = [2, 6, 6, 4];
    const input = { shape, values: new Float32Array(2 * 6 * 6 * 4).fill(1) };
    const dx = await expectMatchesCpu(input, 2, 2, 'valid');
    const info = backend_util.computePool2DInfo(shape as [number, number, number, number], 2, 2, 1, 'valid');
    const nonZero = dx.values.filter((v) => v !== 0).length;
    // One receiving input per window and channel: no double counting, no dropped window.
    expect(nonZero).toBe(info.outShape.reduce((a, b) => a * b, 1));
  });

  it('overlapping windows accumulate into a shared maximum', async () => {
    const shape = [1, 5, 5, 2];
    const input = randomTensor(shape, 13);
    input.values[(2 * 5 + 2) * 2] = 100; // centre pixel of channel 0 is every window's max
    const dx = await expectMatchesCpu(input, 3, 1, 'valid');
    expect(dx.values.filter((v, i) => v !== 0 && i % 2 === 0)).toHaveLength(1);
  });
});
