// The server segment's training step (batch 64), timed for every contender in rounds: in each
// round every contender runs once, in a fresh process, one after the other, so a burst of load
// on this shared machine hits one round of all of them rather than all runs of one. A
// contender's figure is the median of its per-round medians; a ratio is the median of the
// per-round ratios (both sides measured minutes apart at most).
//
// Contenders: tfjs wasm with split-core's kernels on 1 and on N threads (each a child process
// with SPLITNN_WASM_THREADS set: a process's wasm backend has one thread count), and PyTorch on
// 1 and 2 threads (Debian's python3-torch, torch_segment_step.py; skipped with the reason
// when absent).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getModelSpec, type CatalogueModelName } from '../../src/model/catalogue';
import { createSegment, lossStep } from '../../src/segment/segment';
import { planSplit } from '../../src/topology/split_plan';
import { vanilla } from '../../src/topology/vanilla';
import { WASM_THREADS_ENV } from '../../src/node/wasm_threads';
import { PYTHON_WITH_TORCH } from './machine';
import { median } from './markdown';

export const SERVER_STEP_BATCH = 64;
const CHILD_SCRIPT = path.join(import.meta.dirname, '..', 'server_step.ts');
const TSX = path.resolve(import.meta.dirname, '../../../../node_modules/.bin/tsx');

export type Contender = { kind: 'wasm'; threads: number } | { kind: 'torch'; threads: number };

export function contenderName(contender: Contender): string {
  const threads = `${contender.threads} thread${contender.threads === 1 ? '' : 's'}`;
  return contender.kind === 'wasm' ? `tfjs wasm + our kernels, ${threads}` : `PyTorch, ${threads}`;
}

export interface StepRun {
  /** Step times of one process, warm-up excluded. */
  readonly stepsMs?: number[];
  /** The wasm thread count the process reported (wasm only). */
  readonly threads?: number;
  readonly skipped?: string;
}

/** In a child process (wasm): one segment's step times on the backend already set. */
export async function timeServerStep(model: CatalogueModelName, steps: number, warmup: number): Promise<number[]> {
  const spec = getModelSpec(model, { numClasses: 2 });
  const [server] = planSplit(spec, vanilla).server;
  if (!server) throw new Error(`${model} has no server segment`);
  const segment = createSegment(server, { seed: 1, name: `bench_${model}`, optimizer: { name: 'sgd', learningRate: 0.01 } });
  const x = tf.randomNormal([SERVER_STEP_BATCH, ...server.inputShape]);
  const labels = tf.tensor1d(Array.from({ length: SERVER_STEP_BATCH }, (_, i) => i % 2), 'int32');
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + steps; i++) {
      const t0 = performance.now();
      // The server's step: forward, loss, backward, update, and the gradient at the cut to send back.
      const { inputGradient } = lossStep(segment, x, labels, true);
      await inputGradient?.data();
      inputGradient?.dispose();
      if (i >= warmup) times.push(performance.now() - t0);
    }
  } finally {
    tf.dispose([x, labels]);
    segment.model.dispose();
    segment.optimizer.dispose();
  }
  return times;
}

function lastJsonLine(stdout: string, stderr: string, what: string): StepRun {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as StepRun;
  } catch {
    return { skipped: `unexpected output from ${what}: ${(line || stderr).trim().slice(-300)}` };
  }
}

function runWasm(model: CatalogueModelName, threads: number, steps: number): StepRun {
  const run = spawnSync(TSX, [CHILD_SCRIPT, '--child', '--model', model, '--steps', String(steps)], {
    env: { ...process.env, [WASM_THREADS_ENV]: String(threads) },
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (run.error) return { skipped: `the wasm child could not run: ${run.error.message}` };
  return lastJsonLine(run.stdout, run.stderr, 'the wasm child');
}

function runTorch(model: CatalogueModelName, threads: number, steps: number): StepRun {
  const [server] = planSplit(getModelSpec(model, { numClasses: 2 }), vanilla).server;
  const script = path.join(import.meta.dirname, '..', 'torch_segment_step.py');
  const run = spawnSync(PYTHON_WITH_TORCH, [script, '--threads', String(threads), '--steps', String(steps), '--warmup', '3', '--batch', String(SERVER_STEP_BATCH)], {
    input: JSON.stringify({ layers: server?.layers, inputShape: server?.inputShape, classes: 2 }),
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (run.error) return { skipped: `${PYTHON_WITH_TORCH} could not run: ${run.error.message}` };
  return lastJsonLine(run.stdout, run.stderr, 'torch_segment_step.py');
}

export interface ContenderResult {
  readonly contender: Contender;
  /** One median per round (rounds where it was skipped are absent). */
  readonly roundMediansMs: number[];
  /** Threads the wasm processes reported having (not just asked for). */
  readonly reportedThreads?: number;
  readonly skipped?: string;
}

export interface ModelResult {
  readonly model: CatalogueModelName;
  readonly cutShape: readonly number[];
  readonly contenders: ContenderResult[];
}

/** Runs `rounds` rounds of every contender on every model; `onRun` hears each finished run. */
export function measureServerSteps(
  models: readonly CatalogueModelName[],
  contenders: readonly Contender[],
  options: { rounds: number; steps: number },
  onRun: (model: CatalogueModelName, contender: Contender, run: StepRun) => void = () => undefined,
): ModelResult[] {
  const results: ModelResult[] = models.map((model) => ({
    model,
    cutShape: planSplit(getModelSpec(model, { numClasses: 2 }), vanilla).server[0]?.inputShape ?? [],
    contenders: contenders.map((contender) => ({ contender, roundMediansMs: [] })),
  }));
  for (let round = 0; round < options.rounds; round++) {
    for (const result of results) {
      result.contenders.forEach((entry, i) => {
        const contender = contenders[i] as Contender;
        const run = contender.kind === 'wasm' ? runWasm(result.model, contender.threads, options.steps) : runTorch(result.model, contender.threads, options.steps);
        onRun(result.model, contender, run);
        const mutable = entry as { roundMediansMs: number[]; reportedThreads?: number; skipped?: string };
        if (run.stepsMs && run.stepsMs.length > 0) {
          mutable.roundMediansMs.push(median(run.stepsMs));
          if (run.threads !== undefined) mutable.reportedThreads = run.threads;
        } else {
          mutable.skipped = run.skipped ?? 'no steps timed';
        }
      });
    }
  }
  return results;
}

/** The median over rounds of a/b, pairing each round's medians; null when either side has none. */
export function roundRatio(a: ContenderResult | undefined, b: ContenderResult | undefined): number | null {
  if (!a || !b) return null;
  const pairs = Math.min(a.roundMediansMs.length, b.roundMediansMs.length);
  if (pairs === 0) return null;
  return median(Array.from({ length: pairs }, (_, i) => (a.roundMediansMs[i] as number) / (b.roundMediansMs[i] as number)));
}

export const GEMM_SIZE = 1024;
export const GEMM_FLOP = 2 * GEMM_SIZE ** 3;

/** In a child process (wasm): times of one GEMM_SIZE-cubed matrix product on the backend already set. */
export function timeWasmGemm(repetitions: number): number[] {
  const a = tf.randomNormal([GEMM_SIZE, GEMM_SIZE]);
  const b = tf.randomNormal([GEMM_SIZE, GEMM_SIZE]);
  const times: number[] = [];
  for (let i = 0; i < repetitions + 2; i++) {
    const t0 = performance.now();
    const product = tf.matMul(a, b);
    product.dataSync();
    product.dispose();
    if (i >= 2) times.push(performance.now() - t0);
  }
  tf.dispose([a, b]);
  return times;
}

const TORCH_GEMM = `
import json, sys, time
try:
    import torch
except ImportError as error:
    print(json.dumps({"skipped": f"PyTorch is not installed: {error}"})); sys.exit(0)
threads, repetitions, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
a, b = torch.randn(size, size), torch.randn(size, size)
times = []
for i in range(repetitions + 2):
    t0 = time.perf_counter(); a @ b; t1 = time.perf_counter()
    if i >= 2: times.append((t1 - t0) * 1000)
print(json.dumps({"threads": threads, "stepsMs": times}))
`;

export function gemmRun(kind: 'wasm' | 'torch', threads: number, repetitions: number): StepRun {
  const run =
    kind === 'wasm'
      ? spawnSync(TSX, [CHILD_SCRIPT, '--child', '--gemm', '--steps', String(repetitions)], { env: { ...process.env, [WASM_THREADS_ENV]: String(threads) }, encoding: 'utf8', timeout: 600_000 })
      : spawnSync(PYTHON_WITH_TORCH, ['-c', TORCH_GEMM, String(threads), String(repetitions), String(GEMM_SIZE)], { encoding: 'utf8', timeout: 600_000 });
  if (run.error) return { skipped: `could not run: ${run.error.message}` };
  return lastJsonLine(run.stdout, run.stderr, `the ${kind} matrix product`);
}
