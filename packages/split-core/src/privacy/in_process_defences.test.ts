import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../data/dataset';
import { createRng } from '../data/random';
import { getModelSpec } from '../model/catalogue';
import { RoundRobinSchedule } from '../schedule/round_robin';
import { useBackend } from '../testing/fixtures';
import { horizontalRolePlans } from '../topology/role_plans';
import { planSplit } from '../topology/split_plan';
import { uShaped } from '../topology/u_shaped';
import { vanilla } from '../topology/vanilla';
import { Simulation } from '../training/simulation';
import type { GradientNoise } from './gradient_noise';

// The simulator scores label leakage and applies gradient noise as the relay does (one
// server-link wrapper for both): on an imbalanced binary task the norm attack finds the labels
// in vanilla mode, max-norm noise hides them, and U-shaped mode leaves nothing to score.

beforeAll(() => useBackend('cpu'));

const spec = getModelSpec('mlp', { numClasses: 2, inputShape: [6] });

function rows(count: number, seed: number): Dataset {
  const rng = createRng(seed);
  const samples = Array.from({ length: count }, (_, i) => {
    const values = Float32Array.from({ length: 6 }, () => rng.normal());
    return { id: `r${seed}-${i}`, label: (values[0] as number) + (values[1] as number) > 1.2 ? 1 : 0, values };
  });
  return { classes: ['no', 'yes'], sampleShape: [6], samples };
}

async function lastLeak(topology: typeof vanilla, gradientNoise?: GradientNoise): Promise<{ norm: number; direction: number } | undefined> {
  const simulation = new Simulation({
    plans: horizontalRolePlans(planSplit(spec, topology)),
    schedule: new RoundRobinSchedule(),
    optimizer: { name: 'adam', learningRate: 0.01 },
    batchSize: 32,
    seed: 2,
    encoding: 'fp32',
    clients: [{ id: 'hospital', data: rows(512, 1) }],
    ...(gradientNoise ? { gradientNoise } : {}),
  });
  try {
    let leak;
    for (let epoch = 0; epoch < 3; epoch++) leak = (await simulation.runEpoch()).leak;
    return leak;
  } finally {
    simulation.dispose();
  }
}

describe('label leakage in the simulator', () => {
  it('vanilla leaks the labels through the norm of the cut gradients; max-norm noise hides them; U-shaped has nothing to score', { timeout: 120_000 }, async () => {
    const plain = await lastLeak(vanilla);
    const defended = await lastLeak(vanilla, { kind: 'max-norm', scale: 1 });
    expect(plain?.norm).toBeGreaterThan(0.8);
    expect(defended?.norm).toBeLessThan((plain?.norm ?? 0) - 0.15);
    expect(await lastLeak(uShaped)).toBeUndefined();
  });
});
