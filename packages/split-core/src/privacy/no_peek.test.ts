import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchToTensors } from '../data/batches';
import type { Dataset } from '../data/dataset';
import { createRng } from '../data/random';
import { getModelSpec } from '../model/catalogue';
import { RoundRobinSchedule } from '../schedule/round_robin';
import { forward } from '../segment/segment';
import { useBackend } from '../testing/fixtures';
import { horizontalRolePlans } from '../topology/role_plans';
import { planSplit } from '../topology/split_plan';
import { vanilla } from '../topology/vanilla';
import { Simulation } from '../training/simulation';
import { distanceCorrelation } from './distance_correlation';

// NoPeek (issue acceptance): on a fixed seed, training with the distance correlation term
// leaves the client's cut activations less dependent on its data than training without it,
// while the task is still learnt.

beforeAll(() => useBackend('cpu'));

const FEATURES = 6;
const spec = getModelSpec('mlp', { numClasses: 2, inputShape: [FEATURES] });

function rows(count: number, seed: number): Dataset {
  const rng = createRng(seed);
  const samples = Array.from({ length: count }, (_, i) => {
    const values = Float32Array.from({ length: FEATURES }, () => rng.normal());
    return { id: `r${seed}-${i}`, label: (values[0] as number) - (values[1] as number) > 0 ? 1 : 0, values };
  });
  return { classes: ['no', 'yes'], sampleShape: [FEATURES], samples };
}

async function train(noPeek: number): Promise<{ dcor: number; accuracy: number }> {
  const simulation = new Simulation({
    plans: horizontalRolePlans(planSplit(spec, vanilla)),
    schedule: new RoundRobinSchedule(),
    optimizer: { name: 'adam', learningRate: 0.01 },
    batchSize: 32,
    seed: 3,
    encoding: 'fp32',
    clients: [{ id: 'hospital', data: rows(256, 1) }],
    ...(noPeek > 0 ? { noPeek } : {}),
  });
  try {
    for (let epoch = 0; epoch < 6; epoch++) await simulation.runEpoch();
    const held = rows(128, 2);
    const { accuracy } = await simulation.evaluate(held);
    const batch = batchToTensors(held.samples, held.sampleShape, 2);
    const [bottom] = simulation.roles.client.segments;
    if (!bottom) throw new Error('no client segment');
    const activations = forward(bottom, batch.x);
    const score = distanceCorrelation(batch.x, activations);
    const dcor = score.dataSync()[0] as number;
    tf.dispose([batch.x, batch.labels, activations, score]);
    return { dcor, accuracy };
  } finally {
    simulation.dispose();
  }
}

describe('NoPeek', () => {
  it('lowers the distance correlation between the data and the cut activations, and the task is still learnt', { timeout: 120_000 }, async () => {
    const plain = await train(0);
    const defended = await train(2);
    expect(plain.dcor).toBeGreaterThan(0.5);
    expect(defended.dcor).toBeLessThan(plain.dcor - 0.1);
    expect(plain.accuracy).toBeGreaterThan(0.85);
    expect(defended.accuracy).toBeGreaterThan(0.75);
  });
});
