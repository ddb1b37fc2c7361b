// The benchmark report (not a test: about 15 minutes). Writes reports/bench.md. Every figure
// is a median over at least 5 repetitions with min and max, and every comparison a ratio of
// figures measured in this same run (the machines are shared and noisy):
//   - the server segment's training step (batch 64) of cnn-small, vgg-mini and resnet-mini:
//     tfjs wasm with our kernels, tfjs cpu, and PyTorch on 1 and 2 threads (Debian's
//     python3-torch; skipped with a note when absent);
//   - split overhead: split training in process (codec included) against centralized;
//   - wire overhead: a step over the relay on loopback (Node client, Chromium page) against in process;
//   - bytes per sample of the cut tensor in each codec against its raw size;
//   - the relay under 50 concurrent Node clients in SplitFed V2.
//
//   npm run bench [-- --reps 5] [--skip-browser] [--load-clients 50] [--load-minutes 1.5]
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/backends';
import { encodeTensor } from '../src/codec/encode_tensor';
import { CODEC_NAMES } from '../src/study/config';
import { batchToTensors } from '../src/data/batches';
import { generateDemoDataset } from '../src/data/demo';
import { DEMO_DATA_SEED } from '../src/data/demo_shard';
import { getModelSpec, type CatalogueModelName } from '../src/model/catalogue';
import { RoundRobinSchedule } from '../src/schedule/round_robin';
import { createSegment, forward } from '../src/segment/segment';
import { contenderName, measureServerSteps, roundRatio, timeServerStep, type Contender, type ContenderResult } from './report/server_step';
import { horizontalRolePlans } from '../src/topology/role_plans';
import { planSplit } from '../src/topology/split_plan';
import { vanilla } from '../src/topology/vanilla';
import { CentralizedTrainer } from '../src/training/centralized';
import { Simulation } from '../src/training/simulation';
import { machineFacts, machineSection } from './report/machine';
import { median, sig, spread, table } from './report/markdown';

const root = path.resolve(import.meta.dirname, '../../..');
const reports = path.join(root, 'reports');
const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    'skip-browser': { type: 'boolean', default: false },
    'load-clients': { type: 'string', default: '50' },
    'load-minutes': { type: 'string', default: '1.5' },
  },
});
const reps = Math.max(5, Number(values.reps));
const BATCH = 64;
const started = new Date();
const facts = machineFacts();
const sections: string[] = [];
const scratch = await mkdtemp(path.join(os.tmpdir(), 'bench-'));

function ratioOfMedians(a: readonly number[], b: readonly number[]): string {
  return `${sig(median(a) / median(b), 3)}x`;
}

// ---- Server-segment training step -----------------------------------------------------
/** tfjs cpu, in this process: the slow reference the wasm kernels replace. */
async function timeCpuSegmentStep(model: CatalogueModelName, steps: number): Promise<number[]> {
  await tf.setBackend('cpu');
  await tf.ready();
  try {
    return await timeServerStep(model, steps, 1);
  } finally {
    await tf.setBackend('wasm');
  }
}

await initBackend('wasm');
{
  const models: CatalogueModelName[] = ['cnn-small', 'vgg-mini', 'resnet-mini'];
  const contenders: Contender[] = [
    { kind: 'wasm', threads: 1 },
    { kind: 'wasm', threads: 2 },
    { kind: 'torch', threads: 1 },
    { kind: 'torch', threads: 2 },
  ];
  const steps = 20;
  const measured = measureServerSteps(models, contenders, { rounds: reps, steps }, (model, contender, run) =>
    console.log(`server step ${model}, ${contenderName(contender)}: ${run.stepsMs ? `${sig(median(run.stepsMs))} ms` : `skipped: ${run.skipped}`}`),
  );
  const rows: (string | number)[][] = [];
  const ratios: (string | number)[][] = [];
  for (const result of measured) {
    const cpu = await timeCpuSegmentStep(result.model, reps);
    const [wasm1, wasm2, torch1, torch2] = result.contenders;
    const cell = (entry: ContenderResult | undefined): string => (entry && entry.roundMediansMs.length > 0 ? spread(entry.roundMediansMs) : `skipped: ${entry?.skipped ?? '?'}`);
    const ratio = (a: ContenderResult | undefined, b: ContenderResult | undefined): string => {
      const value = roundRatio(a, b);
      return value === null ? 'n/a' : `${sig(value, 3)}x`;
    };
    rows.push([result.model, result.cutShape.join('x'), cell(wasm1), cell(wasm2), spread(cpu), cell(torch1), cell(torch2)]);
    ratios.push([
      result.model,
      wasm1 && wasm1.roundMediansMs.length > 0 ? `${sig(median(cpu) / median(wasm1.roundMediansMs), 3)}x` : 'n/a',
      ratio(wasm1, wasm2),
      ratio(wasm1, torch1),
      ratio(wasm2, torch2),
    ]);
  }
  sections.push(
    [
      '## Server-segment training step (batch 64, ms)',
      '',
      `The relay's step for one client's batch: forward from the cut, softmax cross-entropy, backward, SGD update, and the gradient at the cut. Each model split at its vanilla cut; random cut activations and labels. wasm and PyTorch ran in ${reps} interleaved rounds, each contender once per round in a fresh process (${steps} steps after 3 warm-up steps): a cell is the median (min\u2013max) of the per-round medians, a ratio the median of the per-round ratios. tfjs cpu: ${reps} steps in this process.`,
      '',
      table(['model', 'cut tensor per sample', 'tfjs wasm + our kernels, 1 thread', 'tfjs wasm + our kernels, 2 threads', 'tfjs cpu', 'PyTorch, 1 thread', 'PyTorch, 2 threads'], rows),
      '',
      table(['model', 'cpu / wasm 1 thread', 'wasm 1 thread / 2 threads', 'wasm 1 thread / PyTorch 1 thread', 'wasm 2 threads / PyTorch 2 threads'], ratios),
      '',
    ].join('\n'),
  );
}

// ---- Split overhead in process ----------------------------------------------------------
{
  const spec = getModelSpec('cnn-small', { numClasses: 2 });
  const demo = generateDemoDataset({ seed: DEMO_DATA_SEED, valSize: 0 });
  const train = { ...demo.train, samples: demo.train.samples.slice(0, 16 * BATCH) };
  const split: number[] = [];
  const central: number[] = [];
  const simulation = new Simulation({ plans: horizontalRolePlans(planSplit(spec, vanilla)), schedule: new RoundRobinSchedule(), optimizer: { name: 'adam', learningRate: 0.001 }, batchSize: BATCH, seed: 1, encoding: 'fp32', clients: [{ id: 'solo', data: train }] });
  const trainer = new CentralizedTrainer(spec, { seed: 1, optimizer: { name: 'adam', learningRate: 0.001 } });
  try {
    // Interleaved, one warm-up each: both meet the same machine.
    await simulation.runEpoch();
    await trainer.trainEpoch(train, BATCH, 1);
    for (let rep = 0; rep < reps; rep++) {
      split.push((await simulation.runEpoch()).samplesPerSecond);
      const epoch = await trainer.trainEpoch(train, BATCH, 1);
      central.push(epoch.samples / epoch.seconds);
    }
  } finally {
    simulation.dispose();
    trainer.dispose();
  }
  const perRep = split.map((value, i) => value / (central[i] as number));
  sections.push(
    [
      '## Split overhead in process (cnn-small, batch 64, samples/s)',
      '',
      `One client, vanilla, round-robin, fp32 codec (every cut tensor encoded and decoded), against the same model unsplit on the same ${train.samples.length} samples; ${reps} epochs each, interleaved, after one warm-up epoch each. Both on tfjs wasm with one thread (this process's backend).`,
      '',
      table(['split in process', 'centralized', 'split / centralized (per epoch pair)'], [[spread(split), spread(central), spread(perRep)]]),
      '',
    ].join('\n'),
  );
  console.log(`split overhead: ${spread(perRep)}`);
}

// ---- Bytes per sample of the cut tensor --------------------------------------------------
{
  const spec = getModelSpec('cnn-small', { numClasses: 2 });
  const plan = planSplit(spec, vanilla);
  const client = createSegment(plan.client[0] ?? plan.server[0]!, { seed: 1, name: 'bench_bytes', optimizer: { name: 'sgd', learningRate: 0.01 } });
  const demo = generateDemoDataset({ seed: DEMO_DATA_SEED, valSize: 0 });
  const batch = batchToTensors(demo.train.samples.slice(0, BATCH), demo.train.sampleShape, 2);
  const activations = forward(client, batch.x);
  const values = await activations.data();
  const raw = values.length * 4;
  const rows = CODEC_NAMES.map((encoding) => {
    const bytes = encodeTensor({ name: 'activations', dtype: 'float32', shape: activations.shape, values: Float32Array.from(values) }, encoding).byteLength;
    return [encoding, sig(bytes / BATCH, 5), sig(raw / BATCH, 5), `${sig(bytes / raw, 3)}`];
  });
  tf.dispose([activations, batch.x, batch.labels]);
  client.model.dispose();
  sections.push(
    [
      '## Bytes per sample on the wire (cnn-small cut activations)',
      '',
      `A real batch of ${BATCH} demo images through cnn-small's client segment (cut \`pool1\`, ${activations.shape.slice(1).join('x')} per sample), encoded by the codec. Exact sizes (the encoding is deterministic), so no repetitions.`,
      '',
      table(['codec', 'bytes per sample (frame)', 'raw float32 bytes per sample', 'frame / raw'], rows),
      '',
    ].join('\n'),
  );
}

// ---- Wire overhead: Node client and Chromium over loopback --------------------------------
{
  const json = path.join(scratch, 'wire.json');
  const args = ['tsx', path.join(root, 'apps/relay-server/bench/wire_step.ts'), '--rounds', String(reps), '--steps', '10', '--json', json, ...(values['skip-browser'] ? [] : ['--browser'])];
  const run = spawnSync('npx', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== 0) {
    sections.push(`## Wire overhead\n\nThe wire benchmark failed (exit ${run.status ?? run.signal}); see its output.\n`);
  } else {
    const wire = JSON.parse(await readFile(json, 'utf8')) as { wireStepMs: number[]; browserStepMs: number[]; browserBackend: string; inProcessMs: number[]; steps: number };
    const rows: (string | number)[][] = [
      ['Node client, relay on loopback', spread(wire.wireStepMs), ratioOfMedians(wire.wireStepMs, wire.inProcessMs)],
      ...(wire.browserStepMs.length > 0 ? [[`Chromium page (${wire.browserBackend})`, spread(wire.browserStepMs), ratioOfMedians(wire.browserStepMs, wire.inProcessMs)]] : []),
      ['in process (same code, no sockets)', spread(wire.inProcessMs), '1x'],
    ];
    sections.push(
      [
        '## Wire overhead per training step (cnn-small, vanilla, batch 64, fp32, ms)',
        '',
        `${wire.steps} steps a round, ${reps} rounds each; a round's time over its steps (the round's validation and weight hand-off included), median (min\u2013max) over the rounds. The browser runs in Debian's Chromium, headless (WebGL there is SwiftShader, so the page trains on wasm, on the threads its row names). The relay, the Node client and the in-process run use wasm on the default threads (two on two cores; SPLITNN_WASM_THREADS).`,
        '',
        table(['where', 'ms per step', 'against in process'], rows),
        '',
      ].join('\n'),
    );
  }
}

// ---- The relay under many clients ----------------------------------------------------------
{
  const json = path.join(scratch, 'load.json');
  const clients = Number(values['load-clients']);
  const run = spawnSync('npx', ['tsx', path.join(root, 'apps/relay-server/bench/load.ts'), '--clients', String(clients), '--minutes', String(values['load-minutes']), '--out', path.join(scratch, 'load.md'), '--json', json], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== 0) {
    sections.push(`## The relay under ${clients} clients\n\nThe load benchmark failed (exit ${run.status ?? run.signal}); see its output.\n`);
  } else {
    const load = JSON.parse(await readFile(json, 'utf8')) as { seconds: number; rounds: number; contributors: number; rss: { mb: number }[]; errors: string[]; steps: { total: number; perSecond: number; latencyP50: number; latencyP95: number }; drift: number };
    const rss = load.rss.map((sample) => sample.mb);
    sections.push(
      [
        `## The relay under ${clients} concurrent Node clients (SplitFed V2)`,
        '',
        `The mlp on 30 features, batch 8, 2 steps per client a round (each holds 16 rows), every client in one process beside the relay, for ${sig(load.seconds / 60, 2)} minutes (${load.rounds} rounds, ${load.contributors} of ${clients} clients counted). Step latency: time between one client's consecutive steps of a round, over all clients and rounds.`,
        '',
        table(
          ['training steps per second', 'step latency p50', 'step latency p95', 'relay RSS, samples every 10 s', 'RSS drift (last third \u2212 middle third)', 'errors'],
          [[sig(load.steps.perSecond, 3), `${sig(load.steps.latencyP50, 3)} ms`, `${sig(load.steps.latencyP95, 3)} ms`, `${spread(rss)} MB`, `${sig(load.drift, 2)} MB`, load.errors.length]],
        ),
        '',
      ].join('\n'),
    );
  }
}

const report = ['# Benchmarks', '', 'Written by `npm run bench` (packages/split-core/bench/report.ts) from the runs below; nothing here is copied from elsewhere.', '', ...sections, machineSection(facts, started, [`Repetitions: ${reps} at least; seeds fixed (1)`])].join('\n');
await mkdir(reports, { recursive: true });
await writeFile(path.join(reports, 'bench.md'), report);
console.log(`wrote ${path.join(reports, 'bench.md')}`);
