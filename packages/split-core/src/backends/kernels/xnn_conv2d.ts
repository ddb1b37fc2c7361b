// The fast path every gradient kernel here reduces to: tfjs-backend-wasm's exported C
// `Conv2D`, which runs an XNNPACK SIMD convolution. Called directly (not through the
// registered Conv2D kernel) so that explicit padding, stride and dilation can be combined
// freely: the op-level checks ("strides or dilations must be 1") do not apply to the
// transposed problems we feed it, and XNNPACK supports them together.
import type { TensorInfo } from '@tensorflow/tfjs';
import type { WasmBackend } from './wasm_access';
import { wasmTensorId, wasmVoidFunction } from './wasm_access';

export interface ConvGeometry {
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  /** Explicit zero padding, all >= 0. */
  readonly padTop: number;
  readonly padBottom: number;
  readonly padLeft: number;
  readonly padRight: number;
}

export const UNIT_GEOMETRY: ConvGeometry = {
  strideHeight: 1,
  strideWidth: 1,
  dilationHeight: 1,
  dilationWidth: 1,
  padTop: 0,
  padBottom: 0,
  padLeft: 0,
  padRight: 0,
};

/** Output size of a convolution along one axis (floor rounding, explicit padding). */
export function convOutputSize(inSize: number, filterSize: number, stride: number, dilation: number, padBefore: number, padAfter: number): number {
  const effectiveFilter = (filterSize - 1) * dilation + 1;
  return Math.floor((inSize + padBefore + padAfter - effectiveFilter) / stride) + 1;
}

/** Number of arguments of the exported C functions `Conv2D` and `DepthwiseConv2dNative` in tfjs-backend-wasm 4.x. */
const CONV2D_ARG_COUNT = 19;

/**
 * Calls one of the wasm module's XNNPACK convolutions ('Conv2D' or 'DepthwiseConv2dNative',
 * which take the same 19 arguments) with explicit padding; returns [N, outH, outW, outChannels].
 */
function runXnnConvolution(
  backend: WasmBackend,
  functionName: 'Conv2D' | 'DepthwiseConv2dNative',
  x: TensorInfo,
  filter: TensorInfo,
  geometry: ConvGeometry,
  channels: { input: number; output: number },
): TensorInfo {
  const [batch, inHeight, inWidth] = shape4(x.shape, 'conv input');
  const [filterHeight, filterWidth] = shape4(filter.shape, 'conv filter');
  const g = geometry;
  if (Math.min(g.padTop, g.padBottom, g.padLeft, g.padRight) < 0) throw new Error('Conv padding must be >= 0');
  const outHeight = convOutputSize(inHeight, filterHeight, g.strideHeight, g.dilationHeight, g.padTop, g.padBottom);
  const outWidth = convOutputSize(inWidth, filterWidth, g.strideWidth, g.dilationWidth, g.padLeft, g.padRight);
  if (outHeight < 1 || outWidth < 1) throw new Error(`Conv output would be empty (${outHeight}x${outWidth})`);

  const out = backend.makeOutput([batch, outHeight, outWidth, channels.output], 'float32');
  const convolve = wasmVoidFunction(backend, functionName, CONV2D_ARG_COUNT);
  const isSamePad = 0;
  convolve(
    wasmTensorId(backend, x),
    batch,
    inHeight,
    inWidth,
    wasmTensorId(backend, filter),
    filterHeight,
    filterWidth,
    g.padTop,
    g.padRight,
    g.padBottom,
    g.padLeft,
    isSamePad,
    g.dilationHeight,
    g.dilationWidth,
    g.strideHeight,
    g.strideWidth,
    channels.input,
    channels.output,
    wasmTensorId(backend, out),
  );
  return out;
}

/**
 * NHWC input [N, H, W, Cin] convolved with an HWIO filter [fh, fw, Cin, Cout].
 * Returns a new tensor [N, outH, outW, Cout] owned by the caller.
 *
 * XNNPACK caches one packed operator per filter tensor id and frees it when that tensor
 * is disposed, so filters built inside a kernel must be disposed right after use.
 */
export function xnnConv2d(backend: WasmBackend, x: TensorInfo, filter: TensorInfo, geometry: ConvGeometry): TensorInfo {
  const [, , , inChannels] = shape4(x.shape, 'conv input');
  const [, , filterInChannels, outChannels] = shape4(filter.shape, 'conv filter');
  if (filterInChannels !== inChannels) {
    throw new Error(`Conv input has ${inChannels} channels but the filter expects ${filterInChannels}`);
  }
  return runXnnConvolution(backend, 'Conv2D', x, filter, geometry, { input: inChannels, output: outChannels });
}

/**
 * Depthwise convolution with channel multiplier 1: x [N,H,W,C] and filter [fh,fw,C,1]
 * give [N,outH,outW,C]. Same ownership and caching rules as `xnnConv2d`.
 */
export function xnnDepthwiseConv2d(backend: WasmBackend, x: TensorInfo, filter: TensorInfo, geometry: ConvGeometry): TensorInfo {
  const [, , , channels] = shape4(x.shape, 'depthwise input');
  const [, , filterChannels, multiplier] = shape4(filter.shape, 'depthwise filter');
  if (filterChannels !== channels || multiplier !== 1) {
    throw new Error(`Depthwise filter [${filter.shape.join(', ')}] does not fit ${channels} input channels with multiplier 1`);
  }
  return runXnnConvolution(backend, 'DepthwiseConv2dNative', x, filter, geometry, { input: channels, output: channels });
}

export function shape4(shape: readonly number[], what: string): [number, number, number, number] {
  const [a, b, c, d] = shape;
  if (shape.length !== 4 || a === undefined || b === undefined || c === undefined || d === undefined) {
    throw new Error(`Expected a rank-4 ${what}, got shape [${shape.join(', ')}]`);
  }
  return [a, b, c, d];
}
