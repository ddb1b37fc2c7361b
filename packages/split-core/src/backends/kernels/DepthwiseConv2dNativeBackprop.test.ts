// Depthwise conv gradients (filter and input) on wasm, checked against the cpu backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { backend_util } from '@tensorflow/tfjs';
import { maxAbs, prepareBackends, randomTensor, relativeError, runKernelOn } from './kernel_test_support';
import type { HostTensor } from './kernel_test_support';

type Pad = 'valid' | 'same' | backend_util.ExplicitPadding;

interface DepthwiseCase {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly multiplier: number;
  readonly kernel: number;
}

const cases: DepthwiseCase[] = [
  { batch: 1, height: 7, width: 9, channels: 1, multiplier: 1, kernel: 3 },
  { batch: 2, height: 13, width: 13, channels: 3, multiplier: 2, kernel: 5 },
  { batch: 3, height: 7, width: 9, channels: 8, multiplier: 1, kernel: 3 },
  { batch: 2, height: 8, width: 8, channels: 3, multiplier: 2, kernel: 1 },
];

function info(c: DepthwiseCase, stride: number, pad: Pad): backend_util.Conv2DInfo {
  const filterShape: [number, number, number, number] = [c.kernel, c.kernel, c.channels, c.multiplier];
  return backend_util.computeConv2DInfo([c.batch, c.height, c.width, c.channels], filterShape, stride, 1, pad, undefined, true);
}

function expectMatch(actual: HostTensor, expected: HostTensor): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(maxAbs(expected.values)).toBeGreaterThan(0);
  const { maxDiff, bound } = relativeError(actual, expected);
  expect(maxDiff).toBeLessThanOrEqual(bound);
}

async function checkFilterGrad(c: DepthwiseCase, stride: number, pad: Pad): Promise<void> {
  const i = info(c, stride, pad);
  const inputs = { x: randomTensor(i.inShape, 21), dy: randomTensor(i.outShape, 22) };
  const attrs = { strides: stride, dilations: 1, pad, filterShape: i.filterShape };
  expectMatch(
    await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', inputs, attrs),
    await runKernelOn('cpu', 'DepthwiseConv2dNativeBackpropFilter', inputs, attrs),
  );
}

async function checkInputGrad(c: DepthwiseCase, stride: number, pad: Pad): Promise<void> {
  const i = info(c, stride, pad);
  const inputs = { dy: randomTensor(i.outShape, 23), filter: randomTensor(i.filterShape, 24) };
  const attrs = { strides: stride, dilations: 1, pad, inputShape: i.inShape };
  expectMatch(
    await runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropInput', inputs, attrs),
    await runKernelOn('cpu', 'DepthwiseConv2dNativeBackpropInput', inputs, attrs),
  );
}

describe('wasm depthwise conv gradient kernels', () => {
  beforeAll(prepareBackends);

  for (const c of cases) {
    for (const stride of [1, 2]) {
      for (const pad of ['valid', 'same'] as const) {
        const name = `N${c.batch} ${c.height}x${c.width}x${c.channels} x${c.multiplier}, k${c.kernel} s${stride} ${pad}`;
        it(`filter gradient ${name}`, () => checkFilterGrad(c, stride, pad));
        it(`input gradient ${name}`, () => checkInputGrad(c, stride, pad));
      }
    }
  }

  const explicit: Pad = [[0, 0], [2, 0], [1, 3], [0, 0]];
  it('filter gradient with explicit asymmetric padding', () => checkFilterGrad(cases[1] as DepthwiseCase, 2, explicit));
  it('input gradient with explicit asymmetric padding', () => checkInputGrad(cases[1] as DepthwiseCase, 2, explicit));

  it('refuses dilations other than 1 (the cpu reference ignores them, so nothing to check against)', async () => {
    const c = cases[0] as DepthwiseCase;
    const i = info(c, 1, 'same');
    const inputs = { x: randomTensor(i.inShape, 21), dy: randomTensor(i.outShape, 22) };
    const attrs = { strides: 1, dilations: [2, 2], pad: 'same', filterShape: i.filterShape };
    await expect(runKernelOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', inputs, attrs)).rejects.toThrow(/dilations/);
  });
});
