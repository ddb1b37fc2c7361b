import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../data/random';
import type { Activation, InnerLayer, LayerSpec } from './spec';

// Every variable is initialised from a seed derived from (model seed, layer name), so the
// unsplit model and each split segment built from the same spec start from identical
// weights: the basis of the split-equals-centralized proof. Defaults follow tfjs-layers
// (conv padding 'valid', strides 1), as model/shapes.ts does.

function kernelInit(seed: number, layerName: string): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: deriveSeed(seed, layerName, 'kernel') % 2147483647 });
}

function activationOf(activation: Activation | undefined): Activation {
  return activation ?? 'linear';
}

function applyInner(layer: InnerLayer, x: tf.SymbolicTensor, seed: number, scope: string): tf.SymbolicTensor {
  const name = scope + layer.name;
  switch (layer.type) {
    case 'conv2d':
      return tf.layers
        .conv2d({
          name,
          filters: layer.filters,
          kernelSize: layer.kernelSize,
          strides: layer.strides ?? 1,
          padding: layer.padding ?? 'valid',
          activation: activationOf(layer.activation),
          kernelInitializer: kernelInit(seed, name),
        })
        .apply(x) as tf.SymbolicTensor;
    case 'depthwiseConv2d':
      return tf.layers
        .depthwiseConv2d({
          name,
          kernelSize: layer.kernelSize,
          depthMultiplier: layer.depthMultiplier ?? 1,
          strides: layer.strides ?? 1,
          padding: layer.padding ?? 'valid',
          activation: activationOf(layer.activation),
          depthwiseInitializer: kernelInit(seed, name),
        })
        .apply(x) as tf.SymbolicTensor;
    case 'maxPool2d':
      return tf.layers
        .maxPooling2d({ name, poolSize: layer.poolSize, strides: layer.strides ?? layer.poolSize, padding: 'valid' })
        .apply(x) as tf.SymbolicTensor;
    case 'globalAvgPool2d':
      return tf.layers.globalAveragePooling2d({ name }).apply(x) as tf.SymbolicTensor;
    case 'flatten':
      return tf.layers.flatten({ name }).apply(x) as tf.SymbolicTensor;
    case 'dense':
      return tf.layers
        .dense({ name, units: layer.units, activation: activationOf(layer.activation), kernelInitializer: kernelInit(seed, name) })
        .apply(x) as tf.SymbolicTensor;
    case 'activation':
      return tf.layers.activation({ name, activation: layer.activation }).apply(x) as tf.SymbolicTensor;
  }
}

function applyLayer(layer: LayerSpec, x: tf.SymbolicTensor, seed: number): tf.SymbolicTensor {
  if (layer.type !== 'residual') return applyInner(layer, x, seed, '');
  const scope = `${layer.name}/`;
  let body = x;
  for (const inner of layer.body) body = applyInner(inner, body, seed, scope);
  let shortcut = x;
  if (layer.projection) {
    const name = `${scope}projection`;
    shortcut = tf.layers
      .conv2d({
        name,
        filters: layer.projection.filters,
        kernelSize: 1,
        strides: layer.projection.strides ?? 1,
        padding: 'same',
        kernelInitializer: kernelInit(seed, name),
      })
      .apply(x) as tf.SymbolicTensor;
  }
  const sum = tf.layers.add({ name: `${scope}add` }).apply([body, shortcut]) as tf.SymbolicTensor;
  return tf.layers.activation({ name: `${scope}out`, activation: activationOf(layer.activation) }).apply(sum) as tf.SymbolicTensor;
}

/** Builds a functional tfjs model running `layers` on inputs of `inputShape` (per sample). */
export function buildLayersModel(layers: LayerSpec[], inputShape: number[], options: { seed: number; name: string }): tf.LayersModel {
  const input = tf.input({ shape: inputShape, name: `${options.name}_input` });
  let x = input;
  for (const layer of layers) x = applyLayer(layer, x, options.seed);
  return tf.model({ inputs: input, outputs: x, name: options.name });
}
