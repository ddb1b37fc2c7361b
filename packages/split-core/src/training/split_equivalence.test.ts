import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TrafficMeter } from '../accounting/traffic';
import { batchToTensors, epochBatches } from '../data/batches';
import type { Sample } from '../data/dataset';
import { createRng } from '../data/random';
import { getModelSpec } from '../model/catalogue';
import type { ModelSpec } from '../model/spec';
import { readWeights, type NamedWeight } from '../model/weights';
import { trainingBatches } from '../runtime/batch_order';
import { RoundRobinSchedule } from '../schedule/round_robin';
import { createInProcessLinkPair } from '../topology/in_process_link';
import type { HorizontalTopology } from '../topology/topology';
import { uShaped } from '../topology/u_shaped';
import { vanilla } from '../topology/vanilla';
import { randomDataset, relativeWeightDistances, useBackend } from '../testing/fixtures';
import { CentralizedTrainer } from './centralized';
import { InProcessFederation } from './in_process_federation';
import { createRole, disposeRole } from '../segment/roles';
import { horizontalRolePlans } from '../topology/role_plans';
import { planSplit } from '../topology/split_plan';
import { AugmentationSchema } from '../augmentation/augmentation';
import { learningRateAt } from '../segment/learning_rate';
import { trainingRecipe } from '../study/recipe';

// Deliverable 5 of the engine: with plain SGD, the same initial weights and the same
// batches, split training equals centralized training of the unsplit model.

const SGD = { name: 'sgd' as const, learningRate: 0.05 };
const TOLERANCE = 1e-4;

const tinyCnn: ModelSpec = {
  name: 'tiny-cnn',
  inputShape: [8, 8, 1],
  numClasses: 2,
  layers: [
    { type: 'conv2d', name: 'conv', filters: 4, kernelSize: 3, activation: 'relu' },
    { type: 'flatten', name: 'flatten' },
    { type: 'dense', name: 'hidden', units: 8, activation: 'relu' },
    { type: 'dense', name: 'logits', units: 2 },
  ],
  defaultCuts: { vanilla: 'conv', uShaped: ['conv', 'hidden'] },
};

function makeBatches(spec: ModelSpec, count: number, batchSize: number, seed: number): Sample[][] {
  const data = randomDataset({ seed, count: count * batchSize, sampleShape: spec.inputShape, numClasses: spec.numClasses });
  return epochBatches(data.samples, batchSize, createRng(seed));
}

function expectSameWeights(expected: NamedWeight[], actual: NamedWeight[], initial: NamedWeight[]): void {
  const distances = relativeWeightDistances(expected, actual);
  expect(distances.size).toBeGreaterThan(0);
  for (const [name, distance] of distances) expect(distance, `variable ${name}`).toBeLessThanOrEqual(TOLERANCE);
  // The comparison only means something if training moved the weights.
  const moved = relativeWeightDistances(initial, expected);
  expect(Math.max(...moved.values())).toBeGreaterThan(100 * TOLERANCE);
}

async function splitVersusCentralized(spec: ModelSpec, topology: HorizontalTopology, steps: number, batchSize: number): Promise<void> {
  const seed = 7;
  const batches = makeBatches(spec, steps, batchSize, 11);
  const centralized = new CentralizedTrainer(spec, { seed, optimizer: SGD });
  const initial = readWeights(centralized.segment.model);
  const split = planSplit(spec, topology);
  const client = createRole('client', split.client, { seed, optimizer: SGD });
  const server = createRole('server', split.server, { seed, optimizer: SGD });
  for (const batch of batches) {
    const { x, labels } = batchToTensors(batch, spec.inputShape, spec.numClasses);
    centralized.trainBatch(x, labels);
    const link = createInProcessLinkPair({ encoding: 'fp32', participantId: 'client' });
    await Promise.all([topology.clientTrainStep(client, link.client, { x, labels }), topology.serverTrainStep(server, [link.server])]);
    tf.dispose([x, labels]);
  }
  const splitWeights = [...client.segments, ...server.segments].flatMap((segment) => readWeights(segment.model));
  expectSameWeights(readWeights(centralized.segment.model), splitWeights, initial);
  centralized.dispose();
  disposeRole(client);
  disposeRole(server);
}

describe('split training equals centralized training (cpu backend, one conv + dense, batch 8)', () => {
  beforeAll(() => useBackend('cpu'));

  it('vanilla, 24 steps', () => splitVersusCentralized(tinyCnn, vanilla, 24, 8));
  it('U-shaped, 24 steps', () => splitVersusCentralized(tinyCnn, uShaped, 24, 8));

  it('round-robin with hand-off over 3 clients equals centralized training on the concatenated batch sequence', async () => {
    const seed = 5;
    const clients = [0, 1, 2].map((k) => ({
      id: `hospital-${k}`,
      data: randomDataset({ seed: 100 + k, count: 8 * (3 + k), sampleShape: tinyCnn.inputShape, numClasses: 2, idPrefix: `h${k}` }),
    }));
    const federation = new InProcessFederation({
      plans: horizontalRolePlans(planSplit(tinyCnn, vanilla)),
      clients,
      batchSize: 8,
      seed,
      optimizer: SGD,
      encoding: 'fp32',
      meter: new TrafficMeter(),
    });
    const schedule = new RoundRobinSchedule();
    const rounds = 2;
    for (let round = 0; round < rounds; round++) {
      federation.round = round;
      await schedule.runRound(federation);
    }

    const centralized = new CentralizedTrainer(tinyCnn, { seed, optimizer: SGD });
    const initial = readWeights(centralized.segment.model);
    let steps = 0;
    for (let round = 0; round < rounds; round++) {
      for (const client of clients) {
        // The runtime's batch order: seeded per group (here one client) and round.
        for (const batch of trainingBatches(client.data.samples, 8, { seed, group: client.id, round })) {
          const { x, labels } = batchToTensors(batch, tinyCnn.inputShape, 2);
          centralized.trainBatch(x, labels);
          tf.dispose([x, labels]);
          steps += 1;
        }
      }
    }
    expect(steps).toBeGreaterThanOrEqual(20);
    // The last client to train holds the hand-off weights; the server segment is shared.
    const last = clients[clients.length - 1]?.id ?? '';
    const splitWeights = [...federation.clientRole(last).segments, ...federation.sharedServer.role.segments].flatMap((segment) => readWeights(segment.model));
    expectSameWeights(readWeights(centralized.segment.model), splitWeights, initial);
    centralized.dispose();
    federation.dispose();
  });
});

describe('split training equals centralized training (wasm backend, cnn-small)', () => {
  beforeAll(() => useBackend('wasm'));
  const spec = getModelSpec('cnn-small', { numClasses: 2 });

  it('vanilla, 20 steps of batch 16', () => splitVersusCentralized(spec, vanilla, 20, 16));
  it('U-shaped, 20 steps of batch 16', () => splitVersusCentralized(spec, uShaped, 20, 16));
});

describe('a study\'s training recipe trains the split as it trains the whole model (cpu backend)', () => {
  beforeAll(() => useBackend('cpu'));
  const spec: ModelSpec = { ...tinyCnn, inputShape: [10, 10, 1] };

  // One client named like the centralized trainer's group: the same batches, the same augmentation draws.
  it.each([
    ['vanilla', vanilla, 'momentum'],
    ['U-shaped', uShaped, 'adam'],
  ] as const)('%s with augmentation, a cosine schedule, weight decay, label smoothing and class weights, over 3 rounds', async (_name, topology, optimizerName) => {
    const seed = 9;
    const rounds = 3;
    const recipe = trainingRecipe({
      optimizer: optimizerName,
      learningRate: optimizerName === 'adam' ? 0.01 : 0.05,
      rounds,
      learningRateSchedule: 'cosine',
      weightDecay: 0.05,
      labelSmoothing: 0.1,
      classWeights: [0.7, 1.6],
      augmentation: AugmentationSchema.parse({ flip: true }),
    });
    const data = randomDataset({ seed: 21, count: 40, sampleShape: spec.inputShape, numClasses: 2 });
    const federation = new InProcessFederation({ plans: horizontalRolePlans(planSplit(spec, topology)), clients: [{ id: 'centralized', data }], batchSize: 8, seed, ...recipe, encoding: 'fp32', meter: new TrafficMeter() });
    const schedule = new RoundRobinSchedule();
    for (let round = 0; round < rounds; round++) {
      federation.round = round;
      await schedule.runRound(federation);
    }
    const centralized = new CentralizedTrainer(spec, { seed, ...recipe });
    const initial = readWeights(centralized.segment.model);
    for (let round = 0; round < rounds; round++) await centralized.trainEpoch(data, 8, seed);
    const splitWeights = [...federation.clientRole('centralized').segments, ...federation.sharedServer.role.segments].flatMap((segment) => readWeights(segment.model));
    expectSameWeights(readWeights(centralized.segment.model), splitWeights, initial);
    // Every role stepped at the last round's rate of the schedule.
    for (const segment of [...federation.clientRole('centralized').segments, ...federation.sharedServer.role.segments]) expect(segment.optimizer.learningRate).toBeCloseTo(learningRateAt(recipe.optimizer.learningRate, recipe.optimizer.schedule, rounds - 1), 10);
    centralized.dispose();
    federation.dispose();
  });
});
