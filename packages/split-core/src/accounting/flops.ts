// Analytic FLOPs per sample for a model segment, so the dashboard and benchmarks can report
// compute per client the way the paper's Table 1 does (TFLOPs per client), and so the split
// between client and server compute can be read off a spec before training. Callers multiply
// by the batch size (nothing here depends on it).
//
// Convention (all counts per sample):
// - One multiply-add (MAC) = 2 FLOPs. A convolution counts the full k*k window for every
//   output, including taps that fall on 'same' zero padding (what the kernels compute).
//     conv2d MACs    = Hout*Wout*filters * k*k*Cin
//     depthwise MACs = Hout*Wout*(Cin*mult) * k*k
//     dense MACs     = inUnits * units
// - Bias add: 1 FLOP per output element. Residual add: 1 per output element.
// - relu / sigmoid / tanh: 1 FLOP per element forward, and 1 per element backward (the
//   multiply by the derivative). This is a convention, not a hardware cost: exp in a sigmoid
//   costs more. 'linear' (or no activation) is free.
// - maxPool: k*k - 1 comparisons per output, counted as FLOPs.
//   globalAvgPool: H*W*C (H*W - 1 additions and 1 division per channel).
//   flatten: free (a reshape).
// - Backward of a conv/dense layer = activation derivative + weight gradient (same MACs as
//   forward) + bias gradient (1 per output) + input gradient (same MACs as forward) only when
//   the input gradient is needed.
// - Backward of a parameter-free layer (pooling, activation, flatten) is its input gradient,
//   counted as equal to its forward cost, and 0 when that input gradient is not needed.
// - An input gradient is needed when the segment's own input needs one (the server segment
//   must return the cut gradient) or when any earlier layer in the segment has weights. This
//   is what tfjs's autodiff does: it only differentiates along paths to the variables, so the
//   first layers of a client segment, fed raw data, never compute a gradient w.r.t. pixels.
// - The loss (softmax + cross-entropy) is not counted.

import { countParams, elementCount, inferLayerShape } from '../model/shapes';
import type { Activation, InnerLayer, LayerSpec, ResidualLayer } from '../model/spec';

export interface FlopsOptions {
  /** Whether the gradient w.r.t. this layer's (or segment's) input must be computed. */
  needsInputGradient: boolean;
}

export interface LayerFlops {
  forward: number;
  backward: number;
}

export interface SegmentFlops extends LayerFlops {
  perLayer: (LayerFlops & { name: string })[];
}

/** FLOPs per sample of one top-level layer (a residual block counts its body, shortcut and add). */
export function layerFlops(layer: LayerSpec, inputShape: readonly number[], options: FlopsOptions): LayerFlops {
  const outputShape = inferLayerShape(layer, inputShape);
  return layer.type === 'residual'
    ? residualFlops(layer, inputShape, outputShape, options.needsInputGradient)
    : innerFlops(layer, inputShape, outputShape, options.needsInputGradient);
}

/**
 * FLOPs per sample of a contiguous run of layers. Use `needsInputGradient: false` for a
 * segment fed raw data, `true` for one fed cut activations (its input gradient is sent back).
 * Summing the segments of a cut model gives the whole model's count whenever every segment
 * but the last has weights; a cut after a parameter-free prefix costs one extra input gradient.
 */
export function segmentFlops(layers: readonly LayerSpec[], inputShape: readonly number[], options: FlopsOptions): SegmentFlops {
  const perLayer: (LayerFlops & { name: string })[] = [];
  let forward = 0;
  let backward = 0;
  let current: readonly number[] = inputShape;
  let needsInputGradient = options.needsInputGradient;
  for (const layer of layers) {
    const flops = layerFlops(layer, current, { needsInputGradient });
    perLayer.push({ name: layer.name, ...flops });
    forward += flops.forward;
    backward += flops.backward;
    needsInputGradient ||= countParams(layer, current) > 0;
    current = inferLayerShape(layer, current);
  }
  return { forward, backward, perLayer };
}

function activationFlops(activation: Activation | undefined, elements: number): number {
  return activation === undefined || activation === 'linear' ? 0 : elements;
}

/** Forward and backward of `activation(x W + b)` for any layer with `macs` multiply-adds. */
function weightedFlops(macs: number, outputs: number, activation: Activation | undefined, needsInputGradient: boolean): LayerFlops {
  const activationCost = activationFlops(activation, outputs);
  const inputGradient = needsInputGradient ? 2 * macs : 0;
  return {
    forward: 2 * macs + outputs + activationCost,
    backward: activationCost + 2 * macs + outputs + inputGradient,
  };
}

/** Parameter-free layers: backward is the input gradient, costed like the forward pass. */
function parameterFreeFlops(forward: number, needsInputGradient: boolean): LayerFlops {
  return { forward, backward: needsInputGradient ? forward : 0 };
}

function innerFlops(
  layer: InnerLayer,
  inputShape: readonly number[],
  outputShape: readonly number[],
  needsInputGradient: boolean,
): LayerFlops {
  const outputs = elementCount(outputShape);
  switch (layer.type) {
    case 'conv2d': {
      const inputChannels = inputShape[2] ?? 0;
      const macs = outputs * layer.kernelSize * layer.kernelSize * inputChannels;
      return weightedFlops(macs, outputs, layer.activation, needsInputGradient);
    }
    case 'depthwiseConv2d': {
      const macs = outputs * layer.kernelSize * layer.kernelSize;
      return weightedFlops(macs, outputs, layer.activation, needsInputGradient);
    }
    case 'dense': {
      const macs = elementCount(inputShape) * layer.units;
      return weightedFlops(macs, outputs, layer.activation, needsInputGradient);
    }
    case 'maxPool2d':
      return parameterFreeFlops(outputs * (layer.poolSize * layer.poolSize - 1), needsInputGradient);
    case 'globalAvgPool2d':
      return parameterFreeFlops(elementCount(inputShape), needsInputGradient);
    case 'flatten':
      return { forward: 0, backward: 0 };
    case 'activation':
      return parameterFreeFlops(activationFlops(layer.activation, outputs), needsInputGradient);
  }
}

/**
 * output = activation(body(x) + shortcut(x)). Backward: the block's activation derivative,
 * the add copies the gradient to both branches (free), each branch's own backward, and, when
 * the input gradient is needed, summing the two branch gradients at x (1 per input element).
 */
function residualFlops(
  layer: ResidualLayer,
  inputShape: readonly number[],
  outputShape: readonly number[],
  needsInputGradient: boolean,
): LayerFlops {
  const outputs = elementCount(outputShape);
  const activationCost = activationFlops(layer.activation, outputs);
  const body = segmentFlops(layer.body, inputShape, { needsInputGradient });
  const projection =
    layer.projection === undefined
      ? { forward: 0, backward: 0 }
      : weightedFlops(outputs * (inputShape[2] ?? 0), outputs, undefined, needsInputGradient);
  const hasWeights = countParams(layer, inputShape) > 0;
  const ownBackwardNeeded = hasWeights || needsInputGradient;
  return {
    forward: body.forward + projection.forward + outputs + activationCost,
    backward:
      (ownBackwardNeeded ? activationCost : 0) +
      body.backward +
      projection.backward +
      (needsInputGradient ? elementCount(inputShape) : 0),
  };
}

/** Training FLOPs per sample of a role's segments; only a first segment skips its input gradient. */
export function trainingFlopsPerSample(plans: readonly { index: number; layers: readonly LayerSpec[]; inputShape: readonly number[] }[]): number {
  return plans.reduce((sum, plan) => {
    const flops = segmentFlops(plan.layers, plan.inputShape, { needsInputGradient: plan.index > 0 });
    return sum + flops.forward + flops.backward;
  }, 0);
}
