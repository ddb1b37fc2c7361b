// Input gradient of a 2-D convolution, replacing tfjs-backend-wasm's scalar C loop (about
// 44 ms of a 115 ms cnn-small step, ARCHITECTURE.md) with an XNNPACK convolution: about
// 10x faster for cnn-small's second layer, and as fast as that layer's forward conv.
//
// With w [kh,kw,Ci,Co], stride s, top padding pt (dilation 1, as tfjs's gradients assume):
//   dx[n,h,w,c] = sum_{i,j,a,b,o : h = i*s + a - pt, w = j*s + b - pl} dy[n,i,j,o] * w[a,b,c,o]
// Let dyd be dy with s-1 zeros inserted between rows and columns. Then
//   dx = conv(dyd, flip(w)), stride 1, top padding kh-1-pt (left: kw-1-pl),
// where flip(w)[a,b,o,c] = w[kh-1-a, kw-1-b, c, o] (spatially reversed, in/out swapped).
// For stride 1 and ordinary padding dyd is dy itself and no copy is made; otherwise dyd
// is built once in JS (see dilated_rows.ts), cropped where the padding would be negative.
import type { Conv2DBackpropInputAttrs, Conv2DBackpropInputInputs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { Conv2DBackpropInput, backend_util } from '@tensorflow/tfjs';
import { assertChannelsLast, assertUnitDilations } from './conv_attrs';
import { planTransposedConv, zeroInsertedInput } from './transposed_conv_plan';
import { reverseOnWasm, transposeOnWasm } from './sibling_kernels';
import { asWasmBackend, disposeIntermediates, heapFloat32 } from './wasm_access';
import { shape4, xnnConv2d } from './xnn_conv2d';

export function conv2DBackpropInput(args: {
  inputs: Conv2DBackpropInputInputs;
  backend: unknown;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, filter } = args.inputs;
  if (dy === undefined || filter === undefined) throw new Error('Conv2DBackpropInput needs inputs dy and filter');
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs;
  assertChannelsLast(dataFormat, Conv2DBackpropInput);
  assertUnitDilations(args.attrs, Conv2DBackpropInput);

  const filterShape = shape4(filter.shape, 'filter');
  const info = backend_util.computeConv2DInfo(inputShape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const plan = planTransposedConv(info);
  if (plan === 'all-zero') {
    const dx = backend.makeOutput([...inputShape], 'float32');
    heapFloat32(backend, dx).fill(0);
    return dx;
  }

  const swapped = transposeOnWasm(backend, filter, [0, 1, 3, 2]);
  const flipped = reverseOnWasm(backend, swapped, [0, 1]);
  disposeIntermediates(backend, swapped);

  const source = plan.needsCopy ? zeroInsertedInput(backend, dy, plan) : dy;
  const dx = xnnConv2d(backend, source, flipped, plan.geometry);
  if (source !== dy) disposeIntermediates(backend, source);
  disposeIntermediates(backend, flipped);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
