import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../data/random';
import { useBackend } from '../../testing/fixtures';
import { parseSimArgs, UsageError, type SimArgs } from './args';
import { runSim } from './run';

// The simulator's multi-hop study (PAPER.md Fig. 4c): each hospital's data passes two hop
// participants before the server, on the generated demo data. It learns, it counts every
// hop's compute as the participants', and it refuses what the chain cannot do.

beforeAll(() => useBackend('wasm'));

const args = (...argv: string[]): SimArgs => {
  const parsed = parseSimArgs(argv);
  if (!parsed) throw new Error('--help');
  return parsed;
};

describe('npm run sim -- --topology multi-hop', () => {
  it('trains a chain of the hospital and two hops before the server, on the model’s default cuts', { timeout: 300_000 }, async () => {
    const losses: number[] = [];
    const result = await runSim(args('--data', 'demo', '--topology', 'multi-hop', '--clients', '2', '--epochs', '2', '--seed', '3'), { onEpoch: (epoch) => losses.push(epoch.trainLoss) });
    expect(result.topology).toBe('multi-hop');
    expect(result.cuts).toEqual(['pool1', 'pool2', 'dense1']);
    expect(losses[1]).toBeLessThan(losses[0] as number);
    // The demo task is easy; chance is 0.5.
    expect(result.val.accuracy).toBeGreaterThan(0.7);
    // The participants (hospital and hops) run all but the logits layer.
    expect(result.clientFlops).toBeGreaterThan(100 * result.serverFlops);
  });

  it('refuses a schedule the shared hops cannot follow, and a chain without a hop', async () => {
    expect(() => args('--data', 'demo', '--topology', 'multi-hop', '--schedule', 'splitfed-v2')).toThrow(UsageError);
    expect(() => args('--data', 'demo', '--topology', 'multi-hop', '--schedule', 'splitfed-v2')).toThrow(/multi-hop runs round-robin/);
    await expect(runSim(args('--data', 'demo', '--topology', 'multi-hop', '--cut', 'pool1', '--epochs', '1'))).rejects.toThrow(/at least two participants before the server/);
  });

  it('takes a table of patients for mlp: a chain over rows, the table’s own validation share', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sim-table-'));
    try {
      const rng = createRng(8);
      const lines = Array.from({ length: 300 }, (_, i) => {
        const x = Array.from({ length: 6 }, () => rng.normal());
        return `P${i},${x.join(',')},${(x[0] ?? 0) - (x[3] ?? 0) > 0 ? 'sick' : 'well'}`;
      });
      const file = path.join(dir, 'patients.csv');
      await writeFile(file, ['patient_id,f1,f2,f3,f4,f5,f6,diagnosis', ...lines].join('\n'));
      const losses: number[] = [];
      const result = await runSim(args('--data', file, '--model', 'mlp', '--topology', 'multi-hop', '--clients', '2', '--epochs', '4', '--lr', '0.01'), { onEpoch: (epoch) => losses.push(epoch.trainLoss) });
      expect(result.classes).toEqual(['sick', 'well']);
      expect(result.cuts).toEqual(['dense1', 'dense2']);
      expect(result.val.count).toBe(60);
      expect(losses.at(-1)).toBeLessThan(losses[0] as number);
      expect(result.val.auc).toBeGreaterThan(0.85);
      await expect(runSim(args('--data', file, '--model', 'cnn-small', '--epochs', '1'))).rejects.toThrow(/is a table: use --model mlp/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
