import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchToTensors } from '../data/batches';
import type { Dataset, Sample } from '../data/dataset';
import { createRng } from '../data/random';
import { getModelSpec } from '../model/catalogue';
import { readWeights, type NamedWeight } from '../model/weights';
import { trainingBatches } from '../runtime/batch_order';
import { relativeWeightDistances, useBackend } from '../testing/fixtures';
import { CentralizedTrainer } from '../training/centralized';
import { FederatedAveraging } from './federated_averaging';
import { LargeBatchSgd } from './large_batch_sgd';

// The baselines against centralized training (issue acceptance): federated averaging with one
// client and one local epoch is centralized training on that client's data; large-batch
// synchronous SGD with K clients is centralized training on their batches concatenated. SGD,
// the same initial weights and batches; every variable within 1e-4 of its norm, as the split
// equivalence tests ask.

const SGD = { name: 'sgd' as const, learningRate: 0.1 };
const SEED = 5;
const BATCH = 8;
const spec = getModelSpec('mlp', { numClasses: 2, inputShape: [6] });

beforeAll(() => useBackend('cpu'));

function samples(count: number, offset: number): Sample[] {
  const rng = createRng(offset + 1);
  return Array.from({ length: count }, (_, i) => {
    const values = Float32Array.from({ length: 6 }, () => rng.normal());
    return { id: `s${offset + i}`, label: (values[0] as number) + (values[1] as number) > 0 ? 1 : 0, values };
  });
}

const dataset = (rows: Sample[]): Dataset => ({ classes: ['no', 'yes'], sampleShape: [6], samples: rows });

function trainOn(reference: CentralizedTrainer, batch: readonly Sample[]): void {
  const tensors = batchToTensors(batch, [6], 2);
  reference.trainBatch(tensors.x, tensors.labels);
  tf.dispose([tensors.x, tensors.labels]);
}

function expectClose(expected: NamedWeight[], actual: NamedWeight[]): void {
  for (const [name, distance] of relativeWeightDistances(expected, actual)) expect(distance, name).toBeLessThanOrEqual(1e-4);
}

describe('baselines', () => {
  it('federated averaging with one client and one local epoch equals centralized training on its data, round after round', async () => {
    const client = { id: 'hospital-1', data: dataset(samples(37, 0)) };
    const fedavg = new FederatedAveraging({ spec, clients: [client], optimizer: SGD, batchSize: BATCH, seed: SEED, localEpochs: 1 });
    const reference = new CentralizedTrainer(spec, { seed: SEED, optimizer: SGD });
    try {
      expectClose(readWeights(reference.segment.model), readWeights(fedavg.global.segment.model));
      for (let round = 0; round < 3; round++) {
        const report = await fedavg.runRound();
        for (const batch of trainingBatches(client.data.samples, BATCH, { seed: SEED, group: client.id, round })) trainOn(reference, batch);
        expect(report.samples).toBe(37);
        // The client got the global model and sent its own back: one bundle each way.
        expect(report.bytesDown).toBeGreaterThan(0);
        expect(report.bytesUp).toBe(report.bytesDown);
      }
      const trained = readWeights(fedavg.global.segment.model);
      expectClose(readWeights(reference.segment.model), trained);
      // And training did move the weights.
      const untrained = new CentralizedTrainer(spec, { seed: SEED, optimizer: SGD });
      expect(Math.max(...relativeWeightDistances(readWeights(untrained.segment.model), trained).values())).toBeGreaterThan(1e-3);
      untrained.dispose();
    } finally {
      fedavg.dispose();
      reference.dispose();
    }
  });

  it('large-batch synchronous SGD with three clients equals centralized training on their batches concatenated', async () => {
    // Unequal shards: the smallest client sits the last steps out.
    const clients = [
      { id: 'a', data: dataset(samples(40, 100)) },
      { id: 'b', data: dataset(samples(29, 200)) },
      { id: 'c', data: dataset(samples(13, 300)) },
    ];
    const lbsgd = new LargeBatchSgd({ spec, clients, optimizer: SGD, batchSize: BATCH, seed: SEED });
    const reference = new CentralizedTrainer(spec, { seed: SEED, optimizer: SGD });
    try {
      for (let round = 0; round < 2; round++) {
        const report = await lbsgd.runRound();
        const batches = clients.map((client) => trainingBatches(client.data.samples, BATCH, { seed: SEED, group: client.id, round }));
        const steps = Math.max(...batches.map((entry) => entry.length));
        expect(steps).toBe(5);
        for (let step = 0; step < steps; step++) trainOn(reference, batches.flatMap((entry) => entry[step] ?? []));
        expect(report.samples).toBe(82);
        // Each client sent a gradient bundle per batch it held (5 + 4 + 2) and got the average, of the same size, at every step (3 x 5).
        expect(report.bytesUp).toBeGreaterThan(0);
        expect(report.bytesUp / 11).toBe(report.bytesDown / 15);
      }
      expectClose(readWeights(reference.segment.model), readWeights(lbsgd.global.segment.model));
    } finally {
      lbsgd.dispose();
      reference.dispose();
    }
  });
});
