// Max-pool gradient on wasm, replacing the built-in kernel (about 26 ms of a 115 ms
// cnn-small step, ARCHITECTURE.md; this one took about a third of its time on
// [64,28,28,32], pool 2, measured in the same process). One pass over the pooling windows: each window's
// gradient goes to its first maximum in row-major window order (strict `>`), exactly
// where tfjs's cpu backend (and TensorFlow) send it when several inputs tie. NaN never
// wins a comparison, and a window holding only -Infinity/NaN passes no gradient, also
// like the cpu backend.
//
// Plain JS over the wasm heap: the work is a compare and an add per input element per
// window; the channel loop is innermost so every access is contiguous (NHWC).
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, MaxPoolGradInputs, TensorInfo } from '@tensorflow/tfjs';
import { MaxPoolGrad, backend_util } from '@tensorflow/tfjs';
import { asWasmBackend, heapFloat32 } from './wasm_access';
import { shape4 } from './xnn_conv2d';

export function maxPoolGrad(args: { inputs: MaxPoolGradInputs; backend: unknown; attrs: MaxPoolGradAttrs }): TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, input } = args.inputs;
  if (dy === undefined || input === undefined) throw new Error('MaxPoolGrad needs inputs dy and input');
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs;
  const [batch, inHeight, inWidth, channels] = shape4(input.shape, 'input');
  const info = backend_util.computePool2DInfo([batch, inHeight, inWidth, channels], filterSize, strides, 1, pad, dimRoundingMode);
  const { outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const [, dyHeight, dyWidth, dyChannels] = shape4(dy.shape, 'dy');
  if (dyHeight !== outHeight || dyWidth !== outWidth || dyChannels !== channels) {
    throw new Error(`MaxPoolGrad: dy shape [${dy.shape.join(', ')}] does not match the pooled shape [${info.outShape.join(', ')}]`);
  }

  const dxInfo = backend.makeOutput([batch, inHeight, inWidth, channels], 'float32');
  // Views after the allocation: growing the heap detaches older views.
  const x = heapFloat32(backend, input);
  const dyValues = heapFloat32(backend, dy);
  const dx = heapFloat32(backend, dxInfo);
  dx.fill(0);

  accumulateMaxPoolGrad(x, dyValues, dx, {
    batch,
    inHeight,
    inWidth,
    channels,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
    filterHeight,
    filterWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  });
  return dxInfo;
}

interface PoolGeometry {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly channels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/**
 * dx[argmax of each window] += dy. Channel loop outside the window loop so the running
 * maximum lives in locals; the window offsets are computed once per output pixel. The
 * data-dependent branch sets the cost (~9 ns per input element measured; branch-free and
 * 2x2-specialised variants measured no faster).
 */
function accumulateMaxPoolGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, g: PoolGeometry): void {
  const { batch, inHeight, inWidth, channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth, padTop, padLeft } = g;
  const windowOffsets = new Int32Array(filterHeight * filterWidth);
  for (let n = 0; n < batch; n++) {
    for (let yR = 0; yR < outHeight; yR++) {
      const rowCorner = yR * strideHeight - padTop;
      const rowStart = Math.max(0, rowCorner);
      const rowEnd = Math.min(inHeight, rowCorner + filterHeight);
      for (let yC = 0; yC < outWidth; yC++) {
        const colCorner = yC * strideWidth - padLeft;
        const colStart = Math.max(0, colCorner);
        const colEnd = Math.min(inWidth, colCorner + filterWidth);
        // Row-major window order: the first strict maximum found is the one tfjs picks.
        let windowSize = 0;
        for (let xR = rowStart; xR < rowEnd; xR++) {
          for (let xC = colStart; xC < colEnd; xC++) {
            windowOffsets[windowSize++] = ((n * inHeight + xR) * inWidth + xC) * channels;
          }
        }
        const dyBase = ((n * outHeight + yR) * outWidth + yC) * channels;
        for (let d = 0; d < channels; d++) {
          let best = Number.NEGATIVE_INFINITY;
          let bestAt = -1;
          for (let k = 0; k < windowSize; k++) {
            const at = (windowOffsets[k] as number) + d;
            const value = x[at] as number;
            if (value > best) {
              best = value;
              bestAt = at;
            }
          }
          if (bestAt >= 0) dx[bestAt] = (dx[bestAt] as number) + (dy[dyBase + d] as number);
        }
      }
    }
  }
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
