import type { InnerLayer, LayerSpec, ModelSpec } from '../../src/model/spec';

// The paper's models at CIFAR's shapes (32x32x3), as layer specs split-core's accounting,
// cut planning and codec sizes read: VGG-16 (Simonyan & Zisserman 2015; the CIFAR variant
// with 512-wide dense layers) and ResNet-50 (He et al. 2016; bottleneck blocks [3, 4, 6, 3],
// a 3x3 stem without max pooling, as usually trained on 32x32 images). Batch normalisation is
// left out: the layer specs have none, and its parameters are 0.2% of ResNet-50's.

export function vgg16Cifar(numClasses = 10): ModelSpec {
  const blocks: [number, number][] = [
    [64, 2],
    [128, 2],
    [256, 3],
    [512, 3],
    [512, 3],
  ];
  const layers: LayerSpec[] = blocks.flatMap(([filters, convs], b): LayerSpec[] => [
    ...Array.from({ length: convs }, (_, c): LayerSpec => ({ type: 'conv2d', name: `block${b + 1}_conv${c + 1}`, filters, kernelSize: 3, padding: 'same', activation: 'relu' })),
    { type: 'maxPool2d', name: `block${b + 1}_pool`, poolSize: 2 },
  ]);
  layers.push(
    { type: 'flatten', name: 'flatten' },
    { type: 'dense', name: 'fc1', units: 512, activation: 'relu' },
    { type: 'dense', name: 'fc2', units: 512, activation: 'relu' },
    { type: 'dense', name: 'logits', units: numClasses },
  );
  return { name: 'vgg16-cifar', inputShape: [32, 32, 3], numClasses, layers, defaultCuts: { vanilla: 'block1_conv1', uShaped: ['block1_conv1', 'fc2'], multiHop: ['block1_conv1', 'block2_pool', 'fc2'] } };
}

function bottleneck(name: string, width: number, strides: number, project: boolean): LayerSpec {
  const body: InnerLayer[] = [
    { type: 'conv2d', name: 'conv_a', filters: width, kernelSize: 1, padding: 'same', activation: 'relu' },
    { type: 'conv2d', name: 'conv_b', filters: width, kernelSize: 3, strides, padding: 'same', activation: 'relu' },
    { type: 'conv2d', name: 'conv_c', filters: width * 4, kernelSize: 1, padding: 'same' },
  ];
  return { type: 'residual', name, body, ...(project ? { projection: { filters: width * 4, strides } } : {}), activation: 'relu' };
}

export function resnet50Cifar(numClasses = 100): ModelSpec {
  const stages: [number, number, number][] = [
    [64, 3, 1],
    [128, 4, 2],
    [256, 6, 2],
    [512, 3, 2],
  ];
  const layers: LayerSpec[] = [{ type: 'conv2d', name: 'stem', filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }];
  stages.forEach(([width, blocks, strides], s) => {
    for (let b = 0; b < blocks; b++) layers.push(bottleneck(`stage${s + 1}_block${b + 1}`, width, b === 0 ? strides : 1, b === 0));
  });
  layers.push({ type: 'globalAvgPool2d', name: 'pool' }, { type: 'dense', name: 'logits', units: numClasses });
  return { name: 'resnet50-cifar', inputShape: [32, 32, 3], numClasses, layers, defaultCuts: { vanilla: 'stem', uShaped: ['stem', 'pool'], multiHop: ['stem', 'stage1_block3', 'pool'] } };
}
