import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { createRequire } from 'node:module';

// What a report states about where it was measured: the machine, its load while the run
// went on, and the versions of everything that computed a figure.

/** Debian's PyTorch (python3-torch); the pyenv python3 on PATH has none. */
export const PYTHON_WITH_TORCH = '/usr/bin/python3';

export interface MachineFacts {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  tfjs: string;
  torch: string | undefined;
  loadAtStart: number[];
}

function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** PyTorch's version and its BLAS, or undefined when Debian's python3-torch is not installed. */
export function torchVersion(): string | undefined {
  const probe = spawnSync(PYTHON_WITH_TORCH, ['-c', 'import torch; print(torch.__version__, torch.get_num_threads())'], { encoding: 'utf8' });
  if (probe.status !== 0) return undefined;
  // Debian's torch is built against the generic BLAS; which one it loads is the system's choice.
  let blas = 'unknown BLAS';
  try {
    blas = realpathSync('/usr/lib/x86_64-linux-gnu/libblas.so.3').includes('openblas') ? 'OpenBLAS' : 'the reference BLAS (install libopenblas0-pthread)';
  } catch {
    // not a Debian x86_64 layout: left unknown
  }
  return `PyTorch ${probe.stdout.trim().split(' ')[0] ?? '?'} on ${blas}`;
}

export function machineFacts(): MachineFacts {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    tfjs: packageVersion('@tensorflow/tfjs'),
    torch: torchVersion(),
    loadAtStart: loadavg(),
  };
}

/** The report's "where and when" section, in Markdown. */
export function machineSection(facts: MachineFacts, started: Date, extra: string[] = []): string {
  const load = (values: readonly number[]): string => values.map((value) => value.toFixed(2)).join(' / ');
  return [
    '## Machine and versions',
    '',
    `- Run ${started.toISOString()} to ${new Date().toISOString()}`,
    `- ${facts.cpu}, ${facts.cores} cores, ${facts.memoryGiB} GiB; load average (1/5/15 min) ${load(facts.loadAtStart)} at start, ${load(loadavg())} at end`,
    `- Node ${facts.node}, @tensorflow/tfjs ${facts.tfjs}${facts.torch ? `, ${facts.torch} (Debian python3-torch)` : ', PyTorch not installed'}`,
    ...extra.map((line) => `- ${line}`),
    '',
  ].join('\n');
}
