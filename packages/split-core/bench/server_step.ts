// Benchmark (not a test): the server segment's training step, batch 64, tfjs wasm with our
// kernels on 1 and N threads against PyTorch on 1 and 2 threads, in interleaved rounds
// (bench/report/server_step.ts says how). About 4 minutes with the defaults.
//
//   npm run bench:server [-- --models cnn-small,vgg-mini,resnet-mini] [--rounds 3] [--steps 20] [--threads 2]
//   npm run bench:server -- --gemm      # the matrix-product ceiling: XNNPACK (wasm) vs PyTorch's BLAS
//
// Prints a table and writes bench-results/server-step.json (relative to the working directory).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { CATALOGUE_MODEL_NAMES, type CatalogueModelName } from '../src/model/catalogue';
import { initNodeWasmBackend } from '../src/node/wasm_threads';
import { contenderName, gemmRun, GEMM_FLOP, GEMM_SIZE, measureServerSteps, roundRatio, timeServerStep, timeWasmGemm, type Contender } from './report/server_step';
import { sig, table } from './report/markdown';

const { values } = parseArgs({
  options: {
    child: { type: 'boolean', default: false },
    model: { type: 'string' },
    models: { type: 'string', default: 'cnn-small,vgg-mini,resnet-mini' },
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '20' },
    threads: { type: 'string', default: '2' },
    gemm: { type: 'boolean', default: false },
  },
});

function modelName(name: string): CatalogueModelName {
  if (!(CATALOGUE_MODEL_NAMES as readonly string[]).includes(name)) throw new Error(`unknown model '${name}' (one of ${CATALOGUE_MODEL_NAMES.join(', ')})`);
  return name as CatalogueModelName;
}

if (values.child && values.gemm) {
  await initNodeWasmBackend('wasm');
  process.stdout.write(`${JSON.stringify({ threads: getThreadsCount(), stepsMs: timeWasmGemm(Number(values.steps)) })}\n`);
  process.exit(0);
}
if (values.child) {
  // One contender's run: the thread count comes from SPLITNN_WASM_THREADS, set by the parent.
  await initNodeWasmBackend('wasm');
  const stepsMs = await timeServerStep(modelName(values.model ?? ''), Number(values.steps), 3);
  process.stdout.write(`${JSON.stringify({ threads: getThreadsCount(), stepsMs })}\n`);
  process.exit(0);
}

if (values.gemm) {
  // The ceiling under every figure above: one large matrix product (XNNPACK through tfjs wasm
  // against PyTorch's BLAS), in GFLOP/s.
  const rows = [1, Number(values.threads), 1, 2].map((threads, i) => {
    const kind = i < 2 ? 'wasm' : 'torch';
    const run = kind === 'wasm' ? gemmRun('wasm', threads, Number(values.steps)) : gemmRun('torch', threads, Number(values.steps));
    const ms = run.stepsMs ? run.stepsMs.slice().sort((a, b) => a - b)[Math.floor(run.stepsMs.length / 2)] : undefined;
    return [kind === 'wasm' ? `tfjs wasm (XNNPACK), ${threads} thread(s)` : `PyTorch, ${threads} thread(s)`, ms === undefined ? `skipped: ${run.skipped}` : sig(ms), ms === undefined ? '' : sig(GEMM_FLOP / ms / 1e6)];
  });
  console.log(table([`${GEMM_SIZE}x${GEMM_SIZE}x${GEMM_SIZE} float32 matrix product`, 'ms (median)', 'GFLOP/s'], rows));
  process.exit(0);
}

const models = (values.models ?? '').split(',').map(modelName);
const threads = Number(values.threads);
const contenders: Contender[] = [
  { kind: 'wasm', threads: 1 },
  ...(threads > 1 ? [{ kind: 'wasm' as const, threads }] : []),
  { kind: 'torch', threads: 1 },
  { kind: 'torch', threads: 2 },
];
const loadBefore = loadavg();
const results = measureServerSteps(models, contenders, { rounds: Number(values.rounds), steps: Number(values.steps) }, (model, contender, run) => {
  const figure = run.stepsMs ? `${sig(run.stepsMs.slice().sort((a, b) => a - b)[Math.floor(run.stepsMs.length / 2)] as number)} ms` : `skipped: ${run.skipped}`;
  console.error(`${model} ${contenderName(contender)}: ${figure}`);
});
const loadAfter = loadavg();

const fastestWasm = contenders.filter((c) => c.kind === 'wasm').at(-1) as Contender;
const rows = results.map((result) => {
  const byName = new Map(result.contenders.map((entry) => [contenderName(entry.contender), entry]));
  const cell = (c: Contender): string => {
    const entry = byName.get(contenderName(c));
    if (!entry || entry.roundMediansMs.length === 0) return `skipped: ${entry?.skipped ?? '?'}`;
    const sorted = entry.roundMediansMs.slice().sort((a, b) => a - b);
    return `${sig(sorted[Math.floor(sorted.length / 2)] as number)} (${sig(sorted[0] as number)}\u2013${sig(sorted.at(-1) as number)})`;
  };
  const ratio = (a: Contender, b: Contender): string => {
    const value = roundRatio(byName.get(contenderName(a)), byName.get(contenderName(b)));
    return value === null ? 'n/a' : `${sig(value)}x`;
  };
  return [
    result.model,
    result.cutShape.join('x'),
    ...contenders.map(cell),
    ratio(fastestWasm, { kind: 'torch', threads: 2 }),
    ratio({ kind: 'wasm', threads: 1 }, fastestWasm),
  ];
});
console.log(
  table(['model', 'cut tensor per sample', ...contenders.map(contenderName), `wasm ${fastestWasm.threads} threads / PyTorch 2 threads`, `wasm 1 thread / ${fastestWasm.threads} threads`], rows),
);
console.log(`\n${cpus().length} cores; load average (1/5/15 min) ${loadBefore.map((l) => l.toFixed(2)).join(' / ')} at start, ${loadAfter.map((l) => l.toFixed(2)).join(' / ')} at end`);
const outDir = path.join(process.cwd(), 'bench-results');
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, 'server-step.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), loadBefore, loadAfter, results }, null, 2)}\n`);
