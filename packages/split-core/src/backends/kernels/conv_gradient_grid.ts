// The grid of shapes on which the conv gradient kernels must match the cpu backend; shared by
// the kernel test and the threaded-wasm test, so both hold the kernels to the same cases.
import { describe, expect, it } from 'vitest';
import { backend_util } from '@tensorflow/tfjs';
import type { HostTensor } from './kernel_test_support';
import { maxAbs, randomTensor, relativeError, runKernelOn } from './kernel_test_support';

type Pad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

export interface ConvCase {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number;
}

export const shapes: ConvCase[] = [
  { batch: 1, height: 7, width: 9, inChannels: 1, outChannels: 3, kernel: 3 },
  { batch: 3, height: 13, width: 13, inChannels: 3, outChannels: 8, kernel: 5 },
  { batch: 2, height: 7, width: 9, inChannels: 8, outChannels: 1, kernel: 1 },
  { batch: 2, height: 13, width: 13, inChannels: 8, outChannels: 3, kernel: 3 },
  { batch: 4, height: 8, width: 8, inChannels: 3, outChannels: 8, kernel: 3 },
];
const strides = [1, 2] as const;
const pads: Pad[] = ['valid', 'same'];

function caseName(c: ConvCase, stride: number, pad: Pad): string {
  return `N${c.batch} ${c.height}x${c.width}x${c.inChannels} -> ${c.outChannels}, k${c.kernel} s${stride} pad ${JSON.stringify(pad)}`;
}

export function convInfo(c: ConvCase, stride: number, pad: Pad, roundingMode?: 'floor' | 'round' | 'ceil'): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    [c.batch, c.height, c.width, c.inChannels],
    [c.kernel, c.kernel, c.inChannels, c.outChannels],
    stride,
    1,
    pad,
    roundingMode,
  );
}

async function expectFilterGradMatches(c: ConvCase, stride: number, pad: Pad, roundingMode?: 'floor' | 'round' | 'ceil'): Promise<void> {
  const info = convInfo(c, stride, pad, roundingMode);
  const inputs = { x: randomTensor(info.inShape, 1), dy: randomTensor(info.outShape, 2) };
  const attrs = { strides: stride, pad, dataFormat: 'NHWC', dimRoundingMode: roundingMode, filterShape: info.filterShape };
  const expected = await runKernelOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
  const actual = await runKernelOn('wasm', 'Conv2DBackpropFilter', inputs, attrs);
  expectMatch(actual, expected);
}

async function expectInputGradMatches(c: ConvCase, stride: number, pad: Pad, roundingMode?: 'floor' | 'round' | 'ceil'): Promise<void> {
  const info = convInfo(c, stride, pad, roundingMode);
  const inputs = { dy: randomTensor(info.outShape, 3), filter: randomTensor(info.filterShape, 4) };
  const attrs = { strides: stride, pad, dataFormat: 'NHWC', dimRoundingMode: roundingMode, inputShape: info.inShape };
  const expected = await runKernelOn('cpu', 'Conv2DBackpropInput', inputs, attrs);
  const actual = await runKernelOn('wasm', 'Conv2DBackpropInput', inputs, attrs);
  expectMatch(actual, expected);
}

function expectMatch(actual: HostTensor, expected: HostTensor): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(maxAbs(expected.values)).toBeGreaterThan(0);
  const { maxDiff, bound } = relativeError(actual, expected);
  expect(maxDiff).toBeLessThanOrEqual(bound);
}

/** Registers the Filter and Input gradient cases; the caller sets the backends up first. */
export function describeConvGradientGrid(): void {
  describe('Conv2DBackpropFilter', () => {
    for (const c of shapes) {
      for (const stride of strides) {
        for (const pad of pads) {
          it(caseName(c, stride, pad), () => expectFilterGradMatches(c, stride, pad));
        }
      }
    }
    it('explicit asymmetric padding', () =>
      expectFilterGradMatches(shapes[1] as ConvCase, 2, [[0, 0], [2, 1], [0, 3], [0, 0]]));
    // Few input channels and stride 1: the im2col path, with padding on every side.
    it('explicit asymmetric padding, stride 1 (im2col)', () =>
      expectFilterGradMatches(shapes[1] as ConvCase, 1, [[0, 0], [2, 1], [0, 3], [0, 0]]));
    it('a 28x28 grayscale first layer at batch 16 (im2col)', () =>
      expectFilterGradMatches({ batch: 16, height: 28, width: 28, inChannels: 1, outChannels: 32, kernel: 3 }, 1, 'same'));
    it('numeric padding with ceil rounding', () => expectFilterGradMatches(shapes[0] as ConvCase, 2, 1, 'ceil'));
  });

  describe('Conv2DBackpropInput', () => {
    for (const c of shapes) {
      for (const stride of strides) {
        for (const pad of pads) {
          it(caseName(c, stride, pad), () => expectInputGradMatches(c, stride, pad));
        }
      }
    }
    it('explicit asymmetric padding', () =>
      expectInputGradMatches(shapes[1] as ConvCase, 2, [[0, 0], [2, 1], [0, 3], [0, 0]]));
    it('padding wider than the filter reach (cropped dy)', () =>
      expectInputGradMatches({ batch: 2, height: 6, width: 5, inChannels: 2, outChannels: 3, kernel: 2 }, 1, [[0, 0], [3, 0], [0, 2], [0, 0]]));
    it('numeric padding with ceil rounding', () => expectInputGradMatches(shapes[0] as ConvCase, 2, 1, 'ceil'));
    it('stride 3 leaves the last input rows untouched', () =>
      expectInputGradMatches({ batch: 2, height: 11, width: 10, inChannels: 3, outChannels: 4, kernel: 3 }, 3, 'valid'));
  });
}
