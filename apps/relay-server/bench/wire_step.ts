// Benchmark (not a test): time per training step over the wire (a headless Node client, and
// with --browser also the contribute page in Debian's Chromium, each alone with the relay on
// loopback) against the same step in process, and bytes per step against the size of the cut
// tensor. Medians over rounds; all measured in the same run.
//
//   npx tsx apps/relay-server/bench/wire_step.ts [--steps 20] [--rounds 4] [--codec fp32] [--browser] [--json FILE]
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { codec, data, model, schedule, topology, training } from '@splitlearn/split-core';
import { connectNodeParticipant, initNodeWasmBackend } from '@splitlearn/split-core/node';
import { demoStudy } from '../src/testing/demo_study';
import { api, startRelayProcess, waitFor } from '../src/testing/relay_process';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '20' }, rounds: { type: 'string', default: '4' }, codec: { type: 'string', default: 'fp32' }, browser: { type: 'boolean', default: false }, json: { type: 'string' } } });
const steps = Number(values.steps);
const rounds = Number(values.rounds);
const encoding = (values.codec ?? 'fp32') as codec.Encoding;
const batchSize = 64;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

// The same wasm threads as the relay's segment workers and the Node client (SPLITNN_WASM_THREADS).
await initNodeWasmBackend('wasm');
const config = demoStudy('wire bench', { batchSize, rounds, maxStepsPerRound: steps, minClients: 1, codec: encoding });

// Over the wire: one Node client, the relay on loopback.
const relay = await startRelayProcess();
const created = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', config);
const client = await connectNodeParticipant({ url: relay.url, joinCode: created.joinCode, data: { source: 'demo' }, backend: 'wasm' });
await api(relay, 'POST', `/api/studies/${created.id}/control`, { action: 'start' });
await waitFor('the study to finish', async () => ((await api<{ state: string }>(relay, 'GET', `/api/studies/${created.id}`)).state === 'finished' ? true : undefined), 1_800_000, 500);
const rows = (await api<{ metrics: { phase: string; metrics: { seconds?: number } }[] }>(relay, 'GET', `/api/studies/${created.id}/metrics`)).metrics;
const stepMsPerRound = (metricRows: typeof rows): number[] => metricRows.filter((row) => row.phase === 'train').map((row) => ((row.metrics.seconds ?? 0) * 1000) / steps);
const wireStepMs = stepMsPerRound(rows);
const sent = client.participant.meter.snapshot().byKind;
const evalSteps = Math.ceil(client.data.val.samples.length / batchSize);
const activationFrames = (sent.activations?.up.messages ?? 0);
const bytesPerActivationFrame = (sent.activations?.up.bytes ?? 0) / activationFrames;
client.close();

// Over the wire from the browser: the contribute page (its training worker) alone in a study.
let browserStepMs: number[] = [];
let browserBackend = '';
if (values.browser) {
  const support = await import('../../../e2e/support');
  const { writeDemoFolder } = await import('../../../e2e/demo_folder');
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'wire-bench-'));
  const folder = path.join(scratch, 'images');
  // Enough images that the 80 % kept for training fill every step of every round.
  await writeDemoFolder(folder, { count: Math.ceil((steps * batchSize) / 0.75) });
  const browserRelay = await startRelayProcess({ args: ['--web-dir', await support.builtWebApp(scratch)] });
  const browser = await support.launchChromium();
  try {
    const study = await api<{ id: string; joinCode: string }>(browserRelay, 'POST', '/api/studies', { ...config, name: 'wire bench (browser)' });
    const page = await browser.newPage();
    await support.openStudyAndPickFolder(page, browserRelay, study.joinCode, folder, 'link');
    browserBackend = await support.figureText(page, 'Training engine');
    await support.joinAndWaitForId(page);
    await api(browserRelay, 'POST', `/api/studies/${study.id}/control`, { action: 'start' });
    await waitFor('the browser study to finish', async () => ((await api<{ state: string }>(browserRelay, 'GET', `/api/studies/${study.id}`)).state === 'finished' ? true : undefined), 1_800_000, 500);
    browserStepMs = stepMsPerRound((await api<{ metrics: typeof rows }>(browserRelay, 'GET', `/api/studies/${study.id}/metrics`)).metrics);
  } finally {
    await browser.close();
    await browserRelay.dispose();
    await rm(scratch, { recursive: true, force: true });
  }
}
await relay.dispose();

// In process: the same model, batch, steps and codec through the in-process federation.
const spec = model.getModelSpec('cnn-small', { numClasses: 2 });
const demo = data.generateDemoDataset({ seed: 2026, valSize: 0 });
const inProcessMs: number[] = [];
const simulation = new training.Simulation({
  plans: topology.horizontalRolePlans(topology.planSplit(spec, topology.vanilla)),
  schedule: new schedule.RoundRobinSchedule(),
  optimizer: { name: 'adam', learningRate: 0.001 },
  batchSize,
  seed: 1,
  encoding,
  clients: [{ id: 'solo', data: { ...demo.train, samples: demo.train.samples.slice(0, steps * batchSize) } }],
});
for (let round = 0; round < rounds; round++) {
  const report = await simulation.runEpoch();
  inProcessMs.push((report.seconds * 1000) / steps);
}
simulation.dispose();

const cutBytes = batchSize * 14 * 14 * 32 * 4;
const expectedFrame = codec.encodedSize([batchSize, 14, 14, 32], 'float32', encoding, 'activations'.length);
console.log(`cnn-small, vanilla, batch ${batchSize}, ${steps} steps x ${rounds} rounds, codec ${encoding} (median per step; first round included)`);
console.log(`  over the wire (Node client, relay on loopback):  ${median(wireStepMs).toFixed(1)} ms   rounds: ${wireStepMs.map((ms) => ms.toFixed(0)).join(', ')}`);
if (values.browser) {
  console.log(`  over the wire (Chromium page, relay on loopback): ${median(browserStepMs).toFixed(1)} ms   rounds: ${browserStepMs.map((ms) => ms.toFixed(0)).join(', ')}   (${browserBackend})`);
}
console.log(`  in process (same code, no sockets):              ${median(inProcessMs).toFixed(1)} ms   rounds: ${inProcessMs.map((ms) => ms.toFixed(0)).join(', ')}`);
console.log(`  ratio wire / in process:                         ${(median(wireStepMs) / median(inProcessMs)).toFixed(2)}x (Node client)`);
if (values.browser) console.log(`                                                   ${(median(browserStepMs) / median(inProcessMs)).toFixed(2)}x (Chromium page)`);
console.log(`  bytes per activation frame: ${bytesPerActivationFrame.toFixed(0)} (cut tensor ${cutBytes} B as fp32; encoded frame ${expectedFrame} B); ${activationFrames} frames incl. ${evalSteps * rounds} for validation`);

if (values.json) {
  // For npm run bench's report: every round's figure, not just the medians.
  await mkdir(path.dirname(values.json), { recursive: true });
  await writeFile(values.json, JSON.stringify({ steps, rounds, batchSize, codec: encoding, wireStepMs, browserStepMs, browserBackend, inProcessMs, bytesPerActivationFrame, cutBytes, expectedFrame }));
}
