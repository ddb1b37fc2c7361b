// Benchmark (not a test): one training step of cnn-small (batch 64, 28x28x1, 2 classes:
// forward, softmax cross-entropy, backward, SGD update) on tfjs wasm with our kernels,
// on the tfjs cpu backend, and in PyTorch with 1 and 2 threads, all in the same run so
// the ratios share the machine's conditions. Also profiles the wasm step per kernel.
//
//   cd /work/main && [SPLITNN_WASM_THREADS=1] npx tsx packages/split-core/bench/step-time.ts [--wasm-steps 30]
//       [--cpu-steps 2] [--torch-steps 30] [--skip-cpu] [--skip-torch]
//
// Writes bench-results/step-time.json (relative to the working directory).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../src/backends/register_kernels';
import { useWasmThreads, wasmThreadsFromEnv } from '../src/node/wasm_threads';

const BATCH = 64;
const CLASSES = 2;
const WARMUP_STEPS = 3;
const PYTHON_WITH_TORCH = '/usr/bin/python3';

interface Options {
  wasmSteps: number;
  cpuSteps: number;
  torchSteps: number;
  skipCpu: boolean;
  skipTorch: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { wasmSteps: 30, cpuSteps: 2, torchSteps: 30, skipCpu: false, skipTorch: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = Number(argv[i + 1]);
    if (flag === '--skip-cpu') {
      options.skipCpu = true;
    } else if (flag === '--skip-torch') {
      options.skipTorch = true;
    } else if (flag === '--wasm-steps' && value > 0) {
      options.wasmSteps = value;
      i++;
    } else if (flag === '--cpu-steps' && value > 0) {
      options.cpuSteps = value;
      i++;
    } else if (flag === '--torch-steps' && value > 0) {
      options.torchSteps = value;
      i++;
    } else {
      throw new Error(`unknown or invalid argument: ${flag ?? ''}`);
    }
  }
  return options;
}

function cnnSmall(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: CLASSES }),
    ],
  });
}

interface Trainer {
  step(): void;
  dispose(): void;
}

function makeTrainer(): Trainer {
  const model = cnnSmall();
  const optimizer = tf.train.sgd(0.01);
  const images = tf.randomNormal([BATCH, 28, 28, 1], 0, 1, 'float32', 1);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % CLASSES), 'int32'), CLASSES);
  return {
    step(): void {
      const cost = optimizer.minimize(() => {
        const logits = model.apply(images, { training: true }) as tf.Tensor;
        return tf.losses.softmaxCrossEntropy(labels, logits);
      }, true);
      // Reading the loss forces completion on asynchronous backends; wasm and cpu are synchronous anyway.
      cost?.dataSync();
      cost?.dispose();
    },
    dispose(): void {
      model.dispose();
      optimizer.dispose();
      images.dispose();
      labels.dispose();
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function timeBackend(backend: 'wasm' | 'cpu', steps: number, warmup: number): Promise<number[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} is unavailable`);
  await tf.ready();
  const trainer = makeTrainer();
  try {
    for (let i = 0; i < warmup; i++) trainer.step();
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const start = performance.now();
      trainer.step();
      times.push(performance.now() - start);
    }
    return times;
  } finally {
    trainer.dispose();
  }
}

interface KernelShare {
  kernel: string;
  totalMs: number;
  calls: number;
}

const PROFILED_STEPS = 5;

/** Per-kernel time of one wasm step: the median over a few profiled steps, per kernel name. */
async function profileWasmStep(): Promise<{ stepMs: number; kernels: KernelShare[] }> {
  await tf.setBackend('wasm');
  const trainer = makeTrainer();
  try {
    for (let i = 0; i < WARMUP_STEPS; i++) trainer.step();
    const perStep: Array<Map<string, KernelShare>> = [];
    const stepTimes: number[] = [];
    for (let s = 0; s < PROFILED_STEPS; s++) {
      const start = performance.now();
      const info = await tf.profile(() => trainer.step());
      stepTimes.push(performance.now() - start);
      const byName = new Map<string, KernelShare>();
      for (const kernel of info.kernels) {
        const ms = typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0;
        const share = byName.get(kernel.name) ?? { kernel: kernel.name, totalMs: 0, calls: 0 };
        share.totalMs += ms;
        share.calls += 1;
        byName.set(kernel.name, share);
      }
      perStep.push(byName);
    }
    const names = new Set(perStep.flatMap((byName) => [...byName.keys()]));
    const kernels = [...names].map((name) => {
      const shares = perStep.map((byName) => byName.get(name) ?? { kernel: name, totalMs: 0, calls: 0 });
      return { kernel: name, totalMs: median(shares.map((s) => s.totalMs)), calls: shares[0]?.calls ?? 0 };
    });
    return { stepMs: median(stepTimes), kernels: kernels.sort((a, b) => b.totalMs - a.totalMs) };
  } finally {
    trainer.dispose();
  }
}

type TorchResult = { threads: number; blas: string; medianMs: number; stepsMs: number[] } | { skipped: string };

function timeTorch(threads: number, steps: number): TorchResult {
  if (!existsSync(PYTHON_WITH_TORCH)) return { skipped: `${PYTHON_WITH_TORCH} not found` };
  const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_step.py');
  const run = spawnSync(PYTHON_WITH_TORCH, [script, '--threads', String(threads), '--steps', String(steps), '--warmup', '5'], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (run.status !== 0) return { skipped: `torch_step.py exited with ${run.status}: ${run.stderr.trim().slice(-300)}` };
  const lastLine = run.stdout.trim().split('\n').at(-1) ?? '';
  const parsed: unknown = JSON.parse(lastLine);
  if (typeof parsed === 'object' && parsed !== null) {
    if ('skipped' in parsed && typeof parsed.skipped === 'string') return { skipped: parsed.skipped };
    if ('medianMs' in parsed && typeof parsed.medianMs === 'number' && 'stepsMs' in parsed && Array.isArray(parsed.stepsMs)) {
      const blas = 'blas' in parsed && typeof parsed.blas === 'string' ? parsed.blas : 'unknown';
      return { threads, blas, medianMs: parsed.medianMs, stepsMs: parsed.stepsMs as number[] };
    }
  }
  return { skipped: `unexpected output from torch_step.py: ${lastLine.slice(0, 200)}` };
}

function ratio(numerator: number, denominator: TorchResult): number | null {
  return 'medianMs' in denominator ? numerator / denominator.medianMs : null;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  registerWasmTrainingKernels();
  // SPLITNN_WASM_THREADS=1 for tfjs's single-threaded build; two threads on two cores otherwise.
  useWasmThreads(wasmThreadsFromEnv().threads);
  // Other work on the machine slows every contender (PyTorch with 2 threads most): record it.
  const loadBefore = loadavg()[0] ?? Number.NaN;

  const wasmTimes = await timeBackend('wasm', options.wasmSteps, WARMUP_STEPS);
  const profile = await profileWasmStep();
  const cpuTimes = options.skipCpu ? null : await timeBackend('cpu', options.cpuSteps, 1);
  const skippedTorch: TorchResult = { skipped: 'skipped by --skip-torch' };
  const torch1 = options.skipTorch ? skippedTorch : timeTorch(1, options.torchSteps);
  const torch2 = options.skipTorch ? skippedTorch : timeTorch(2, options.torchSteps);

  const loadAfter = loadavg()[0] ?? Number.NaN;
  const wasmMedian = median(wasmTimes);
  const rows: [string, string][] = [
    [`tfjs wasm + split-core kernels, ${getThreadsCount()} thread(s) (${wasmTimes.length} steps)`, `${wasmMedian.toFixed(1)} ms`],
    [`tfjs cpu (${cpuTimes?.length ?? 0} steps)`, cpuTimes ? `${median(cpuTimes).toFixed(0)} ms` : 'skipped'],
    ['PyTorch, 1 thread', 'medianMs' in torch1 ? `${torch1.medianMs.toFixed(1)} ms (BLAS: ${torch1.blas})` : `skipped: ${torch1.skipped}`],
    ['PyTorch, 2 threads', 'medianMs' in torch2 ? `${torch2.medianMs.toFixed(1)} ms (BLAS: ${torch2.blas})` : `skipped: ${torch2.skipped}`],
  ];
  const ratio1 = ratio(wasmMedian, torch1);
  const ratio2 = ratio(wasmMedian, torch2);

  console.log(`\ncnn-small training step, batch ${BATCH}, 28x28x1, ${CLASSES} classes (median, warm-up excluded)`);
  console.log(`  machine: ${cpus().length} cores, 1-min load average ${loadBefore.toFixed(2)} at start, ${loadAfter.toFixed(2)} at end`);
  for (const [name, value] of rows) console.log(`  ${name.padEnd(48)} ${value}`);
  console.log(`  ${'wasm / torch-1-thread'.padEnd(48)} ${ratio1 === null ? 'n/a' : ratio1.toFixed(2) + 'x'}`);
  console.log(`  ${'wasm / torch-2-threads'.padEnd(48)} ${ratio2 === null ? 'n/a' : ratio2.toFixed(2) + 'x'}`);
  console.log(`\nwasm step under tf.profile (median of ${PROFILED_STEPS}): ${profile.stepMs.toFixed(1)} ms; top kernels by time:`);
  for (const k of profile.kernels.slice(0, 12)) {
    console.log(`  ${k.kernel.padEnd(36)} ${k.totalMs.toFixed(1).padStart(7)} ms  (${k.calls} calls)`);
  }

  const outDir = join(process.cwd(), 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const result = {
    benchmark: 'cnn-small training step',
    batch: BATCH,
    input: [28, 28, 1],
    classes: CLASSES,
    measuredAt: new Date().toISOString(),
    machine: { cores: cpus().length, loadAverage1mAtStart: loadBefore, loadAverage1mAtEnd: loadAfter },
    wasm: { medianMs: wasmMedian, stepsMs: wasmTimes },
    cpu: cpuTimes ? { medianMs: median(cpuTimes), stepsMs: cpuTimes } : { skipped: 'skipped by --skip-cpu' },
    torch1Thread: torch1,
    torch2Threads: torch2,
    ratios: { wasmOverTorch1Thread: ratio1, wasmOverTorch2Threads: ratio2 },
    wasmProfile: profile,
  };
  const outFile = join(outDir, 'step-time.json');
  writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nwrote ${outFile}`);
}

await main();
