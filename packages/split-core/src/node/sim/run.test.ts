import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { generateDemoSample } from '../../data/demo';
import { createRng } from '../../data/random';
import { useBackend } from '../../testing/fixtures';
import { parseSimArgs, UsageError, type SimArgs } from './args';
import { runSim, type SimResult } from './run';
import { methodCosts, METHOD_NAMES } from '../../accounting/method_costs';
import { getModelSpec } from '../../model/catalogue';

// The simulator beyond vanilla: the multi-hop study (PAPER.md Fig. 4c), where each hospital's
// data passes two hop participants before the server, on the generated demo data (it learns,
// counts every hop's compute as the participants', and refuses what the chain cannot do); a
// table of patients as data; and the baselines (federated averaging, large-batch SGD) on the
// same shards, with their compute and traffic counted as split learning's are.

beforeAll(() => useBackend('wasm'));

const args = (...argv: string[]): SimArgs => {
  const parsed = parseSimArgs(argv);
  if (!parsed) throw new Error('--help');
  return parsed;
};

describe('npm run sim: multi-hop chains, tables of patients, baselines', () => {
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

  it('runs the baselines on the same shards and scoring: federated averaging and large-batch SGD learn, every client computing the whole model', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sim-baselines-'));
    try {
      const rng = createRng(9);
      const lines = Array.from({ length: 320 }, (_, i) => {
        const x = Array.from({ length: 6 }, () => rng.normal());
        return `P${i},${x.join(',')},${(x[1] ?? 0) + (x[2] ?? 0) > 0 ? 'sick' : 'well'}`;
      });
      const file = path.join(dir, 'patients.csv');
      await writeFile(file, ['patient_id,f1,f2,f3,f4,f5,f6,diagnosis', ...lines].join('\n'));
      const common = ['--data', file, '--model', 'mlp', '--clients', '4', '--epochs', '3', '--lr', '0.01', '--batch', '16'];
      const results = [];
      for (const method of ['fedavg', 'lbsgd', 'splitnn']) {
        const losses: number[] = [];
        const result = await runSim(args(...common, '--method', method), { onEpoch: (epoch) => losses.push(epoch.trainLoss) });
        expect(losses.at(-1), method).toBeLessThan(losses[0] as number);
        expect(result.val.auc, method).toBeGreaterThan(0.85);
        results.push(result);
      }
      const [fedavg, lbsgd, split] = results as [SimResult, SimResult, SimResult];
      expect([fedavg.mode, lbsgd.mode, split.mode]).toEqual(['fedavg', 'lbsgd', 'split']);
      // The whole model on every client: the same client compute for both baselines, more than split learning's share.
      expect(lbsgd.clientFlops).toBe(fedavg.clientFlops);
      expect(fedavg.clientFlops).toBeGreaterThan(split.clientFlops);
      expect(fedavg.serverFlops).toBe(0);
      // FedAvg sends the model once each way per client and round; LB-SGD a gradient (the model's size) and the weights at
      // every step: 256 training rows over 4 clients in batches of 16 are 4 steps each.
      expect(lbsgd.bytesUp).toBe(4 * fedavg.bytesUp);
      expect(lbsgd.bytesDown).toBe(4 * fedavg.bytesDown);
      // The accounting module's costs, from the model and the setting alone, agree with these counters within 5%.
      const costs = methodCosts({ spec: getModelSpec('mlp', { numClasses: 2, inputShape: [6] }), samples: 256, clients: 4, epochs: 1, batchSize: 16 });
      const measured = { splitnn: split, fedavg, lbsgd };
      for (const method of METHOD_NAMES) {
        const run = measured[method];
        expect(costs[method].clientFlops, method).toBeCloseTo(run.clientFlops / 4, 0);
        for (const [predicted, counted] of [[costs[method].bytesUp, run.bytesUp / 4], [costs[method].bytesDown, run.bytesDown / 4]] as const) {
          expect(Math.abs(predicted - counted) / counted, `${method}: predicted ${predicted}, counted ${counted}`).toBeLessThanOrEqual(0.05);
        }
      }
      await expect(Promise.resolve().then(() => args(...common, '--method', 'fedavg', '--topology', 'u-shaped'))).rejects.toThrow(/train the whole model on every client/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('scores label leakage every epoch of a vanilla binary study, and --gradient-noise max-norm lowers the norm attack’s', { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sim-leak-'));
    try {
      // Imbalanced, as in Li et al.: about one patient in six is positive.
      const rng = createRng(5);
      const lines = Array.from({ length: 480 }, (_, i) => {
        const x = Array.from({ length: 6 }, () => rng.normal());
        return `P${i},${x.join(',')},${(x[0] ?? 0) + 0.5 * (x[1] ?? 0) > 1.1 ? 'sick' : 'well'}`;
      });
      const file = path.join(dir, 'patients.csv');
      await writeFile(file, ['patient_id,f1,f2,f3,f4,f5,f6,diagnosis', ...lines].join('\n'));
      const run = async (...extra: string[]) => {
        const leaks: number[] = [];
        await runSim(args('--data', file, '--model', 'mlp', '--clients', '2', '--epochs', '2', '--lr', '0.01', '--seed', '4', ...extra), {
          onEpoch: (epoch) => leaks.push(epoch.leak?.norm ?? Number.NaN),
        });
        return leaks;
      };
      const plain = await run();
      const defended = await run('--gradient-noise', 'max-norm');
      expect(plain).toHaveLength(2);
      expect(plain[0]).toBeGreaterThan(0.75);
      expect(defended[0]).toBeLessThan((plain[0] as number) - 0.15);
      expect(() => args('--data', file, '--gradient-noise', 'laplace')).toThrow(/--gradient-noise laplace: give max-norm or gaussian/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run sim: the default recipe', () => {
  /** A folder per class of 28x28 grey PNGs (demo scenes): image data that is not `--data demo`. */
  async function imageFolders(root: string, split: 'train' | 'val', count: number): Promise<string> {
    const dir = path.join(root, split);
    for (let index = 0; index < count; index++) {
      const sample = generateDemoSample({ seed: 4, split, index });
      const png = new PNG({ width: 28, height: 28 });
      sample.values.forEach((value, i) => png.data.set([Math.round(value * 255), Math.round(value * 255), Math.round(value * 255), 255], i * 4));
      const folder = path.join(dir, sample.label === 0 ? 'normal' : 'nodule');
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, `${index}.png`), PNG.sync.write(png, { colorType: 0 }));
    }
    return dir;
  }

  it('augments an image folder unless told --augment off, and never the generated demo data', { timeout: 300_000 }, async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'sim-recipe-'));
    try {
      const train = await imageFolders(root, 'train', 64);
      const val = await imageFolders(root, 'val', 16);
      const run = async (...extra: string[]): Promise<{ info: string[]; loss: number }> => {
        const info: string[] = [];
        const losses: number[] = [];
        await runSim(args('--data', train, '--val', val, '--clients', '2', '--epochs', '1', '--batch', '16', ...extra), { onInfo: (line) => info.push(line), onEpoch: (epoch) => losses.push(epoch.trainLoss) });
        return { info: info.filter((line) => line.startsWith('augmenting')), loss: losses[0] as number };
      };
      const byDefault = await run();
      expect(byDefault.info).toEqual(['augmenting training images (the default; --augment off for none): shift 0.1, rotation 10 degrees, zoom 0.1, brightness 0.1, contrast 0.1, no flips']);
      const off = await run('--augment', 'off');
      expect(off.info).toEqual([]);
      // Same seed, same shards and batch order: only the augmentation tells the runs apart.
      expect(off.loss).not.toBe(byDefault.loss);
      const on = await run('--augment', 'on');
      expect(on.loss).toBe(byDefault.loss);
      const demo: string[] = [];
      await runSim(args('--data', 'demo', '--clients', '2', '--epochs', '1', '--seed', '2'), { onInfo: (line) => demo.push(line) });
      expect(demo.filter((line) => line.startsWith('augmenting'))).toEqual([]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
