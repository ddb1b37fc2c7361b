// Validation figures of the paper's remaining configurations (PAPER.md Fig. 4: extended
// vanilla, multi-task, multi-hop) on the generated demo data and on the breast-cancer table,
// each beside the centralized reference trained on the same rows (not a test: minutes).
// Runs the simulator's own functions in this process, one seed per run, and writes
// bench-results/configurations.md.
//
//   npx tsx packages/split-core/bench/configurations.ts [--seeds 1,2,3]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../src/backends/select';
import type { ClassificationMetrics } from '../src/metrics/classification';
import { parseSimArgs } from '../src/node/sim/args';
import { runSim } from '../src/node/sim/run';
import { runVerticalSim, type VerticalSimOptions } from '../src/node/sim/vertical';
import { breastCancerParties, demoHalvesParties, BREAST_CANCER_FILE } from '../src/node/vertical/party_data';

const root = path.resolve(import.meta.dirname, '../../..');
const dataDir = process.env.SPLIT_DATA_DIR ?? path.resolve(root, '../shared/data');
const { values } = parseArgs({ options: { seeds: { type: 'string', default: '1,2,3' } } });
const seeds = (values.seeds ?? '1').split(',').map(Number);

interface Row {
  data: string;
  configuration: string;
  task: string;
  seed: number;
  split: ClassificationMetrics;
  centralized: ClassificationMetrics | undefined;
}
const rows: Row[] = [];

function sim(argv: string[]) {
  const parsed = parseSimArgs(argv);
  if (!parsed) throw new Error('--help');
  return parsed;
}

async function multiHop(data: string, argv: string[], seed: number): Promise<void> {
  const common = [...argv, '--seed', String(seed)];
  const split = await runSim(sim([...common, '--topology', 'multi-hop']));
  const centralized = await runSim(sim([...common, '--centralized']));
  rows.push({ data, configuration: `multi-hop (${split.cuts.join(', ')})`, task: split.classes.join('/'), seed, split: split.val, centralized: centralized.val });
}

async function parties(data: string, topology: 'extended' | 'multi-task', options: Omit<VerticalSimOptions, 'topology' | 'seed'>, seed: number): Promise<void> {
  const result = await runVerticalSim({ ...options, topology, seed });
  if (result.tasks) {
    for (const task of result.tasks) rows.push({ data, configuration: `${topology} (weight ${task.weight})`, task: `${task.name}: ${task.classes.join('/')}`, seed, split: task.split, centralized: task.centralized });
  } else rows.push({ data, configuration: topology, task: 'diagnosis', seed, split: result.split, centralized: result.centralized });
}

await initBackend('wasm');
const breastCancer = path.join(dataDir, BREAST_CANCER_FILE);
const haveTable = existsSync(breastCancer);
if (!haveTable) process.stderr.write(`${breastCancer} is absent: the breast-cancer rows are skipped (set SPLIT_DATA_DIR)\n`);
const common = { labelHolder: 0 as const, labelColumn: 'diagnosis', optimizer: 'adam' as const, validationFraction: 0.2, encoding: 'fp32' as const, centralized: true };
for (const seed of seeds) {
  process.stderr.write(`seed ${seed}\n`);
  await multiHop('demo', ['--data', 'demo', '--clients', '2', '--epochs', '3'], seed);
  await parties('demo (left/right halves)', 'extended', { ...common, parties: demoHalvesParties(), epochs: 3, batch: 32, lr: 0.001 }, seed);
  await parties('demo (left/right halves)', 'multi-task', { ...common, parties: demoHalvesParties(), taskWeights: [1, 0.5], epochs: 3, batch: 32, lr: 0.001 }, seed);
  if (!haveTable) continue;
  await multiHop('breast-cancer (one table per hospital)', ['--data', breastCancer, '--model', 'mlp', '--clients', '2', '--epochs', '10', '--lr', '0.003'], seed);
  await parties('breast-cancer (mean_* / *_error and worst_*)', 'extended', { ...common, parties: await breastCancerParties(dataDir, 1, seed), epochs: 10, batch: 32, lr: 0.003 }, seed);
  await parties('breast-cancer (mean_* / *_error and worst_*)', 'multi-task', { ...common, parties: await breastCancerParties(dataDir, 1, seed, { textureTask: true }), epochs: 10, batch: 32, lr: 0.003 }, seed);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
const groups = new Map<string, Row[]>();
for (const row of rows) {
  const key = `${row.data}|${row.configuration}|${row.task}`;
  groups.set(key, [...(groups.get(key) ?? []), row]);
}
const lines = [
  '# The paper\'s remaining configurations: validation figures',
  '',
  `Medians over seeds ${seeds.join(', ')} (min-max in brackets); each split figure beside the centralized model trained on the same rows with the same heads.`,
  'Demo: cnn-small (multi-hop), cnn-party halves (extended, multi-task), 3 epochs, Adam 1e-3, batch 32. Breast-cancer: mlp (multi-hop), mlp-party (extended, multi-task), 10 epochs, Adam 3e-3, batch 32.',
  'Multi-task rows are one per task (its weight in the loss); the centralized model has the same task heads.',
  '',
  '| data | configuration | task | split accuracy | split AUC | centralized accuracy | centralized AUC |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];
for (const group of groups.values()) {
  const [first] = group;
  if (!first) continue;
  const stat = (pick: (row: Row) => number | undefined, format: (value: number) => string): string => {
    const values = group.map(pick).filter((value): value is number => value !== undefined && Number.isFinite(value));
    return values.length === 0 ? 'n/a' : `${format(median(values))} [${format(Math.min(...values))}-${format(Math.max(...values))}]`;
  };
  lines.push(`| ${first.data} | ${first.configuration} | ${first.task} | ${stat((row) => row.split.accuracy, percent)} | ${stat((row) => row.split.auc, (v) => v.toFixed(4))} | ${stat((row) => row.centralized?.accuracy, percent)} | ${stat((row) => row.centralized?.auc, (v) => v.toFixed(4))} |`);
}
const out = path.join(root, 'bench-results');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'configurations.md'), `${lines.join('\n')}\n`);
process.stdout.write(`${lines.join('\n')}\n`);
