// Conv2DBackpropFilter and Conv2DBackpropInput on wasm, checked against the cpu backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { convInfo, describeConvGradientGrid, shapes, type ConvCase } from './conv_gradient_grid';
import { prepareBackends, randomTensor, runKernelOn } from './kernel_test_support';

describe('wasm conv gradient kernels', () => {
  beforeAll(prepareBackends);

  describeConvGradientGrid();

  describe('refusals', () => {
    const c = shapes[0] as ConvCase;
    const info = convInfo(c, 1, 'same');
    it('refuses dilations other than 1 instead of returning an unchecked result', async () => {
      const inputs = { x: randomTensor(info.inShape, 1), dy: randomTensor(info.outShape, 2) };
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: info.filterShape, dilations: 2 };
      await expect(runKernelOn('wasm', 'Conv2DBackpropFilter', inputs, attrs)).rejects.toThrow(/dilations/);
    });
    it('refuses NCHW with a message saying what to do', async () => {
      const inputs = { dy: randomTensor(info.outShape, 3), filter: randomTensor(info.filterShape, 4) };
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW', inputShape: info.inShape };
      await expect(runKernelOn('wasm', 'Conv2DBackpropInput', inputs, attrs)).rejects.toThrow(/NHWC/);
    });
  });
});
