// What each ingredient of the training recipe is worth on real data (not a test: about an
// hour on two cores). PneumoniaMNIST, cnn-small, 4 clients, trained on the official training
// split, in vanilla round-robin and U-shaped SplitFed V2, for several seeds: plain training,
// each ingredient added alone, and all of them. Scored on the official validation split (the
// training sites' own distribution) and on the same images as another site would take them
// (SITE_SHIFT: another exposure, contrast and framing), whose gap to the first is the
// shift's cost. Each run is kept in bench-results/recipe/ as it finishes, so an interrupted
// run resumes where it stopped; reports/recipe.md is written from what is kept.
//
//   npm run bench:recipe [-- --epochs 10 --seeds 1,2,3 --parallel 2 --only baseline,all]
//   npm run bench:recipe -- --report-only      (rewrites reports/recipe.md from the kept runs)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { readImageFolder } from '../src/node/data/image_folder';
import { inverseAffineRow } from '../src/augmentation/augmentation';
import { operatingPoint, ratesAtThreshold, type ThresholdCounts } from '../src/metrics/operating_point';
import { median, sig, spread, table } from './report/markdown';

const root = path.resolve(import.meta.dirname, '../../..');
const dataDir = process.env.SPLIT_DATA_DIR ?? path.resolve(root, '../shared/data');
const pneumonia = path.join(dataDir, 'pneumoniamnist');
const kept = path.join(root, 'bench-results/recipe');

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '10' },
    seeds: { type: 'string', default: '1,2,3' },
    parallel: { type: 'string', default: '2' },
    only: { type: 'string' },
    'report-only': { type: 'boolean' },
  },
});
const epochs = Number(values.epochs);
const seeds = (values.seeds ?? '1,2,3').split(',').map(Number);
const parallel = Number(values.parallel);

/** The ingredients, each as the simulator's flags (augmentation explicitly off where a recipe leaves it out: it is the simulator's default now). */
const RECIPES: Record<string, { flags: string[]; what: string }> = {
  baseline: { flags: ['--augment', 'off'], what: 'Adam 1e-3, constant rate, plain cross-entropy, no augmentation' },
  augment: { flags: ['--augment', 'on'], what: 'augmentation: shift 0.1, rotation 10 degrees, zoom 0.1, brightness 0.1, contrast 0.1, no flips' },
  cosine: { flags: ['--augment', 'off', '--lr-schedule', 'cosine'], what: 'cosine learning-rate decay over the rounds' },
  'weight-decay': { flags: ['--augment', 'off', '--weight-decay', '0.05'], what: 'decoupled weight decay 0.05 (AdamW)' },
  'label-smoothing': { flags: ['--augment', 'off', '--label-smoothing', '0.1'], what: 'label smoothing 0.1' },
  'class-weights': { flags: ['--augment', 'off', '--class-weights', 'balanced'], what: 'balanced class weights' },
  all: { flags: ['--augment', 'on', '--lr-schedule', 'cosine', '--weight-decay', '0.05', '--label-smoothing', '0.1', '--class-weights', 'balanced'], what: 'all of the above' },
  'all-but-class-weights': { flags: ['--augment', 'on', '--lr-schedule', 'cosine', '--weight-decay', '0.05', '--label-smoothing', '0.1'], what: 'all but the class weights (the study\'s threshold handles the imbalance instead)' },
};

const MODES: Record<string, string[]> = {
  'vanilla round-robin': ['--topology', 'vanilla', '--schedule', 'round-robin'],
  'U-shaped SplitFed V2': ['--topology', 'u-shaped', '--schedule', 'splitfed-v2'],
};

/**
 * The other site: its scanner renders darker and flatter (gamma 1.5, contrast x 0.75 about
 * the mean) and frames the chest smaller, turned and off centre (zoom 0.88, 6 degrees, 2
 * pixels right and 1 down). Partly inside what augmentation draws (framing, contrast), partly
 * outside (gamma).
 */
const SITE_SHIFT = { gamma: 1.5, contrast: 0.75, scale: 0.88, angle: (6 * Math.PI) / 180, dx: 2, dy: 1 };

/** The official validation images as the other site would take them, written once as PNGs in the same class folders. */
async function shiftedSite(): Promise<string> {
  const out = path.join(kept, 'shifted-val');
  if (existsSync(path.join(out, 'done'))) return out;
  await tf.setBackend('cpu');
  const { dataset } = await readImageFolder(path.join(pneumonia, 'val'), { sampleShape: [28, 28, 1] });
  const [height, width] = [28, 28];
  const row = inverseAffineRow({ ...SITE_SHIFT, flip: false, brightness: 0, contrast: 1 }, [height, width]);
  for (const sample of dataset.samples) {
    const pixels = tf.tidy(() => {
      const image = tf.tensor4d(sample.values, [1, height, width, 1]);
      const framed = tf.image.transform(image, tf.tensor2d([row], [1, 8]), 'bilinear', 'nearest');
      const exposed = tf.pow(framed, SITE_SHIFT.gamma);
      const mean = tf.mean(exposed);
      return tf.clipByValue(tf.add(tf.mul(tf.sub(exposed, mean), SITE_SHIFT.contrast), mean), 0, 1).dataSync();
    });
    const png = new PNG({ width, height, colorType: 0 });
    for (let i = 0; i < width * height; i++) {
      const value = Math.round((pixels[i] ?? 0) * 255);
      png.data.set([value, value, value, 255], i * 4);
    }
    const file = path.join(out, sample.id);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, PNG.sync.write(png));
  }
  await writeFile(path.join(out, 'done'), `${dataset.samples.length} images\n`);
  return out;
}

interface Metrics {
  accuracy: number;
  auc: number;
  sensitivity: number;
  specificity: number;
  thresholds?: ThresholdCounts;
}
interface Run {
  recipe: string;
  mode: string;
  seed: number;
  epochs: number;
  val: Metrics;
  /** The same images as the other site takes them. */
  shifted: Metrics;
  /** Each epoch's validation AUC: where the best round was. */
  history: { epoch: number; val: Metrics }[];
  seconds: number;
  finishedAt: string;
}

const fileOf = (recipe: string, mode: string, seed: number): string => path.join(kept, `${recipe}--${mode.replace(/\W+/g, '-').toLowerCase()}--seed${seed}.json`);

async function keptRun(recipe: string, mode: string, seed: number): Promise<Run | undefined> {
  try {
    const run = JSON.parse(await readFile(fileOf(recipe, mode, seed), 'utf8')) as Run;
    return run.epochs === epochs ? run : undefined;
  } catch {
    return undefined;
  }
}

function simulate(recipe: string, mode: string, seed: number, shifted: string): Promise<Run> {
  const args = [
    'tsx', 'packages/split-core/src/node/sim/cli.ts',
    '--data', path.join(pneumonia, 'train'), '--val', path.join(pneumonia, 'val'), '--test', shifted,
    '--model', 'cnn-small', '--clients', '4', '--epochs', String(epochs), '--batch', '32', '--lr', '0.001',
    '--seed', String(seed), '--json', ...(MODES[mode] ?? []), ...(RECIPES[recipe]?.flags ?? []),
  ];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npx', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SPLITNN_WASM_THREADS: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${recipe} / ${mode} / seed ${seed} exited with ${code}: ${stderr.slice(-800)}`));
      const result = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { val: Metrics; test: Metrics; history: { epoch: number; val: Metrics }[] };
      resolve({ recipe, mode, seed, epochs, val: result.val, shifted: result.test, history: result.history.map(({ epoch, val }) => ({ epoch, val })), seconds: (performance.now() - started) / 1000, finishedAt: new Date().toISOString() });
    });
  });
}

/** Every run kept so far with this many epochs, whichever invocation ran it: the report covers them all. */
async function allKeptRuns(): Promise<Run[]> {
  const files = (await readdir(kept)).filter((name) => name.endsWith('.json'));
  const runs = await Promise.all(files.map(async (name) => JSON.parse(await readFile(path.join(kept, name), 'utf8')) as Run));
  return runs.filter((run) => run.epochs === epochs && run.recipe in RECIPES);
}

function report(runs: readonly Run[]): string {
  const of = (recipe: string, mode: string): Run[] => runs.filter((run) => run.recipe === recipe && run.mode === mode);
  const recipes = Object.keys(RECIPES).filter((recipe) => Object.keys(MODES).some((mode) => of(recipe, mode).length > 0));
  const balanced = (m: Metrics): number => (m.sensitivity + m.specificity) / 2;
  // The study's threshold, chosen on validation (best balanced accuracy), and what it gives there and at the other site.
  const atThreshold = (run: Run, on: Metrics): { balanced: number } | undefined => {
    const point = run.val.thresholds ? operatingPoint(run.val.thresholds) : undefined;
    return point && on.thresholds ? { balanced: ratesAtThreshold(on.thresholds, point.threshold).balancedAccuracy } : undefined;
  };
  const spreadOf = (values: (number | undefined)[]): string => {
    const known = values.filter((value): value is number => value !== undefined);
    return known.length ? spread(known) : '-';
  };
  const best = (run: Run): number => Math.max(...run.history.map((epoch) => epoch.val.auc));
  const rows = recipes.flatMap((recipe) =>
    Object.keys(MODES).map((mode) => {
      const own = of(recipe, mode);
      if (own.length === 0) return [recipe, mode, '-', '-', '-', '-', '-', '-', '-', '-', '-'];
      return [
        recipe,
        mode,
        String(own.length),
        spread(own.map((run) => run.val.auc)),
        spread(own.map((run) => run.val.accuracy)),
        spread(own.map((run) => balanced(run.val))),
        spreadOf(own.map((run) => atThreshold(run, run.val)?.balanced)),
        spread(own.map(best)),
        spread(own.map((run) => run.shifted.auc)),
        spread(own.map((run) => run.shifted.accuracy)),
        spreadOf(own.map((run) => atThreshold(run, run.shifted)?.balanced)),
      ];
    }),
  );
  // The gap between the modes: vanilla minus U-shaped, seed by seed.
  const [vanillaMode, uMode] = Object.keys(MODES) as [string, string];
  const allSeeds = [...new Set(runs.map((run) => run.seed))].sort((a, b) => a - b);
  const gaps = recipes.map((recipe) => {
    const pairs = allSeeds.flatMap((seed) => {
      const a = of(recipe, vanillaMode).find((run) => run.seed === seed);
      const b = of(recipe, uMode).find((run) => run.seed === seed);
      return a && b ? [{ auc: a.val.auc - b.val.auc, accuracy: a.val.accuracy - b.val.accuracy }] : [];
    });
    // The other site's cost: validation minus other-site figures, run by run, in each mode.
    const siteGap = (mode: string): string => {
      const own = of(recipe, mode);
      return own.length ? `${sig(median(own.map((run) => run.val.auc - run.shifted.auc)), 2)} / ${sig(median(own.map((run) => run.val.accuracy - run.shifted.accuracy)), 2)}` : '-';
    };
    return [recipe, String(pairs.length), pairs.length ? sig(median(pairs.map((p) => p.auc)), 2) : '-', pairs.length ? sig(median(pairs.map((p) => p.accuracy)), 2) : '-', siteGap(vanillaMode), siteGap(uMode)];
  });
  const finished = runs.map((run) => run.finishedAt).sort();
  return [
    '# The training recipe on PneumoniaMNIST',
    '',
    `\`npm run bench:recipe\`: cnn-small, 4 clients (IID shards of the official training split, 4708 images), ${epochs} rounds, batch 32, Adam 1e-3, scored after the last round on the official validation split (524 images: 135 normal, 389 pneumonia) and on the same images as another site takes them (gamma ${SITE_SHIFT.gamma}, contrast x ${SITE_SHIFT.contrast}, zoom ${SITE_SHIFT.scale}, turned 6 degrees, off centre by 2 and 1 pixels); seeds ${allSeeds.join(', ')} (the column says how many each row has); each cell is the median over the seeds run (min-max). Runs finished between ${finished[0] ?? '?'} and ${finished[finished.length - 1] ?? '?'} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}).`,
    '',
    '## Recipes',
    '',
    table(['recipe', 'what it adds'], Object.entries(RECIPES).map(([name, recipe]) => [name, recipe.what])),
    '',
    '## Validation after the last round',
    '',
    'Accuracy and balanced accuracy at 0.5, and balanced accuracy at the study\'s threshold (chosen on this validation, best balanced accuracy, as the relay chooses it); the other site is scored at 0.5 and at that same threshold.',
    '',
    table(['recipe', 'mode', 'seeds', 'AUC', 'accuracy (0.5)', 'balanced accuracy (0.5)', 'balanced accuracy (threshold)', 'best round\'s AUC', 'other site: AUC', 'other site: accuracy (0.5)', 'other site: balanced accuracy (threshold)'], rows),
    '',
    '## Gaps (medians over seeds)',
    '',
    'Between the modes: vanilla minus U-shaped, seed by seed, on the validation split. The other site\'s cost: validation minus other site, AUC / accuracy, in each mode.',
    '',
    table(['recipe', 'seeds', 'modes: AUC gap', 'modes: accuracy gap', 'other site\'s cost, vanilla', 'other site\'s cost, U-shaped'], gaps),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  if (!existsSync(pneumonia)) {
    console.error(`skipped: ${pneumonia} not found (set SPLIT_DATA_DIR to the shared data folder)`);
    process.exitCode = 1;
    return;
  }
  await mkdir(kept, { recursive: true });
  const shifted = await shiftedSite();
  const chosen = values['report-only'] ? [] : values.only ? values.only.split(',') : Object.keys(RECIPES);
  const unknown = chosen.filter((name) => !(name in RECIPES));
  if (unknown.length > 0) throw new Error(`--only ${unknown.join(',')}: the recipes are ${Object.keys(RECIPES).join(', ')}`);
  const jobs = chosen.flatMap((recipe) => seeds.flatMap((seed) => Object.keys(MODES).map((mode) => ({ recipe, mode, seed }))));
  const runs: Run[] = [];
  const todo: typeof jobs = [];
  for (const job of jobs) {
    const run = await keptRun(job.recipe, job.mode, job.seed);
    if (run) runs.push(run);
    else todo.push(job);
  }
  console.error(`${runs.length} of ${jobs.length} runs kept from before; ${todo.length} to go, ${parallel} at a time`);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const job = todo[next++] as (typeof todo)[number];
      const run = await simulate(job.recipe, job.mode, job.seed, shifted);
      await writeFile(fileOf(job.recipe, job.mode, job.seed), JSON.stringify(run, null, 2));
      runs.push(run);
      console.error(`[${runs.length}/${jobs.length}] ${job.recipe} / ${job.mode} / seed ${job.seed}: AUC ${run.val.auc.toFixed(4)}, accuracy ${run.val.accuracy.toFixed(4)}; other site AUC ${run.shifted.auc.toFixed(4)}, accuracy ${run.shifted.accuracy.toFixed(4)} (${run.seconds.toFixed(0)} s)`);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  const markdown = report(await allKeptRuns());
  await mkdir(path.join(root, 'reports'), { recursive: true });
  await writeFile(path.join(root, 'reports/recipe.md'), markdown);
  console.log(markdown);
}

await main();
