// Input gradient of a depthwise convolution, also missing from tfjs-backend-wasm 4.22
// (without it a depthwise layer can only be the first layer of a trained model).
//
// With filter [kh,kw,C,M] and dy [N,Ho,Wo,C*M]:
//   dx[n,h,w,c] = sum_{m,a,b,i,j : h = i*s + a - pt} dy[n,i,j,c*M+m] * w[a,b,c,m]
// Per output channel k = c*M+m this is the same transposed convolution as the dense case
// (see transposed_conv_plan.ts), restricted to one channel: an XNNPACK depthwise conv of
// the zero-inserted dy with the spatially flipped filter seen as [kh,kw,C*M,1]. The M
// partial results of each input channel are then summed.
import type {
  DepthwiseConv2dNativeBackpropInputAttrs,
  DepthwiseConv2dNativeBackpropInputInputs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs';
import { DepthwiseConv2dNativeBackpropInput, backend_util } from '@tensorflow/tfjs';
import { assertUnitDilations } from './conv_attrs';
import { reshapeOnWasm, reverseOnWasm, sumOnWasm } from './sibling_kernels';
import { planTransposedConv, zeroInsertedInput } from './transposed_conv_plan';
import { asWasmBackend, disposeIntermediates, heapFloat32 } from './wasm_access';
import { shape4, xnnDepthwiseConv2d } from './xnn_conv2d';

export function depthwiseConv2dNativeBackpropInput(args: {
  inputs: DepthwiseConv2dNativeBackpropInputInputs;
  backend: unknown;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, filter } = args.inputs;
  if (dy === undefined || filter === undefined) throw new Error('DepthwiseConv2dNativeBackpropInput needs inputs dy and filter');
  const { strides, pad, dimRoundingMode, inputShape } = args.attrs;
  assertUnitDilations(args.attrs, DepthwiseConv2dNativeBackpropInput);

  const filterShape = shape4(filter.shape, 'filter');
  const [filterHeight, filterWidth, channels, multiplier] = filterShape;
  const info = backend_util.computeConv2DInfo(inputShape, filterShape, strides, 1, pad, dimRoundingMode, true);
  const plan = planTransposedConv(info);
  if (plan === 'all-zero') {
    const dx = backend.makeOutput([...inputShape], 'float32');
    heapFloat32(backend, dx).fill(0);
    return dx;
  }

  const flipped = reverseOnWasm(backend, filter, [0, 1]);
  const perOutputChannel = reshapeOnWasm(backend, flipped, [filterHeight, filterWidth, channels * multiplier, 1]);
  disposeIntermediates(backend, flipped);

  const source = plan.needsCopy ? zeroInsertedInput(backend, dy, plan) : dy;
  const partial = xnnDepthwiseConv2d(backend, source, perOutputChannel, plan.geometry);
  if (source !== dy) disposeIntermediates(backend, source);
  disposeIntermediates(backend, perOutputChannel);
  if (multiplier === 1) return partial;

  const [batch, height, width] = inputShape;
  const split = reshapeOnWasm(backend, partial, [batch, height, width, channels, multiplier]);
  disposeIntermediates(backend, partial);
  const dx = sumOnWasm(backend, split, [4]);
  disposeIntermediates(backend, split);
  return dx;
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
