import { beforeAll, describe, expect, it } from 'vitest';
import { getModelSpec, type CatalogueModelName } from '../model/catalogue';
import { getSchedule } from '../schedule/get';
import { blobImages, randomDataset, useBackend } from '../testing/fixtures';
import { getHorizontalTopology } from '../topology/get';
import { horizontalRolePlans } from '../topology/role_plans';
import { planSplit } from '../topology/split_plan';
import { Simulation } from './simulation';
import type { Dataset } from '../data/dataset';

// Every catalogue model trains above chance through the split path (not only builds):
// image models on synthetic images at their own input size, the MLP on a synthetic
// tabular task. Validation classes are balanced, so chance is 0.5.

beforeAll(() => useBackend('wasm'));

function imageData(shape: number[]): { train: Dataset; val: Dataset } {
  return {
    train: blobImages({ seed: 1, count: 512, sampleShape: shape, idPrefix: 'train' }),
    val: blobImages({ seed: 2, count: 128, sampleShape: shape, idPrefix: 'val' }),
  };
}

function tabularData(): { train: Dataset; val: Dataset } {
  return {
    train: randomDataset({ seed: 1, count: 600, sampleShape: [30], numClasses: 2, idPrefix: 'train' }),
    val: randomDataset({ seed: 2, count: 300, sampleShape: [30], numClasses: 2, idPrefix: 'val' }),
  };
}

describe('catalogue models learn through the split path', () => {
  it.each<[CatalogueModelName, string, string]>([
    ['cnn-small', 'vanilla', 'round-robin'],
    ['vgg-mini', 'u-shaped', 'splitfed-v2'],
    ['resnet-mini', 'vanilla', 'splitfed-v1'],
    ['mlp', 'u-shaped', 'round-robin'],
  ])('%s (%s, %s) beats chance on held-out data', async (name, topologyName, scheduleName) => {
    const probe = getModelSpec(name, { numClasses: 2 });
    const { train, val } = name === 'mlp' ? tabularData() : imageData(probe.inputShape);
    const spec = getModelSpec(name, { numClasses: 2, inputShape: train.sampleShape });
    const half = Math.floor(train.samples.length / 2);
    const simulation = new Simulation({
      plans: horizontalRolePlans(planSplit(spec, getHorizontalTopology(topologyName))),
      schedule: getSchedule(scheduleName),
      optimizer: { name: 'adam', learningRate: 2e-3 },
      batchSize: 16,
      seed: 3,
      encoding: 'fp32',
      clients: [
        { id: 'a', data: { ...train, samples: train.samples.slice(0, half) } },
        { id: 'b', data: { ...train, samples: train.samples.slice(half) } },
      ],
    });
    const before = await simulation.evaluate(val);
    for (let epoch = 0; epoch < 4; epoch++) await simulation.runEpoch();
    const after = await simulation.evaluate(val);
    simulation.dispose();
    expect(after.count).toBe(val.samples.length);
    expect(after.accuracy).toBeGreaterThan(0.65);
    expect(after.auc).toBeGreaterThan(0.7);
    expect(after.loss).toBeLessThan(before.loss);
  });
});
