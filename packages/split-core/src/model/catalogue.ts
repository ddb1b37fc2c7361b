import { ModelSpecError } from './errors';
import type { ModelSpec } from './spec';

// Small architectures sized for browsers without a GPU: the client segment (the first
// block) costs a small fraction of the model, as SplitNN intends.

export type CatalogueModelName = 'cnn-small' | 'vgg-mini' | 'resnet-mini' | 'mlp';
export const CATALOGUE_MODEL_NAMES: readonly CatalogueModelName[] = ['cnn-small', 'vgg-mini', 'resnet-mini', 'mlp'];

export interface CatalogueOptions {
  numClasses: number;
  /** Overrides the architecture's default input shape ([h, w, c] for images, [features] for mlp). */
  inputShape?: number[];
}

function cnnSmall({ numClasses, inputShape = [28, 28, 1] }: CatalogueOptions): ModelSpec {
  return {
    name: 'cnn-small',
    inputShape,
    numClasses,
    layers: [
      { type: 'conv2d', name: 'conv1', filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' },
      { type: 'maxPool2d', name: 'pool1', poolSize: 2 },
      { type: 'conv2d', name: 'conv2', filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' },
      { type: 'maxPool2d', name: 'pool2', poolSize: 2 },
      { type: 'flatten', name: 'flatten' },
      { type: 'dense', name: 'dense1', units: 128, activation: 'relu' },
      { type: 'dense', name: 'logits', units: numClasses },
    ],
    defaultCuts: { vanilla: 'pool1', uShaped: ['pool1', 'dense1'], multiHop: ['pool1', 'pool2', 'dense1'] },
  };
}

function vggMini({ numClasses, inputShape = [32, 32, 3] }: CatalogueOptions): ModelSpec {
  return {
    name: 'vgg-mini',
    inputShape,
    numClasses,
    layers: [
      { type: 'conv2d', name: 'block1_conv1', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
      { type: 'conv2d', name: 'block1_conv2', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
      { type: 'maxPool2d', name: 'block1_pool', poolSize: 2 },
      { type: 'conv2d', name: 'block2_conv1', filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' },
      { type: 'conv2d', name: 'block2_conv2', filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' },
      { type: 'maxPool2d', name: 'block2_pool', poolSize: 2 },
      { type: 'flatten', name: 'flatten' },
      { type: 'dense', name: 'dense1', units: 64, activation: 'relu' },
      { type: 'dense', name: 'logits', units: numClasses },
    ],
    defaultCuts: { vanilla: 'block1_pool', uShaped: ['block1_pool', 'dense1'], multiHop: ['block1_pool', 'block2_pool', 'dense1'] },
  };
}

function resnetMini({ numClasses, inputShape = [32, 32, 3] }: CatalogueOptions): ModelSpec {
  return {
    name: 'resnet-mini',
    inputShape,
    numClasses,
    layers: [
      { type: 'conv2d', name: 'stem', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
      {
        type: 'residual',
        name: 'res1',
        body: [
          { type: 'conv2d', name: 'conv_a', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
          { type: 'conv2d', name: 'conv_b', filters: 16, kernelSize: 3, padding: 'same' },
        ],
        activation: 'relu',
      },
      {
        type: 'residual',
        name: 'res2',
        body: [
          { type: 'conv2d', name: 'conv_a', filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
          { type: 'conv2d', name: 'conv_b', filters: 32, kernelSize: 3, padding: 'same' },
        ],
        projection: { filters: 32, strides: 2 },
        activation: 'relu',
      },
      { type: 'globalAvgPool2d', name: 'pool' },
      { type: 'dense', name: 'dense1', units: 32, activation: 'relu' },
      { type: 'dense', name: 'logits', units: numClasses },
    ],
    defaultCuts: { vanilla: 'res1', uShaped: ['res1', 'dense1'], multiHop: ['res1', 'res2', 'dense1'] },
  };
}

function mlp({ numClasses, inputShape = [30] }: CatalogueOptions): ModelSpec {
  return {
    name: 'mlp',
    inputShape,
    numClasses,
    layers: [
      { type: 'dense', name: 'dense1', units: 32, activation: 'relu' },
      { type: 'dense', name: 'dense2', units: 16, activation: 'relu' },
      { type: 'dense', name: 'logits', units: numClasses },
    ],
    defaultCuts: { vanilla: 'dense1', uShaped: ['dense1', 'dense2'], multiHop: ['dense1', 'dense2'] },
  };
}

const BUILDERS: Record<CatalogueModelName, (options: CatalogueOptions) => ModelSpec> = {
  'cnn-small': cnnSmall,
  'vgg-mini': vggMini,
  'resnet-mini': resnetMini,
  mlp,
};

export function isCatalogueModelName(name: string): name is CatalogueModelName {
  return (CATALOGUE_MODEL_NAMES as readonly string[]).includes(name);
}

/** The spec of a catalogue architecture, for the given classes and input. */
export function getModelSpec(name: string, options: CatalogueOptions): ModelSpec {
  if (!isCatalogueModelName(name)) {
    throw new ModelSpecError('unknown-model', `unknown model '${name}': choose one of ${CATALOGUE_MODEL_NAMES.join(', ')}`);
  }
  return BUILDERS[name](options);
}
