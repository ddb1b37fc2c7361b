// Acceptance benchmark for the engine issue (not a test: it takes tens of minutes).
// Runs `npm run sim` on PneumoniaMNIST (train -> val) with cnn-small, 4 clients, vanilla,
// 10 epochs, for three seeds, in three modes: split round-robin, split SplitFed V2, and the
// centralized reference; reports final-epoch val accuracy and AUC (median of the seeds) and
// samples per second of split vs centralized measured in the same run.
//
//   npx tsx packages/split-core/bench/pneumonia_acceptance.ts [--epochs 10] [--parallel 2]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface Metrics {
  accuracy: number;
  auc: number;
}
interface SimJson {
  val: Metrics;
  samplesPerSecond: number;
  bytesUp: number;
  bytesDown: number;
  clientFlops: number;
  serverFlops: number;
}

const root = path.resolve(import.meta.dirname, '../../..');
const dataDir = process.env.SPLIT_DATA_DIR ?? path.resolve(root, '../shared/data');
const pneumonia = path.join(dataDir, 'pneumoniamnist');

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '10' }, parallel: { type: 'string', default: '2' }, seeds: { type: 'string', default: '1,2,3' } } });
const epochs = Number(values.epochs);
const parallel = Number(values.parallel);
const seeds = (values.seeds ?? '1,2,3').split(',').map(Number);

const modes: Record<string, string[]> = {
  'round-robin': ['--schedule', 'round-robin'],
  'splitfed-v2': ['--schedule', 'splitfed-v2'],
  centralized: ['--centralized'],
};

function runSim(extra: string[], seed: number): Promise<SimJson> {
  const args = [
    'tsx', 'packages/split-core/src/node/sim/cli.ts',
    '--data', path.join(pneumonia, 'train'), '--val', path.join(pneumonia, 'val'),
    '--model', 'cnn-small', '--topology', 'vanilla', '--clients', '4', '--epochs', String(epochs),
    // Plain training, as its report was measured (reports/recipe.md measures the augmented default).
    '--batch', '32', '--lr', '0.001', '--augment', 'off', '--seed', String(seed), '--json', ...extra,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('npx', args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`sim exited with ${code}`));
      resolve(JSON.parse(last) as SimJson);
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

async function main(): Promise<void> {
  if (!existsSync(pneumonia)) {
    console.error(`skipped: ${pneumonia} not found (set SPLIT_DATA_DIR to the shared data folder)`);
    return;
  }
  const jobs = seeds.flatMap((seed) => Object.keys(modes).map((mode) => ({ mode, seed })));
  const results: { mode: string; seed: number; result: SimJson }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++] as { mode: string; seed: number };
      const result = await runSim(modes[job.mode] ?? [], job.seed);
      console.error(`${job.mode} seed ${job.seed}: val acc ${result.val.accuracy.toFixed(4)} auc ${result.val.auc.toFixed(4)} ${result.samplesPerSecond.toFixed(0)} samples/s`);
      results.push({ ...job, result });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  const summary: Record<string, unknown> = { epochs, seeds, parallel };
  console.log(`\nPneumoniaMNIST val, cnn-small, 4 clients, vanilla, ${epochs} epochs, seeds ${seeds.join(',')} (median)`);
  console.log('mode           accuracy   AUC      samples/s   (per seed: acc / auc)');
  for (const mode of Object.keys(modes)) {
    const rows = results.filter((r) => r.mode === mode).sort((a, b) => a.seed - b.seed);
    const acc = median(rows.map((r) => r.result.val.accuracy));
    const auc = median(rows.map((r) => r.result.val.auc));
    const sps = median(rows.map((r) => r.result.samplesPerSecond));
    summary[mode] = { accuracy: acc, auc, samplesPerSecond: sps, perSeed: rows.map((r) => ({ seed: r.seed, ...r.result.val, samplesPerSecond: r.result.samplesPerSecond, bytesUp: r.result.bytesUp, bytesDown: r.result.bytesDown, clientFlops: r.result.clientFlops, serverFlops: r.result.serverFlops })) };
    console.log(`${mode.padEnd(14)} ${acc.toFixed(4)}     ${auc.toFixed(4)}   ${sps.toFixed(0).padStart(8)}    ${rows.map((r) => `${r.result.val.accuracy.toFixed(3)}/${r.result.val.auc.toFixed(3)}`).join('  ')}`);
  }
  mkdirSync(path.join(root, 'bench-results'), { recursive: true });
  writeFileSync(path.join(root, 'bench-results', 'pneumonia-acceptance.json'), JSON.stringify(summary, null, 2));
}

await main();
