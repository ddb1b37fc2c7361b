// Analytic shape inference and parameter counts over a ModelSpec, without tfjs, so a spec can
// be checked (and its cut tensors and FLOPs sized) before any backend exists: on the relay at
// study creation, in the dashboard, in tests.
//
// Shapes are per sample (no batch dimension) and follow tfjs-layers exactly
// (tfjs-layers/src/utils/conv_utils.ts `convOutputLength`, dilation 1):
//   'same'  -> ceil(in / stride)
//   'valid' -> ceil((in - kernel + 1) / stride)
// Defaults are tfjs-layers' own: conv and depthwise strides 1, padding 'valid',
// depthMultiplier 1; max pooling strides = poolSize, padding 'valid'. Every layer uses a bias
// (tfjs `useBias` defaults to true).

import { ModelSpecError } from './errors';
import type { InnerLayer, LayerSpec, Padding, ResidualLayer } from './spec';

/** Number of elements in a per-sample shape (1 for a scalar shape `[]`). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** tfjs-layers `convOutputLength` with dilation 1; may return <= 0, callers reject that. */
export function convOutputLength(
  inputLength: number,
  kernelSize: number,
  padding: Padding,
  stride: number,
): number {
  const length = padding === 'same' ? inputLength : inputLength - kernelSize + 1;
  return Math.ceil(length / stride);
}

/** Output shape of one layer for a per-sample input shape; throws ModelSpecError when they do not fit. */
export function inferLayerShape(layer: LayerSpec, inputShape: readonly number[]): number[] {
  requireValidInputShape(inputShape, layer.name);
  return layer.type === 'residual'
    ? inferResidualShape(layer, inputShape)
    : inferInnerShape(layer, inputShape, layer.name);
}

/** Output shape of every layer in order (entry i is the output of layers[i]). */
export function inferShapes(layers: readonly LayerSpec[], inputShape: readonly number[]): number[][] {
  const shapes: number[][] = [];
  let current: readonly number[] = inputShape;
  for (const layer of layers) {
    const output = inferLayerShape(layer, current);
    shapes.push(output);
    current = output;
  }
  return shapes;
}

/**
 * Trainable parameters of one layer, as tfjs `model.countParams()` counts them:
 * conv k*k*cin*filters + filters; depthwise k*k*cin*mult + cin*mult; dense in*units + units;
 * residual = body + projection (1x1 conv: cin*filters + filters); everything else 0.
 */
export function countParams(layer: LayerSpec, inputShape: readonly number[]): number {
  inferLayerShape(layer, inputShape);
  if (layer.type !== 'residual') return countInnerParams(layer, inputShape);
  let params = 0;
  let current: readonly number[] = inputShape;
  for (const inner of layer.body) {
    params += countInnerParams(inner, current);
    current = inferInnerShape(inner, current, `${layer.name}/${inner.name}`);
  }
  if (layer.projection !== undefined) {
    const inputChannels = inputShape[2] ?? 0;
    params += inputChannels * layer.projection.filters + layer.projection.filters;
  }
  return params;
}

/** Sum of countParams over a contiguous list of layers (a segment or a whole model). */
export function countSegmentParams(layers: readonly LayerSpec[], inputShape: readonly number[]): number {
  let params = 0;
  let current: readonly number[] = inputShape;
  for (const layer of layers) {
    params += countParams(layer, current);
    current = inferLayerShape(layer, current);
  }
  return params;
}

function countInnerParams(layer: InnerLayer, inputShape: readonly number[]): number {
  switch (layer.type) {
    case 'conv2d': {
      const inputChannels = inputShape[2] ?? 0;
      return layer.kernelSize * layer.kernelSize * inputChannels * layer.filters + layer.filters;
    }
    case 'depthwiseConv2d': {
      const outputChannels = (inputShape[2] ?? 0) * (layer.depthMultiplier ?? 1);
      return layer.kernelSize * layer.kernelSize * outputChannels + outputChannels;
    }
    case 'dense': {
      const inputUnits = inputShape[0] ?? 0;
      return inputUnits * layer.units + layer.units;
    }
    case 'maxPool2d':
    case 'globalAvgPool2d':
    case 'flatten':
    case 'activation':
      return 0;
  }
}

function inferInnerShape(layer: InnerLayer, inputShape: readonly number[], label: string): number[] {
  switch (layer.type) {
    case 'conv2d': {
      const [height, width] = requireImageInput(inputShape, label, 'conv2d');
      const kernel = requirePositiveInteger(layer.kernelSize, 'kernelSize', label);
      const stride = requirePositiveInteger(layer.strides ?? 1, 'strides', label);
      const filters = requirePositiveInteger(layer.filters, 'filters', label);
      const padding = layer.padding ?? 'valid';
      return requirePositiveOutput(
        [convOutputLength(height, kernel, padding, stride), convOutputLength(width, kernel, padding, stride), filters],
        inputShape,
        label,
      );
    }
    case 'depthwiseConv2d': {
      const [height, width, channels] = requireImageInput(inputShape, label, 'depthwiseConv2d');
      const kernel = requirePositiveInteger(layer.kernelSize, 'kernelSize', label);
      const stride = requirePositiveInteger(layer.strides ?? 1, 'strides', label);
      const multiplier = requirePositiveInteger(layer.depthMultiplier ?? 1, 'depthMultiplier', label);
      const padding = layer.padding ?? 'valid';
      return requirePositiveOutput(
        [
          convOutputLength(height, kernel, padding, stride),
          convOutputLength(width, kernel, padding, stride),
          channels * multiplier,
        ],
        inputShape,
        label,
      );
    }
    case 'maxPool2d': {
      const [height, width, channels] = requireImageInput(inputShape, label, 'maxPool2d');
      const pool = requirePositiveInteger(layer.poolSize, 'poolSize', label);
      const stride = requirePositiveInteger(layer.strides ?? pool, 'strides', label);
      return requirePositiveOutput(
        [convOutputLength(height, pool, 'valid', stride), convOutputLength(width, pool, 'valid', stride), channels],
        inputShape,
        label,
      );
    }
    case 'globalAvgPool2d': {
      const [, , channels] = requireImageInput(inputShape, label, 'globalAvgPool2d');
      return [channels];
    }
    case 'flatten':
      return [elementCount(inputShape)];
    case 'dense': {
      if (inputShape.length !== 1) {
        throw new ModelSpecError(
          'rank-mismatch',
          `Layer "${label}" (dense) needs a flat input but receives shape [${inputShape.join(', ')}]; ` +
            'insert a flatten or globalAvgPool2d layer before it.',
          label,
        );
      }
      return [requirePositiveInteger(layer.units, 'units', label)];
    }
    case 'activation':
      return [...inputShape];
    default:
      return rejectUnknownType(layer, label);
  }
}

function inferResidualShape(layer: ResidualLayer, inputShape: readonly number[]): number[] {
  if (layer.body.length === 0) {
    throw new ModelSpecError(
      'invalid-layer-parameter',
      `Residual block "${layer.name}" has an empty body; give it at least one layer.`,
      layer.name,
    );
  }
  let bodyOutput: readonly number[] = inputShape;
  for (const inner of layer.body) {
    bodyOutput = inferInnerShape(inner, bodyOutput, `${layer.name}/${inner.name}`);
  }
  const shortcut = inferShortcutShape(layer, inputShape);
  if (!sameShape(bodyOutput, shortcut)) {
    const hint =
      layer.projection === undefined
        ? ' Add a projection ({ filters, strides }) so the shortcut matches the body.'
        : ' Change the projection filters/strides or the body so they agree.';
    throw new ModelSpecError(
      'residual-shape-mismatch',
      `Residual block "${layer.name}": body output [${bodyOutput.join(', ')}] differs from ` +
        `shortcut [${shortcut.join(', ')}].${hint}`,
      layer.name,
    );
  }
  return [...bodyOutput];
}

/** Identity, or a 1x1 'same' convolution: ceil(in / stride) spatially, `filters` channels. */
function inferShortcutShape(layer: ResidualLayer, inputShape: readonly number[]): number[] {
  if (layer.projection === undefined) return [...inputShape];
  const label = `${layer.name}/projection`;
  const [height, width] = requireImageInput(inputShape, label, 'projection');
  const filters = requirePositiveInteger(layer.projection.filters, 'projection.filters', layer.name);
  const stride = requirePositiveInteger(layer.projection.strides ?? 1, 'projection.strides', layer.name);
  return [convOutputLength(height, 1, 'same', stride), convOutputLength(width, 1, 'same', stride), filters];
}

function requireValidInputShape(inputShape: readonly number[], label: string): void {
  if (inputShape.length === 0 || !inputShape.every((size) => Number.isInteger(size) && size > 0)) {
    throw new ModelSpecError(
      'invalid-input-shape',
      `Layer "${label}" receives input shape [${inputShape.join(', ')}]; every size must be a positive integer.`,
      label,
    );
  }
}

function requireImageInput(inputShape: readonly number[], label: string, kind: string): [number, number, number] {
  const [height, width, channels] = inputShape;
  if (inputShape.length !== 3 || height === undefined || width === undefined || channels === undefined) {
    throw new ModelSpecError(
      'rank-mismatch',
      `Layer "${label}" (${kind}) needs an image input [height, width, channels] but receives ` +
        `shape [${inputShape.join(', ')}]; image layers must come before flatten/dense.`,
      label,
    );
  }
  return [height, width, channels];
}

function requirePositiveInteger(value: number, parameter: string, label: string): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new ModelSpecError(
      'invalid-layer-parameter',
      `Layer "${label}": ${parameter} must be a positive integer, got ${String(value)}.`,
      label,
    );
  }
  return value;
}

function requirePositiveOutput(output: number[], inputShape: readonly number[], label: string): number[] {
  if (output.some((size) => size <= 0)) {
    throw new ModelSpecError(
      'non-positive-output',
      `Layer "${label}" maps input [${inputShape.join(', ')}] to [${output.join(', ')}]; ` +
        "the kernel or pool window is larger than its input: use 'same' padding, a smaller window, or a larger input.",
      label,
    );
  }
  return output;
}

function rejectUnknownType(layer: never, label: string): never {
  const type: unknown = (layer as { type?: unknown }).type;
  throw new ModelSpecError('unknown-layer-type', `Layer "${label}" has unknown type ${JSON.stringify(type)}.`, label);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, index) => size === b[index]);
}
