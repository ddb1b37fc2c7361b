// `npm run bench:privacy`: what each privacy setting costs and buys on PneumoniaMNIST
// (issue 13), written to reports/privacy.md with reconstruction strips in
// reports/figures/privacy/. Each row is one seeded in-process study (cnn-small, cut after
// pool1, round-robin, fp32 on the wire) trained with one setting, then attacked:
//   - accuracy and AUC on the validation split;
//   - distance correlation between images and the activations as sent, on the validation half
//     the attacker never holds;
//   - the label-leak AUCs the relay computes from its cut gradients (norm and direction
//     attacks, Li et al. 2022) in the first and the last epoch;
//   - an inversion attack: a decoder trained on the other half of the validation split (the
//     attacker's images and the client segment's output for them, with the setting's noise)
//     rebuilds the first half's images from their activations; mean SSIM.
// Rows run as child processes, two at a time (one wasm thread each on these 2-core machines).
//
// Each row's result is kept in bench-results/privacy/; --reuse takes a kept row measured with
// the same epochs, clients and seed instead of running it again (for adding rows to a report).
//
//   npx tsx packages/split-core/bench/privacy.ts [--epochs 3] [--clients 2] [--seed 1] [--parallel 2] [--rows none,no-peek-0.5] [--reuse]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { initBackend } from '../src/backends';
import { batchToTensors } from '../src/data/batches';
import type { Dataset, Sample } from '../src/data/dataset';
import { createRng, deriveSeed, shuffled } from '../src/data/random';
import { shardIid } from '../src/data/shard';
import { getModelSpec } from '../src/model/catalogue';
import { readImageFolder } from '../src/node/data/image_folder';
import { protectActivations, type ActivationNoise } from '../src/privacy/activation_noise';
import { distanceCorrelation } from '../src/privacy/distance_correlation';
import type { GradientNoise } from '../src/privacy/gradient_noise';
import { invert, trainInversion } from '../src/privacy/inversion';
import { RoundRobinSchedule } from '../src/schedule/round_robin';
import { forward } from '../src/segment/segment';
import { horizontalRolePlans } from '../src/topology/role_plans';
import { planSplit } from '../src/topology/split_plan';
import { uShaped } from '../src/topology/u_shaped';
import { vanilla } from '../src/topology/vanilla';
import { Simulation } from '../src/training/simulation';
import { machineFacts, machineSection } from './report/machine';
import { sig, table } from './report/markdown';

interface Setting {
  name: string;
  title: string;
  topology: 'vanilla' | 'u-shaped';
  /** A vanilla cut other than the model's default (pool1). */
  cut?: string;
  noPeek?: number;
  activationNoise?: ActivationNoise;
  gradientNoise?: GradientNoise;
}

// Activation noise: cnn-small's pool1 output is 14x14x32 = 6272 values per image; clipped to
// an L2 norm of 10, each value's root mean square is at most 0.126, against which sigma is set.
const SETTINGS: Setting[] = [
  { name: 'none', title: 'no defence', topology: 'vanilla' },
  { name: 'no-peek-0.1', title: 'NoPeek, weight 0.1', topology: 'vanilla', noPeek: 0.1 },
  { name: 'no-peek-0.5', title: 'NoPeek, weight 0.5', topology: 'vanilla', noPeek: 0.5 },
  { name: 'no-peek-2', title: 'NoPeek, weight 2', topology: 'vanilla', noPeek: 2 },
  { name: 'no-peek-10', title: 'NoPeek, weight 10', topology: 'vanilla', noPeek: 10 },
  { name: 'no-peek-50', title: 'NoPeek, weight 50', topology: 'vanilla', noPeek: 50 },
  { name: 'act-noise-0.05', title: 'activation noise, clip 10, sigma 0.05', topology: 'vanilla', activationNoise: { clip: 10, sigma: 0.05 } },
  { name: 'act-noise-0.1', title: 'activation noise, clip 10, sigma 0.1', topology: 'vanilla', activationNoise: { clip: 10, sigma: 0.1 } },
  { name: 'act-noise-0.25', title: 'activation noise, clip 10, sigma 0.25', topology: 'vanilla', activationNoise: { clip: 10, sigma: 0.25 } },
  { name: 'grad-max-norm', title: 'gradient noise, max-norm', topology: 'vanilla', gradientNoise: { kind: 'max-norm', scale: 1 } },
  { name: 'grad-gaussian', title: 'gradient noise, Gaussian, scale 1', topology: 'vanilla', gradientNoise: { kind: 'gaussian', scale: 1 } },
  { name: 'u-shaped', title: 'U-shaped (labels stay on the device)', topology: 'u-shaped' },
  // NoPeek where the client segment has more to train: two convolutions and two pools (7x7x64).
  { name: 'pool2-none', title: 'cut after pool2, no defence', topology: 'vanilla', cut: 'pool2' },
  { name: 'pool2-no-peek-2', title: 'cut after pool2, NoPeek weight 2', topology: 'vanilla', cut: 'pool2', noPeek: 2 },
  { name: 'pool2-no-peek-10', title: 'cut after pool2, NoPeek weight 10', topology: 'vanilla', cut: 'pool2', noPeek: 10 },
];

interface Leak {
  norm: number;
  direction: number;
}

interface RowResult {
  name: string;
  accuracy: number;
  auc: number;
  dcor: number;
  ssim: number;
  leakFirst?: Leak;
  leakLast?: Leak;
  seconds: number;
  /** When the row finished (ISO time). */
  finishedAt?: string;
  /** The first reconstructions, [count][pixels] in [0, 1]. */
  reconstructions: number[][];
  originals: number[][];
}

const root = path.resolve(import.meta.dirname, '../../..');
const dataDir = process.env.SPLIT_DATA_DIR ?? path.resolve(root, '../shared/data');
const pneumonia = path.join(dataDir, 'pneumoniamnist');
const SHAPE = [28, 28, 1];
const STRIP = 8;

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    clients: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    parallel: { type: 'string', default: '2' },
    rows: { type: 'string' },
    row: { type: 'string' },
    reuse: { type: 'boolean', default: false },
  },
});
const epochs = Number(values.epochs);
const clients = Number(values.clients);
const seed = Number(values.seed);

async function loadSplit(name: 'train' | 'val'): Promise<Dataset> {
  const { dataset } = await readImageFolder(path.join(pneumonia, name), { sampleShape: SHAPE as [number, number, number], classes: ['normal', 'pneumonia'] });
  return dataset;
}

/** Batches of `samples` as image tensors, each passed to `each` and disposed after. */
async function inBatches<T>(samples: readonly Sample[], size: number, each: (x: tf.Tensor4D) => Promise<T> | T): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < samples.length; start += size) {
    const batch = batchToTensors(samples.slice(start, start + size), SHAPE, 2);
    try {
      results.push(await each(batch.x as tf.Tensor4D));
    } finally {
      tf.dispose([batch.x, batch.labels]);
    }
  }
  return results;
}

async function runRow(setting: Setting): Promise<RowResult> {
  const started = performance.now();
  await initBackend('wasm');
  const [train, val] = await Promise.all([loadSplit('train'), loadSplit('val')]);
  // The attacker's images: half the validation split, seeded; the other half is what it attacks.
  const mixed = shuffled(val.samples, createRng(deriveSeed(seed, 'privacy-attacker')));
  const attackerHalf = mixed.slice(0, Math.floor(mixed.length / 2));
  const victimHalf = mixed.slice(attackerHalf.length);
  const spec = getModelSpec('cnn-small', { numClasses: 2, inputShape: SHAPE });
  const shards = shardIid(train.samples, clients, createRng(deriveSeed(seed, 'shards')));
  const simulation = new Simulation({
    plans: horizontalRolePlans(planSplit(spec, setting.topology === 'u-shaped' ? uShaped : vanilla, setting.cut ? [setting.cut] : undefined)),
    schedule: new RoundRobinSchedule(),
    optimizer: { name: 'adam', learningRate: 0.001 },
    batchSize: 32,
    seed,
    encoding: 'fp32',
    clients: shards.map((samples, k) => ({ id: `hospital-${k + 1}`, data: { ...train, samples } })),
    ...(setting.noPeek ? { noPeek: setting.noPeek } : {}),
    ...(setting.activationNoise ? { activationNoise: setting.activationNoise } : {}),
    ...(setting.gradientNoise ? { gradientNoise: setting.gradientNoise } : {}),
  });
  try {
    const leaks: Leak[] = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      const report = await simulation.runEpoch();
      if (report.leak) leaks.push({ norm: report.leak.norm, direction: report.leak.direction });
      process.stderr.write(`${setting.name}: epoch ${epoch + 1}/${epochs} loss ${report.trainLoss.toFixed(4)}${report.leak ? ` leak norm ${report.leak.norm.toFixed(3)} direction ${report.leak.direction.toFixed(3)}` : ''}\n`);
    }
    const metrics = await simulation.evaluate(val);
    const [bottom] = simulation.roles.client.segments;
    if (!bottom) throw new Error('the client holds no segment');
    // What leaves the device: the segment's output with the study's activation noise.
    const sent = (x: tf.Tensor4D): tf.Tensor => tf.tidy(() => {
      const activations = forward(bottom, x);
      return protectActivations(activations, setting.activationNoise);
    });
    const dcors = await inBatches(victimHalf, 128, (x) => {
      const z = sent(x);
      const score = distanceCorrelation(x, z);
      const value = score.dataSync()[0] as number;
      tf.dispose([z, score]);
      return { value, count: x.shape[0] };
    });
    const dcor = dcors.reduce((sum, d) => sum + d.value * d.count, 0) / dcors.reduce((sum, d) => sum + d.count, 0);
    // The attacker's pairs, then its reconstructions of the victims' images.
    const attacker = batchToTensors(attackerHalf, SHAPE, 2);
    const victims = batchToTensors(victimHalf, SHAPE, 2);
    const pairs = sent(attacker.x as tf.Tensor4D);
    const observed = sent(victims.x as tf.Tensor4D);
    const decoder = await trainInversion(pairs, attacker.x as tf.Tensor4D, { seed: deriveSeed(seed, 'inversion'), epochs: 40 });
    const { ssim, reconstructions } = invert(decoder, observed, victims.x as tf.Tensor4D);
    const strip = (t: tf.Tensor): number[][] => {
      const rows = t.slice(0, STRIP).reshape([Math.min(STRIP, t.shape[0] ?? 0), -1]).arraySync() as number[][];
      return rows;
    };
    const result: RowResult = {
      name: setting.name,
      accuracy: metrics.accuracy,
      auc: metrics.auc,
      dcor,
      ssim,
      ...(leaks[0] ? { leakFirst: leaks[0] } : {}),
      ...(leaks.length > 0 ? { leakLast: leaks[leaks.length - 1] } : {}),
      seconds: (performance.now() - started) / 1000,
      reconstructions: strip(reconstructions),
      originals: strip(victims.x),
    };
    decoder.dispose();
    tf.dispose([attacker.x, attacker.labels, victims.x, victims.labels, pairs, observed, reconstructions]);
    return result;
  } finally {
    simulation.dispose();
  }
}

/** One strip of grey images side by side, each scaled up 3x, as a PNG. */
async function writeStrip(file: string, images: number[][]): Promise<void> {
  const [height, width] = SHAPE as [number, number];
  const zoom = 3;
  const gap = 2;
  const png = new PNG({ width: images.length * (width * zoom + gap) - gap, height: height * zoom });
  png.data.fill(255);
  images.forEach((pixels, n) => {
    for (let y = 0; y < height * zoom; y++) {
      for (let x = 0; x < width * zoom; x++) {
        const value = Math.round(255 * Math.min(1, Math.max(0, pixels[Math.floor(y / zoom) * width + Math.floor(x / zoom)] ?? 0)));
        const at = (y * png.width + n * (width * zoom + gap) + x) * 4;
        png.data[at] = value;
        png.data[at + 1] = value;
        png.data[at + 2] = value;
        png.data[at + 3] = 255;
      }
    }
  });
  await writeFile(file, PNG.sync.write(png));
}

function runChild(name: string): Promise<RowResult> {
  const args = ['tsx', path.relative(root, import.meta.filename), '--row', name, '--epochs', String(epochs), '--clients', String(clients), '--seed', String(seed)];
  return new Promise((resolve, reject) => {
    const child = spawn('npx', args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`row ${name} exited with ${code}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as RowResult);
    });
  });
}

/** Where each row's result is kept, with what it was measured with. */
const keptRows = path.join(root, 'bench-results/privacy');

async function keptRow(name: string): Promise<RowResult | undefined> {
  try {
    const file = path.join(keptRows, `${name}.json`);
    const kept = JSON.parse(await readFile(file, 'utf8')) as { epochs: number; clients: number; seed: number; result: RowResult };
    if (kept.epochs !== epochs || kept.clients !== clients || kept.seed !== seed) return undefined;
    // When it was measured: the file was written as the row finished.
    const finished = (await stat(file)).mtime;
    return { ...kept.result, finishedAt: finished.toISOString() };
  } catch {
    return undefined;
  }
}

/** When the rows finished, first to last, from their kept times. */
function rowSpan(rows: readonly RowResult[]): string {
  const times = rows.flatMap((row) => (row.finishedAt ? [row.finishedAt] : [])).sort();
  return times.length > 0 ? `${times[0]} and ${times[times.length - 1]}` : 'times unknown';
}

const leakText = (leak: Leak | undefined): string => (leak ? `${sig(leak.norm)} / ${sig(leak.direction)}` : 'none: labels stay on the devices');

/**
 * The default to recommend, from the rows: among the vanilla rows that cost at most 0.01 of
 * the undefended AUC, the one whose activations are hardest to invert (lowest SSIM); and
 * U-shaped where labels must not be learnt from gradients.
 */
function recommend(rows: readonly RowResult[]): string[] {
  const none = rows.find((row) => row.name === 'none');
  if (!none) return ['(the undefended row did not run: no recommendation)'];
  // Settings of a study at the model's default cut (a deeper cut is a choice of model split, with its own client cost).
  const affordable = rows.filter((row) => row.name !== 'u-shaped' && !SETTINGS.find((s) => s.name === row.name)?.cut && row.auc >= none.auc - 0.01);
  const best = [...affordable].sort((a, b) => a.ssim - b.ssim)[0] ?? none;
  const title = SETTINGS.find((s) => s.name === best.name)?.title ?? best.name;
  const lines = [
    `- **Activations:** ${best.name === 'none' ? 'no defence costs 0.01 AUC or less while lowering reconstruction similarity; keep the default off' : `**${title}**: the lowest reconstruction SSIM (${sig(best.ssim)} against ${sig(none.ssim)} undefended) among the settings that cost at most 0.01 AUC (${sig(best.auc)} against ${sig(none.auc)})`}.`,
  ];
  const deeper = rows.filter((row) => SETTINGS.find((s) => s.name === row.name)?.cut && row.auc >= none.auc - 0.01).sort((a, b) => a.ssim - b.ssim)[0];
  if (deeper && deeper.ssim < best.ssim + 0.05) lines.push(`- **Or a deeper cut:** ${titleOf(deeper)} reaches SSIM ${sig(deeper.ssim)} at AUC ${sig(deeper.auc)}, without noise, for more layers on each device (a study's cut, not a default).`);
  const uShaped = rows.find((row) => row.name === 'u-shaped');
  const gradient = rows.filter((row) => row.name.startsWith('grad-') && row.leakFirst).sort((a, b) => worstLeak(a) - worstLeak(b))[0];
  if (uShaped) lines.push(`- **Labels:** U-shaped wherever the labels are sensitive: the relay gets no gradient-label pairing at all (AUC ${sig(uShaped.auc)} against ${sig(none.auc)} vanilla).${gradient ? ` Where vanilla is needed, **${titleOf(gradient)}**: the stronger attack's leak AUC, averaged over the first and last epoch, falls from ${sig(worstLeak(none))} to ${sig(worstLeak(gradient))} at AUC ${sig(gradient.auc)}.` : ''}`);
  return lines;
}

const titleOf = (row: RowResult): string => SETTINGS.find((s) => s.name === row.name)?.title ?? row.name;

/** The stronger attack's leak AUC, averaged over the first and the last epoch; 0.5 (nothing) where no labels reach the relay. */
function worstLeak(row: RowResult): number {
  const worst = (leak: Leak | undefined): number => (leak ? Math.max(leak.norm, leak.direction) : 0.5);
  return (worst(row.leakFirst) + worst(row.leakLast)) / 2;
}

/** What the rows show, setting by setting, in sentences computed from them. */
function findings(rows: readonly RowResult[]): string[] {
  const none = rows.find((row) => row.name === 'none');
  if (!none) return [];
  const lines: string[] = [];
  if (none.leakFirst && none.leakLast) {
    const strong = Math.max(none.leakFirst.norm, none.leakFirst.direction) >= 0.8;
    lines.push(
      strong
        ? `- **Undefended, the labels leak:** a curious relay reads them off its own cut gradients with leak AUCs ${leakText(none.leakFirst)} (norm / direction) in the first epoch and ${leakText(none.leakLast)} in the last. The direction attack is the stronger one: in a binary task the loss's gradient at the logits is the same vector, signed by the label, for every sample, so at the cut a positive's gradient points roughly one way and a negative's the opposite way, whatever their sizes; the norm attack needs the minority class's gradients to be larger, which holds only in part once the model is fairly sure of most images.`
        : `- **Undefended leakage stayed below 0.8** (${leakText(none.leakFirst)} in epoch 1, ${leakText(none.leakLast)} in epoch ${epochs}): the norm attack needs the minority class's gradients to be larger than the majority's, which holds only while the model is unsure of them.`,
    );
  }
  for (const row of rows.filter((r) => r.name.startsWith('grad-'))) {
    lines.push(`- **${titleOf(row)}:** leak AUCs ${leakText(row.leakFirst)} in epoch 1 and ${leakText(row.leakLast)} in epoch ${epochs} (undefended ${leakText(none.leakFirst)} and ${leakText(none.leakLast)}), at AUC ${sig(row.auc)} (undefended ${sig(none.auc)}). It does nothing for the activations (SSIM ${sig(row.ssim)}).`);
  }
  const noise = rows.filter((r) => r.name.startsWith('act-noise-'));
  if (noise.length > 0) {
    lines.push(`- **Activation noise** trades accuracy for what the activations reveal: ${noise.map((row) => `${titleOf(row).replace('activation noise, ', '')}: SSIM ${sig(row.ssim)}, dCor ${sig(row.dcor)}, AUC ${sig(row.auc)}`).join('; ')} (undefended: SSIM ${sig(none.ssim)}, dCor ${sig(none.dcor)}, AUC ${sig(none.auc)}).${noise.some((row) => (row.leakFirst?.norm ?? 0) > (none.leakFirst?.norm ?? 1) + 0.05) ? ' It does not protect the labels: in the first epoch the norm attack gets stronger as sigma grows, most likely because a model less sure of noisier inputs keeps larger gradients for the minority class.' : ''}`);
  }
  const noPeek = rows.filter((r) => r.name.startsWith('no-peek-'));
  const deeper = rows.find((r) => r.name === 'pool2-none');
  const deeperNoPeek = rows.filter((r) => r.name.startsWith('pool2-no-peek-'));
  if (noPeek.length > 0) {
    const lowest = [...noPeek].sort((a, b) => a.dcor - b.dcor)[0] as RowResult;
    const moved = none.dcor - lowest.dcor;
    lines.push(
      moved < 0.05
        ? `- **NoPeek barely moves the distance correlation at this cut** (undefended ${sig(none.dcor)}, lowest ${sig(lowest.dcor)} at ${titleOf(lowest).replace('NoPeek, ', '')}), nor the reconstructions (SSIM ${noPeek.map((row) => sig(row.ssim)).join(', ')}). The client segment here is one 3x3 convolution and a max-pool: 32 local filters of a 28x28 image, which keep its layout by construction; most likely a loss term cannot make so shallow a map forget the image without losing the task, and NoPeek needs a deeper client segment to act on (the pool2 rows).`
        : `- **NoPeek** lowers the distance correlation from ${sig(none.dcor)} to ${sig(lowest.dcor)} (${titleOf(lowest)}), with SSIM ${sig(lowest.ssim)} and AUC ${sig(lowest.auc)}.`,
    );
  }
  if (deeper && deeperNoPeek.length > 0) {
    const raisesNorm = deeperNoPeek.some((row) => (row.leakFirst?.norm ?? 0) > (deeper.leakFirst?.norm ?? 1) + 0.05);
    lines.push(
      `- **A deeper cut** (after pool2: two convolutions and two pools on the device, 7x7x64 activations) gives NoPeek something to train: undefended dCor ${sig(deeper.dcor)} and SSIM ${sig(deeper.ssim)} (pool1: ${sig(none.dcor)}, ${sig(none.ssim)}) at AUC ${sig(deeper.auc)}; ` +
        deeperNoPeek.map((row) => `${titleOf(row).replace('cut after pool2, ', '')}: dCor ${sig(row.dcor)}, SSIM ${sig(row.ssim)}, AUC ${sig(row.auc)}`).join('; ') +
        `.${raisesNorm ? ` NoPeek makes the labels easier to read, though: the norm attack's first-epoch leak AUC rises to ${deeperNoPeek.map((row) => sig(row.leakFirst?.norm ?? Number.NaN)).join(' and ')} (undefended ${sig(deeper.leakFirst?.norm ?? Number.NaN)}); pair it with gradient noise or U-shaped mode.` : ''}`,
    );
  }
  lines.push('- **U-shaped:** the relay computes no loss and sees no labels, so it has no gradient-label pairing to attack; it still sees the cut activations going up (inversion SSIM in its row: the same exposure as vanilla) and the gradients it sends down.');
  return lines;
}

async function main(): Promise<void> {
  if (values.row) {
    const setting = SETTINGS.find((s) => s.name === values.row);
    if (!setting) throw new Error(`no privacy setting named ${values.row}: ${SETTINGS.map((s) => s.name).join(', ')}`);
    process.stdout.write(`${JSON.stringify(await runRow(setting))}\n`);
    return;
  }
  if (!existsSync(pneumonia)) {
    process.stderr.write(`bench:privacy needs ${pneumonia} (set SPLIT_DATA_DIR): not run\n`);
    process.exit(2);
  }
  const started = new Date();
  const facts = machineFacts();
  const wanted = values.rows ? values.rows.split(',') : SETTINGS.map((s) => s.name);
  const queue = SETTINGS.filter((s) => wanted.includes(s.name));
  const results = new Map<string, RowResult>();
  await mkdir(keptRows, { recursive: true });
  const workers = Array.from({ length: Math.max(1, Number(values.parallel)) }, async () => {
    for (let setting = queue.shift(); setting; setting = queue.shift()) {
      const kept = values.reuse ? await keptRow(setting.name) : undefined;
      const result = kept ?? { ...(await runChild(setting.name)), finishedAt: new Date().toISOString() };
      if (!kept) await writeFile(path.join(keptRows, `${setting.name}.json`), JSON.stringify({ epochs, clients, seed, result }));
      results.set(setting.name, result);
      process.stderr.write(`${setting.name}: accuracy ${sig(result.accuracy)} AUC ${sig(result.auc)} dCor ${sig(result.dcor)} SSIM ${sig(result.ssim)} (${result.seconds.toFixed(0)} s)\n`);
    }
  });
  await Promise.all(workers);
  const rows = SETTINGS.flatMap((s) => results.get(s.name) ?? []);
  const figures = path.join(root, 'reports/figures/privacy');
  await mkdir(figures, { recursive: true });
  if (rows[0]) await writeStrip(path.join(figures, 'originals.png'), rows[0].originals);
  for (const row of rows) await writeStrip(path.join(figures, `${row.name}.png`), row.reconstructions);
  const report = [
    '# Privacy: what each setting costs and what still leaks',
    '',
    `PneumoniaMNIST (\`../shared/data/pneumoniamnist\`: train to val, 28x28 grey, normal vs pneumonia, about 3 pneumonia images to 1 normal), cnn-small cut after \`pool1\` (14x14x32 activations; the rows that say so cut after \`pool2\`, 7x7x64), ${clients} hospitals with IID shards, round-robin, Adam 0.001, batch 32, fp32 on the wire, ${epochs} epochs, seed ${seed} (one seeded run per row; rows differ only in the setting). Written by \`npm run bench:privacy\` (packages/split-core/bench/privacy.ts).`,
    '',
    '- **Seeds:** model initialisation, shards, batch order and the attacker\'s split follow the seed. The defences\' noise does not: it is drawn fresh from the engine\'s generator, as in a study (noise the relay could predict would protect nothing), so the noise rows vary a little between runs (two runs of sigma 0.05 gave AUC 0.983 and 0.987).',
    '- **Accuracy, AUC:** the validation split (524 images).',
    '- **dCor:** distance correlation between images and the activations as sent (noise included), on the 262 validation images the attacker does not hold, in batches of 128.',
    '- **Leak AUC (norm / direction):** what the relay computes from the cut gradients it returns in the first and the last epoch (norm and cosine attacks of Li et al., ICLR 2022; 0.5 is chance, 1 is every label recovered), after the study\'s gradient noise.',
    '- **Inversion SSIM:** a decoder (upsampling plus three convolutions) trained for 40 passes on the other 262 validation images and the client segment\'s output for them, with the setting\'s noise (an attacker who holds similar images and the client segment, which a relay reading round-robin hand-offs in the clear has); mean SSIM of its reconstructions of the held-apart images (1 is a perfect copy).',
    '',
    table(
      ['setting', 'accuracy', 'AUC', 'dCor', 'leak AUC, epoch 1', `leak AUC, epoch ${epochs}`, 'inversion SSIM', 'reconstructions'],
      rows.map((row) => [SETTINGS.find((s) => s.name === row.name)?.title ?? row.name, sig(row.accuracy), sig(row.auc), sig(row.dcor), leakText(row.leakFirst), leakText(row.leakLast), sig(row.ssim), `![${row.name}](figures/privacy/${row.name}.png)`]),
    ),
    '',
    `The images attacked (the same ${STRIP} in every row): ![originals](figures/privacy/originals.png)`,
    '',
    '## What the rows say',
    '',
    ...findings(rows),
    '',
    '## Recommended default for new studies',
    '',
    ...recommend(rows),
    '',
    machineSection(facts, started, [
      `wasm backend, one thread per row, ${Number(values.parallel)} rows at a time`,
      ...(values.reuse ? [`rows kept from earlier runs of the same epochs, clients and seed (--reuse) finished between ${rowSpan(rows)}; the load average above is this run's`] : []),
    ]),
  ].join('\n');
  await writeFile(path.join(root, 'reports/privacy.md'), report);
  process.stderr.write(`wrote reports/privacy.md and ${rows.length + 1} strips in reports/figures/privacy/\n`);
}

await main();
