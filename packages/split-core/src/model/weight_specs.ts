import { inferLayerShape } from './shapes';
import type { InnerLayer, LayerSpec } from './spec';

// The variables a segment holds (name and shape, in the order tfjs lists a built model's
// weights), from the layer specs alone: what the researcher's console and the contribute
// page need to state a study's traffic without building a model (and without tfjs).
// weight_specs.test.ts holds it to the built models' `weightLayout` for every catalogue model.

export interface WeightShape {
  name: string;
  shape: number[];
}

function innerWeights(layer: InnerLayer, name: string, inputShape: readonly number[]): WeightShape[] {
  const channels = inputShape[inputShape.length - 1] ?? 0;
  switch (layer.type) {
    case 'conv2d':
      return [
        { name: `${name}/kernel`, shape: [layer.kernelSize, layer.kernelSize, channels, layer.filters] },
        { name: `${name}/bias`, shape: [layer.filters] },
      ];
    case 'depthwiseConv2d': {
      const multiplier = layer.depthMultiplier ?? 1;
      return [
        { name: `${name}/depthwise_kernel`, shape: [layer.kernelSize, layer.kernelSize, channels, multiplier] },
        { name: `${name}/bias`, shape: [channels * multiplier] },
      ];
    }
    case 'dense':
      return [
        { name: `${name}/kernel`, shape: [channels, layer.units] },
        { name: `${name}/bias`, shape: [layer.units] },
      ];
    case 'maxPool2d':
    case 'globalAvgPool2d':
    case 'flatten':
    case 'activation':
      return [];
  }
}

/** The weights of `layers` on inputs of `inputShape` (per sample), named as readWeights names them. */
export function weightSpecs(layers: readonly LayerSpec[], inputShape: readonly number[]): WeightShape[] {
  const weights: WeightShape[] = [];
  let shape: readonly number[] = inputShape;
  for (const layer of layers) {
    if (layer.type === 'residual') {
      const channels = shape[shape.length - 1] ?? 0;
      let inner: readonly number[] = shape;
      for (const part of layer.body) {
        weights.push(...innerWeights(part, `${layer.name}/${part.name}`, inner));
        inner = inferLayerShape(part, inner);
      }
      // The shortcut's projection after the body, as the block builds it (model/build.ts).
      if (layer.projection) weights.push({ name: `${layer.name}/projection/kernel`, shape: [1, 1, channels, layer.projection.filters] }, { name: `${layer.name}/projection/bias`, shape: [layer.projection.filters] });
    } else {
      weights.push(...innerWeights(layer, layer.name, shape));
    }
    shape = inferLayerShape(layer, shape);
  }
  return weights;
}
