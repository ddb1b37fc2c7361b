import { beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../data/dataset';
import { createRng } from '../../data/random';
import { useBackend } from '../../testing/fixtures';
import type { PartyData } from '../vertical/party_data';
import { runVerticalSim } from './vertical';

// The simulator's extended vanilla and multi-task studies (PAPER.md Fig. 4a, 4b) on two
// generated parties: the diagnosis needs both parties' columns, the second task (three
// grades) too. Both learn, the tasks are scored one by one, and the centralized reference
// with the same heads runs beside them.

beforeAll(() => useBackend('wasm'));

function parties(count: number): PartyData[] {
  const rng = createRng(11);
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const id = `P${String(i).padStart(4, '0')}`;
    const xa = Float32Array.from({ length: 5 }, () => rng.normal());
    const xb = Float32Array.from({ length: 4 }, () => rng.normal());
    const score = (xa[1] as number) - (xb[2] as number);
    a.push({ id, label: (xa[0] as number) + (xb[0] as number) > 0 ? 1 : 0, tasks: [score < -0.7 ? 0 : score < 0.7 ? 1 : 2], values: xa });
    b.push({ id, label: 0, values: xb });
  }
  return [
    { source: 'A', data: { classes: ['no', 'yes'], tasks: [{ name: 'grade', classes: ['low', 'mid', 'high'] }], sampleShape: [5], samples: a }, features: ['a0', 'a1', 'a2', 'a3', 'a4'], skipped: [] },
    { source: 'B', data: { classes: ['no', 'yes'], sampleShape: [4], samples: b.reverse() }, features: ['b0', 'b1', 'b2', 'b3'], skipped: [] },
  ];
}

const common = { labelHolder: 0, epochs: 4, batch: 16, lr: 0.01, optimizer: 'adam' as const, seed: 2, validationFraction: 0.25, encoding: 'fp32' as const, centralized: true };

describe('npm run sim -- --topology extended|multi-task', () => {
  it('extended vanilla: two parties and an intermediate participant learn what needs both parties’ columns', { timeout: 120_000 }, async () => {
    const result = await runVerticalSim({ ...common, topology: 'extended', parties: parties(600) });
    const losses = result.history.map((epoch) => epoch.trainLoss);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] as number);
    expect(result.split.auc).toBeGreaterThan(0.85);
    expect(result.centralized?.auc).toBeGreaterThan(0.85);
    expect(result.tasks).toBeUndefined();
  });

  it('multi-task: one head per task, each scored on its own, the centralized multi-head model beside it', { timeout: 120_000 }, async () => {
    const result = await runVerticalSim({ ...common, topology: 'multi-task', taskWeights: [1, 0.5], parties: parties(600) });
    expect(result.tasks?.map((task) => [task.name, task.classes, task.weight])).toEqual([
      ['label', ['no', 'yes'], 1],
      ['grade', ['low', 'mid', 'high'], 0.5],
    ]);
    const [diagnosis, grade] = result.tasks ?? [];
    expect(diagnosis?.split).toEqual(result.split);
    expect(diagnosis?.split.auc).toBeGreaterThan(0.85);
    // Three grades: chance is about 1/3 accuracy.
    expect(grade?.split.confusion).toHaveLength(3);
    expect(grade?.split.accuracy).toBeGreaterThan(0.6);
    expect(grade?.centralized?.accuracy).toBeGreaterThan(0.6);
  });

  it('refuses a multi-task study without a second task, and weights that do not match the tasks', async () => {
    const [a, b] = parties(50) as [PartyData, PartyData];
    const single = { ...a, data: { ...a.data, samples: a.data.samples.map(({ tasks: _tasks, ...sample }) => sample) } };
    delete single.data.tasks;
    await expect(runVerticalSim({ ...common, topology: 'multi-task', parties: [single, b] })).rejects.toThrow(/needs a second task/);
    await expect(runVerticalSim({ ...common, topology: 'multi-task', taskWeights: [1], parties: [a, b] })).rejects.toThrow(/gives 1 weights for 2 tasks/);
  });
});
