// Benchmark (not a test): many headless clients on one relay in SplitFed V2 for minutes, a
// dashboard watching. Reports the relay's RSS over time (and whether it is flat after the
// warm-up), the dashboard's update latency (relay send to viewer receipt) and every error.
// Its small version runs in `npm test` (src/relay_load.test.ts).
//
//   npm run bench:load -- [--clients 200] [--minutes 5] [--steps-per-round 2] [--json FILE]
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backends } from '@splitlearn/split-core';
import { runLoad } from '../src/testing/load_run';
import { startRelayProcess } from '../src/testing/relay_process';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const { values } = parseArgs({ options: { clients: { type: 'string', default: '200' }, minutes: { type: 'string', default: '5' }, out: { type: 'string' }, 'steps-per-round': { type: 'string', default: '2' }, json: { type: 'string' } } });
const clients = Number(values.clients);
const seconds = Number(values.minutes) * 60;

await backends.initBackend('wasm');
// Every client connects from this machine: the per-address limits are raised to fit them.
const relay = await startRelayProcess({
  args: ['--max-connections-per-address', String(clients + 16), '--max-hellos-per-minute', String(clients * 2), '--max-participants-per-study', String(clients)],
  env: { LOG_LEVEL: 'warn' },
});
try {
  const report = await runLoad({ relay, clients, rounds: Number.POSITIVE_INFINITY, seconds, sampleEveryMs: 10_000, stepsPerRound: Number(values['steps-per-round']), progress: (line) => console.log(line) });
  // Flat after warm-up: the last third of the run against the middle third.
  const third = (k: number): number[] => report.rss.filter((sample) => sample.second >= (k * report.seconds) / 3 && sample.second < ((k + 1) * report.seconds) / 3).map((sample) => sample.mb);
  const mean = (xs: number[]): number => xs.reduce((sum, x) => sum + x, 0) / Math.max(1, xs.length);
  const drift = mean(third(2)) - mean(third(1));
  const lines = [
    `# Relay load: ${report.clients} clients, SplitFed V2, ${(report.seconds / 60).toFixed(1)} minutes`,
    '',
    `- rounds: ${report.rounds}; clients whose steps the server counted: ${report.contributors} of ${report.clients}`,
    `- training steps: ${report.steps.total} (${report.steps.perSecond.toFixed(1)} per second); between a client's consecutive steps p50 ${report.steps.latencyP50.toFixed(0)} ms, p95 ${report.steps.latencyP95.toFixed(0)} ms`,
    `- errors: ${report.errors.length}${report.errors.length ? ` (first: ${report.errors[0]})` : ''}`,
    `- dashboard updates: ${report.dashboardLatency.updates}; latency p50 ${report.dashboardLatency.p50} ms, p95 ${report.dashboardLatency.p95} ms, max ${report.dashboardLatency.max} ms`,
    `- relay RSS: ${report.rss[0]?.mb.toFixed(0)} MB at start, ${report.rss.at(-1)?.mb.toFixed(0)} MB at the end; last third minus middle third ${drift.toFixed(1)} MB`,
    '',
    '| second | RSS (MB) |',
    '| ---: | ---: |',
    ...report.rss.map((sample) => `| ${sample.second.toFixed(0)} | ${sample.mb.toFixed(0)} |`),
  ];
  console.log(lines.join('\n'));
  const out = values.out ?? path.join(REPO_ROOT, 'bench-results', `relay-load-${clients}.md`);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${lines.join('\n')}\n`);
  console.log(`written to ${out}`);
  if (values.json) await writeFile(values.json, JSON.stringify({ ...report, drift }));
} finally {
  await relay.dispose();
}
