// Filter gradient of a depthwise convolution, missing from tfjs-backend-wasm 4.22.
//
// With x [N,H,W,C], filter [kh,kw,C,M] (channel multiplier M), dy [N,Ho,Wo,C*M]:
//   dw[a,b,c,m] = sum_{n,i,j} x[n, i*s + a - pt, j*s + b - pl, c] * dy[n,i,j,c*M + m]
// Unlike the dense case this does not reduce over channels, so it is no single XNNPACK
// convolution (that would need grouped convolution with N channels per group, which the
// wasm module does not expose). The work is small (kh*kw*C*M MACs per dy pixel, versus
// kh*kw*Cin*Cout for a dense conv), so a direct loop over the wasm heap is used, with
// channels innermost (contiguous in NHWC) and float64 accumulation.
import type {
  DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropFilterInputs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs';
import { DepthwiseConv2dNativeBackpropFilter, backend_util } from '@tensorflow/tfjs';
import { assertUnitDilations } from './conv_attrs';
import { asWasmBackend, heapFloat32 } from './wasm_access';
import { shape4 } from './xnn_conv2d';

export function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: DepthwiseConv2dNativeBackpropFilterInputs;
  backend: unknown;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, dy } = args.inputs;
  if (x === undefined || dy === undefined) throw new Error('DepthwiseConv2dNativeBackpropFilter needs inputs x and dy');
  const { strides, pad, dimRoundingMode, filterShape } = args.attrs;
  assertUnitDilations(args.attrs, DepthwiseConv2dNativeBackpropFilter);

  const [batch, inHeight, inWidth, channels] = shape4(x.shape, 'x');
  const info = backend_util.computeConv2DInfo([batch, inHeight, inWidth, channels], filterShape, strides, 1, pad, dimRoundingMode, true);
  const { filterHeight, filterWidth, outHeight, outWidth, strideHeight, strideWidth, outChannels } = info;
  const multiplier = outChannels / channels;
  const [, dyHeight, dyWidth, dyChannels] = shape4(dy.shape, 'dy');
  if (dyHeight !== outHeight || dyWidth !== outWidth || dyChannels !== outChannels) {
    throw new Error(`DepthwiseConv2dNativeBackpropFilter: dy shape [${dy.shape.join(', ')}] does not match [${info.outShape.join(', ')}]`);
  }
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;

  const dwInfo = backend.makeOutput([filterHeight, filterWidth, channels, multiplier], 'float32');
  // Views after the allocation: growing the heap detaches older views.
  const xValues = heapFloat32(backend, x);
  const dyValues = heapFloat32(backend, dy);
  const sums = new Float64Array(filterHeight * filterWidth * outChannels);

  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < outHeight; i++) {
      for (let j = 0; j < outWidth; j++) {
        const dyBase = ((n * outHeight + i) * outWidth + j) * outChannels;
        for (let a = 0; a < filterHeight; a++) {
          const xRow = i * strideHeight + a - padTop;
          if (xRow < 0 || xRow >= inHeight) continue;
          for (let b = 0; b < filterWidth; b++) {
            const xCol = j * strideWidth + b - padLeft;
            if (xCol < 0 || xCol >= inWidth) continue;
            const xBase = ((n * inHeight + xRow) * inWidth + xCol) * channels;
            const sumBase = (a * filterWidth + b) * outChannels;
            if (multiplier === 1) {
              for (let c = 0; c < channels; c++) {
                sums[sumBase + c] = (sums[sumBase + c] as number) + (xValues[xBase + c] as number) * (dyValues[dyBase + c] as number);
              }
            } else {
              for (let c = 0; c < channels; c++) {
                const xValue = xValues[xBase + c] as number;
                const offset = c * multiplier;
                for (let m = 0; m < multiplier; m++) {
                  const k = offset + m;
                  sums[sumBase + k] = (sums[sumBase + k] as number) + xValue * (dyValues[dyBase + k] as number);
                }
              }
            }
          }
        }
      }
    }
  }
  heapFloat32(backend, dwInfo).set(sums);
  return dwInfo;
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
