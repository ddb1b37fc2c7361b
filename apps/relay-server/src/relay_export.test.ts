import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type protocol } from '@splitlearn/split-core';
import { api, startCommand, startRelayProcess, waitFor, type CommandProcess, type RelayProcess } from './testing/relay_process';
import { demoStudy } from './testing/demo_study';

// Issue 4: after a study, the researcher downloads the server segment from the relay, each
// headless client writes its own client segment(s), and `npm run infer` on those files
// reproduces the validation figures the study recorded: same images, same numbers. A real
// relay process, real client processes, the real command lines.

const CLIENT = 'packages/split-core/src/node/client/cli.ts';
const EXPORT = 'packages/split-core/src/node/export/cli.ts';
const INFER = 'packages/split-core/src/node/infer/cli.ts';
const CLIENTS = 2;

interface ValRow {
  round: number;
  phase: 'train' | 'val';
  metrics: { accuracy: number; loss: number; count: number; confusion: number[][] };
}

interface InferJson {
  study: { id: string };
  trainedRounds: number;
  cutCodec: string;
  metrics: { accuracy: number; loss: number; count: number; confusion: number[][]; auc: number | null };
  skipped: unknown[];
  studyValidation?: { round: number; accuracy: number; count: number };
  warnings: string[];
}

let relay: RelayProcess;
let scratch: string;

beforeAll(async () => {
  await backends.initBackend('wasm');
  scratch = await mkdtemp(path.join(os.tmpdir(), 'export-test-'));
  relay = await startRelayProcess();
});

afterAll(async () => {
  if (process.env.RELAY_TEST_LOG) console.log(relay?.output());
  await relay?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

function studyConfig(topology: 'vanilla' | 'u-shaped', extra: Partial<protocol.StudyConfigInput> = {}): protocol.StudyConfigInput {
  return demoStudy(`export ${topology}`, { topology, learningRate: 0.005, minClients: CLIENTS, ...extra });
}

function exportRoute(studyId: string, file = 'model.json'): string {
  return `/api/studies/${studyId}/export/server/${file}`;
}

async function get(route: string, token?: string): Promise<{ status: number; body: { error?: string } }> {
  const response = await fetch(`${relay.url}${route}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: (await response.json()) as { error?: string } };
}

async function finished(command: CommandProcess, what: string): Promise<string> {
  const { code, stdout, stderr } = await command.exited;
  if (code !== 0) throw new Error(`${what} exited with ${code}:\n${stderr}`);
  return stdout;
}

/** Trains a study with headless client processes that export their segments when it finishes. */
async function trainAndExport(config: Record<string, unknown>): Promise<{ studyId: string; lastVal: ValRow; clientDirs: string[]; serverDir: string }> {
  const created = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', config);
  const clientDirs = Array.from({ length: CLIENTS }, (_, k) => path.join(scratch, created.id, `client-${k + 1}`));
  const clients = clientDirs.map((dir, k) =>
    startCommand(CLIENT, ['--url', relay.url, '--study', created.joinCode, '--data', 'demo', '--shard', `${k + 1}/${CLIENTS}`, '--label', `export-${k + 1}`, '--export', dir]),
  );
  try {
    await waitFor('both clients to join', async () => ((await api<{ participants: number }>(relay, 'GET', `/api/studies/${created.id}`)).participants === CLIENTS ? true : undefined), 120_000, 250);
    await api(relay, 'POST', `/api/studies/${created.id}/control`, { action: 'start' });
    // Each client exports its segments when the study finishes, then exits.
    await Promise.all(clients.map((client, k) => finished(client, `client ${k + 1}`)));
  } finally {
    for (const client of clients) client.child.kill();
  }
  const rows = (await api<{ metrics: ValRow[] }>(relay, 'GET', `/api/studies/${created.id}/metrics`)).metrics;
  const lastVal = rows.filter((row) => row.phase === 'val').sort((a, b) => b.round - a.round)[0];
  if (!lastVal) throw new Error('the study recorded no validation metrics');

  const serverDir = path.join(scratch, created.id, 'server');
  // The token from the environment, as the README recommends, not on the command line.
  const exported = await finished(startCommand(EXPORT, ['--url', relay.url, '--study', created.id, '--out', serverDir], { RELAY_TOKEN: relay.token }), 'npm run export');
  expect(exported).toMatch(/exported the server (head|middle) segment 1/);
  return { studyId: created.id, lastVal, clientDirs, serverDir };
}

async function infer(args: string[]): Promise<InferJson> {
  const stdout = await finished(startCommand(INFER, [...args, '--json']), 'npm run infer');
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as InferJson;
}

/** The exported files score the clients' validation images exactly as the study did. */
function expectReproduced(result: InferJson, lastVal: ValRow): void {
  const { metrics } = lastVal;
  expect(result.metrics.count).toBe(metrics.count);
  // Within one image of the study's accuracy; the loss (a mean over continuous scores) pins
  // the weights themselves: any other round's or client's weights would move it. The same
  // kernels on the same batches give the same floats (measured: equal to 1e-15).
  expect(Math.abs(result.metrics.accuracy - metrics.accuracy) * metrics.count).toBeLessThanOrEqual(1);
  expect(Math.abs(result.metrics.loss - metrics.loss)).toBeLessThan(1e-6);
  const differing = result.metrics.confusion.flat().reduce((sum, value, i) => sum + Math.abs(value - (metrics.confusion.flat()[i] ?? 0)), 0);
  expect(differing).toBeLessThanOrEqual(2);
  expect(result.studyValidation).toMatchObject({ round: lastVal.round, count: metrics.count });
  expect(result.warnings).toEqual([]);
}

describe('export and inference', () => {
  it('vanilla: REST server segment + client --export reproduce the study validation with npm run infer', { timeout: 600_000 }, async () => {
    const { studyId, lastVal, clientDirs, serverDir } = await trainAndExport(studyConfig('vanilla', { schedule: 'round-robin', rounds: 2, maxStepsPerRound: 12 }));
    expect(await readdir(clientDirs[0] as string)).toEqual(['client-segment0']);
    expect((await readdir(serverDir)).sort()).toEqual(['model.json', 'weights-round2.bin']);

    // Round-robin ends with every client holding the last hand-off: either client's files do.
    const result = await infer(['--client', clientDirs[1] as string, '--server', serverDir, '--data', 'demo', '--shard', '1/2', '--shard', '2/2']);
    expect(result).toMatchObject({ study: { id: studyId }, trainedRounds: 2, cutCodec: 'fp32', skipped: [] });
    expectReproduced(result, lastVal);

    // The check can fail: the same model.json with every server weight negated scores
    // differently, though every shape fits. (The previous round's weights made a weaker
    // control: after a short run they can score within 1e-5 of the last round's.)
    const staleDir = path.join(scratch, studyId, 'stale-server');
    await mkdir(staleDir, { recursive: true });
    await copyFile(path.join(serverDir, 'model.json'), path.join(staleDir, 'model.json'));
    const trained = await readFile(path.join(serverDir, 'weights-round2.bin'));
    const negated = new Float32Array(trained.buffer.slice(trained.byteOffset, trained.byteOffset + trained.byteLength)).map((value) => -value);
    await writeFile(path.join(staleDir, 'weights-round2.bin'), new Uint8Array(negated.buffer));
    // The relay still serves earlier rounds' weights by name (it keeps the last few checkpoints).
    const previous = await fetch(`${relay.url}${exportRoute(studyId, 'weights-round1.bin')}`, { headers: { Authorization: `Bearer ${relay.token}` } });
    expect(previous.status).toBe(200);
    expect((await previous.arrayBuffer()).byteLength).toBe(trained.byteLength);
    const stale = await infer(['--client', clientDirs[0] as string, '--server', staleDir, '--data', 'demo', '--shard', '1/2', '--shard', '2/2']);
    expect(Math.abs(stale.metrics.loss - lastVal.metrics.loss)).toBeGreaterThan(1e-3);

    // tfjs loads the relay's export straight from its URL, with the token as a header.
    const served = await tf.loadLayersModel(`${relay.url}${exportRoute(studyId)}`, { requestInit: { headers: { Authorization: `Bearer ${relay.token}` } } });
    expect(served.inputs[0]?.shape).toEqual([null, 14, 14, 32]);
    expect(served.outputs[0]?.shape).toEqual([null, 2]);
    expect(served.getUserDefinedMetadata()).toMatchObject({ study: { id: studyId }, role: 'server', part: 'head', trainedRounds: 2, topology: 'vanilla', classes: ['normal', 'nodule'] });
    served.dispose();
  });

  it('U-shaped with fp16 cut tensors: bottom and head from the client, middle from the relay', { timeout: 600_000 }, async () => {
    const { studyId, lastVal, clientDirs, serverDir } = await trainAndExport(studyConfig('u-shaped', { schedule: 'splitfed-v2', rounds: 1, maxStepsPerRound: 12, codec: 'fp16' }));
    expect((await readdir(clientDirs[0] as string)).sort()).toEqual(['client-segment0', 'client-segment2']);
    // One folder holding both client segments; the cut tensors rounded as the study's wire did.
    const result = await infer(['--client', clientDirs[0] as string, '--server', serverDir, '--data', 'demo', '--shard', '1/2', '--shard', '2/2']);
    expect(result).toMatchObject({ study: { id: studyId }, trainedRounds: 1, cutCodec: 'fp16' });
    expectReproduced(result, lastVal);

    // Without the head the command says what is missing instead of scoring something else.
    const missing = await startCommand(INFER, ['--client', path.join(clientDirs[0] as string, 'client-segment0'), '--server', serverDir, '--data', 'demo']).exited;
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/client head segment .* is missing: pass it with --client/);
  });

  it('needs the researcher token, and has nothing to export before the first checkpoint', { timeout: 120_000 }, async () => {
    const created = await api<{ id: string }>(relay, 'POST', '/api/studies', studyConfig('vanilla', { schedule: 'round-robin' }));
    expect((await get(exportRoute(created.id))).status).toBe(401);
    expect((await get(exportRoute(created.id), 'not-the-token')).status).toBe(401);
    expect((await get(exportRoute(created.id, 'weights-round1.bin'))).status).toBe(401);
    const early = await get(exportRoute(created.id), relay.token);
    expect(early.status).toBe(404);
    expect(early.body.error).toMatch(/no checkpoint yet/);
    expect((await get(exportRoute('no-such-study'), relay.token)).body.error).toMatch(/no study no-such-study/);
    const clientRoute = await get(`/api/studies/${created.id}/export/client/model.json`, relay.token);
    expect(clientRoute.status).toBe(404);
    expect(clientRoute.body.error).toMatch(/client segments stay with the clients/);

    const out = path.join(scratch, 'refused');
    const noToken = await startCommand(EXPORT, ['--url', relay.url, '--study', created.id, '--out', out], { RELAY_TOKEN: '' }).exited;
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/researcher token is empty: set RELAY_TOKEN/);
    const wrongToken = await startCommand(EXPORT, ['--url', relay.url, '--study', created.id, '--out', out, '--token', 'not-the-token']).exited;
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toMatch(/401 .*researcher token/);
  });
});
