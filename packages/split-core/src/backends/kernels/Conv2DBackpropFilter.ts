// Filter gradient of a 2-D convolution, missing from tfjs-backend-wasm 4.22.
//
// With x [N,H,W,Ci], dy [N,Ho,Wo,Co], stride s and top/left padding (pt, pl):
//   dw[a,b,c,o] = sum_{n,i,j} x[n, a + i*s - pt, b + j*s - pl, c] * dy[n,i,j,o]
// which is itself a forward convolution once the batch is moved into the channels:
//   input  x'  = x  transposed to [Ci, H, W, N]   (Ci plays the batch)
//   filter dy' = dy transposed to [Ho, Wo, N, Co] (reduces over n, i, j)
//   stride 1, dilation s (the forward stride), padding (pt, pl) at the top/left,
//   output [Ci, kh, kw, Co] -> transposed to [kh, kw, Ci, Co].
// That runs on XNNPACK instead of a scalar loop: about two orders of magnitude faster
// than the cpu backend for a 2-conv CNN step (ARCHITECTURE.md, "Measured facts").
//
// Measured on cnn-small (batch 64): most of the cost beyond the forward conv is XNNPACK
// packing dy' as a filter (~10 ms for the first layer's 1.6M-float dy). Alternatives that
// measured worse: splitting the batch into chunks (each chunk's conv has few channels;
// 1.5-10x slower), and x as the filter with dy as the input (pads Ci=1 to 8-wide output
// tiles and needs a slower dy transpose; ~10% better only when Ci >= 8).
//
// With few input channels that conv has a batch of Ci (one image for a grayscale first layer)
// and does little per filter it packs; there the filter gradient is faster as one matrix
// product (im2col): the kh*kw*Ci rows of shifted x (built by slicing x padded, channels first)
// times dy as [N*Ho*Wo, Co]. Measured single-threaded, batch 64, 28x28: Ci=1 3.6x faster,
// Ci=3 2.2x, Ci=4 1.2x, Ci=8 0.77x (slower), so it is taken for Ci <= 4, stride 1.
import type { Conv2DBackpropFilterAttrs, Conv2DBackpropFilterInputs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { Conv2DBackpropFilter, backend_util } from '@tensorflow/tfjs';
import { assertChannelsLast, assertUnitDilations } from './conv_attrs';
import { concatOnWasm, matMulOnWasm, padOnWasm, reshapeOnWasm, sliceOnWasm, transposeOnWasm } from './sibling_kernels';
import type { WasmBackend } from './wasm_access';
import { asWasmBackend, disposeIntermediates } from './wasm_access';
import { shape4, xnnConv2d } from './xnn_conv2d';

export function conv2DBackpropFilter(args: {
  inputs: Conv2DBackpropFilterInputs;
  backend: unknown;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, dy } = args.inputs;
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter needs inputs x and dy');
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs;
  assertChannelsLast(dataFormat, Conv2DBackpropFilter);
  assertUnitDilations(args.attrs, Conv2DBackpropFilter);

  const xShape = shape4(x.shape, 'x');
  const [, inHeight, inWidth, inChannels] = xShape;
  const info = backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { filterHeight, filterWidth, outChannels, strideHeight, strideWidth, outHeight, outWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;

  // Just enough bottom/right padding for the conv to reach filter row kh-1; when the
  // forward conv never touched the last input rows this is negative, the conv then
  // produces extra rows and we slice them off (cheaper than cropping x).
  const padBottom = Math.max(0, filterHeight + (outHeight - 1) * strideHeight - inHeight - padTop);
  const padRight = Math.max(0, filterWidth + (outWidth - 1) * strideWidth - inWidth - padLeft);

  if (inChannels <= IM2COL_MAX_IN_CHANNELS && strideHeight === 1 && strideWidth === 1) {
    return filterGradientByIm2col(backend, x, dy, { filterHeight, filterWidth, outHeight, outWidth, outChannels, padTop, padLeft, padBottom, padRight });
  }

  const xBatchAsChannels = transposeOnWasm(backend, x, [3, 1, 2, 0]);
  const dyAsFilter = transposeOnWasm(backend, dy, [1, 2, 0, 3]);
  const perInputChannel = xnnConv2d(backend, xBatchAsChannels, dyAsFilter, {
    strideHeight: 1,
    strideWidth: 1,
    dilationHeight: strideHeight,
    dilationWidth: strideWidth,
    padTop,
    padBottom,
    padLeft,
    padRight,
  });
  disposeIntermediates(backend, xBatchAsChannels, dyAsFilter);

  let cropped = perInputChannel;
  const [, producedHeight, producedWidth] = shape4(perInputChannel.shape, 'filter gradient');
  if (producedHeight !== filterHeight || producedWidth !== filterWidth) {
    cropped = sliceOnWasm(backend, perInputChannel, [0, 0, 0, 0], [inChannels, filterHeight, filterWidth, outChannels]);
    disposeIntermediates(backend, perInputChannel);
  }
  const dw = transposeOnWasm(backend, cropped, [1, 2, 0, 3]);
  disposeIntermediates(backend, cropped);
  return dw;
}

/** Up to this many input channels the im2col product beats the transposed conv (header comment). */
const IM2COL_MAX_IN_CHANNELS = 4;

interface Im2colGeometry {
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly outChannels: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly padBottom: number;
  readonly padRight: number;
}

/** dw for stride 1: [kh*kw*Ci, N*Ho*Wo] shifted copies of x, times dy as [N*Ho*Wo, Co]. */
function filterGradientByIm2col(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, g: Im2colGeometry): TensorInfo {
  const [batch, , , inChannels] = shape4(x.shape, 'x');
  const positions = batch * g.outHeight * g.outWidth;
  const channelsFirst = transposeOnWasm(backend, x, [3, 0, 1, 2]);
  const padded = padOnWasm(backend, channelsFirst, [
    [0, 0],
    [0, 0],
    [g.padTop, g.padBottom],
    [g.padLeft, g.padRight],
  ]);
  disposeIntermediates(backend, channelsFirst);
  // Row (a, b, c) of the patch matrix: channel c of x shifted by filter tap (a, b).
  const rows: TensorInfo[] = [];
  for (let a = 0; a < g.filterHeight; a++) {
    for (let b = 0; b < g.filterWidth; b++) {
      const shifted = sliceOnWasm(backend, padded, [0, 0, a, b], [inChannels, batch, g.outHeight, g.outWidth]);
      rows.push(reshapeOnWasm(backend, shifted, [inChannels, positions]));
      disposeIntermediates(backend, shifted);
    }
  }
  disposeIntermediates(backend, padded);
  const patches = concatOnWasm(backend, rows, 0);
  disposeIntermediates(backend, ...rows);
  const patches3 = reshapeOnWasm(backend, patches, [1, g.filterHeight * g.filterWidth * inChannels, positions]);
  const dy3 = reshapeOnWasm(backend, dy, [1, positions, g.outChannels]);
  disposeIntermediates(backend, patches);
  const product = matMulOnWasm(backend, patches3, dy3);
  disposeIntermediates(backend, patches3, dy3);
  const dw = reshapeOnWasm(backend, product, [g.filterHeight, g.filterWidth, inChannels, g.outChannels]);
  disposeIntermediates(backend, product);
  return dw;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
