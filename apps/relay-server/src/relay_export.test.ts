import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type protocol } from '@splitlearn/split-core';
import { connectNodeParticipant, writeSegmentFiles, type NodeParticipant } from '@splitlearn/split-core/node';
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
  metrics: {
    accuracy: number;
    loss: number;
    auc?: number | null;
    count: number;
    confusion: number[][];
    participants?: number;
    failed?: number;
    weights?: { client?: string; server?: string };
    operatingPoint?: { threshold: number; sensitivity: number; specificity: number };
  };
}

interface InferJson {
  study: { id: string };
  trainedRounds: number;
  cutCodec: string;
  metrics: { accuracy: number; loss: number; count: number; confusion: number[][]; auc: number | null };
  skipped: unknown[];
  studyValidation?: { round: number; accuracy: number; count: number; weights?: { client?: string; server?: string }; best?: boolean; metric?: string; operatingPoint?: { threshold: number } };
  atThreshold?: { threshold: number; accuracy: number; sensitivity: number; specificity: number };
  weights: { client: string; server: string; validated: boolean | null; validatedRound?: number };
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

function studyConfig(topology: 'vanilla' | 'u-shaped', extra: Partial<protocol.HorizontalStudyConfigInput> = {}): protocol.HorizontalStudyConfigInput {
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

/**
 * The study's best round by a figure, worked out here from the stored rows (not with the
 * relay's code): the highest (the lowest loss), the earliest among equals.
 */
function bestOf(rows: readonly ValRow[], metric: 'auc' | 'accuracy' = 'auc'): ValRow {
  const validated = rows.filter((row) => row.phase === 'val').sort((a, b) => a.round - b.round);
  const value = (row: ValRow): number => (metric === 'auc' ? (row.metrics.auc ?? Number.NEGATIVE_INFINITY) : row.metrics.accuracy);
  const best = validated.reduce<ValRow | undefined>((chosen, row) => (chosen === undefined || value(row) > value(chosen) ? row : chosen), undefined);
  if (!best) throw new Error('the study recorded no validation metrics');
  return best;
}

/** Trains a study with headless client processes that export their segments when it finishes; the export is of its best round. */
async function trainAndExport(config: Record<string, unknown>): Promise<{ studyId: string; bestVal: ValRow; lastVal: ValRow; clientDirs: string[]; serverDir: string }> {
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
  const bestVal = bestOf(rows, config.bestRoundMetric === 'accuracy' ? 'accuracy' : 'auc');

  const serverDir = path.join(scratch, created.id, 'server');
  // The token from the environment, as the README recommends, not on the command line.
  const exported = await finished(startCommand(EXPORT, ['--url', relay.url, '--study', created.id, '--out', serverDir], { RELAY_TOKEN: relay.token }), 'npm run export');
  expect(exported).toMatch(/exported the server (head|middle) segment 1/);
  return { studyId: created.id, bestVal, lastVal, clientDirs, serverDir };
}

async function infer(args: string[]): Promise<InferJson> {
  const stdout = await finished(startCommand(INFER, [...args, '--json']), 'npm run infer');
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as InferJson;
}

/** The exported files score the clients' validation images exactly as the study did in that round. */
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
  // By construction, not by luck: the files are the weights the stored validation names.
  expect(metrics.weights?.client).toMatch(/^[0-9a-f]{64}$/);
  expect(metrics.weights?.server).toMatch(/^[0-9a-f]{64}$/);
  expect(result.weights).toMatchObject({ client: metrics.weights?.client, server: metrics.weights?.server, validated: true, validatedRound: lastVal.round });
  expect(result.warnings).toEqual([]);
}

describe('export and inference', () => {
  it('vanilla: REST server segment + client --export reproduce the study validation with npm run infer', { timeout: 600_000 }, async () => {
    const { studyId, bestVal: lastVal, clientDirs, serverDir } = await trainAndExport(studyConfig('vanilla', { schedule: 'round-robin', rounds: 2, maxStepsPerRound: 12 }));
    const weightsFile = `weights-round${lastVal.round + 1}.bin`;
    expect(await readdir(clientDirs[0] as string)).toEqual(['client-segment0']);
    expect((await readdir(serverDir)).sort()).toEqual(['model.json', weightsFile]);

    // Round-robin ends with every client holding the best round's weights: either client's files do.
    const result = await infer(['--client', clientDirs[1] as string, '--server', serverDir, '--data', 'demo', '--shard', '1/2', '--shard', '2/2']);
    expect(result).toMatchObject({ study: { id: studyId }, trainedRounds: lastVal.round + 1, cutCodec: 'fp32', skipped: [] });
    expectReproduced(result, lastVal);
    expect(result.studyValidation).toMatchObject({ best: true, metric: 'auc' });

    // The check can fail: the same model.json with every server weight negated scores
    // differently, though every shape fits. (The previous round's weights made a weaker
    // control: after a short run they can score within 1e-5 of the last round's.)
    const staleDir = path.join(scratch, studyId, 'stale-server');
    await mkdir(staleDir, { recursive: true });
    await copyFile(path.join(serverDir, 'model.json'), path.join(staleDir, 'model.json'));
    const trained = await readFile(path.join(serverDir, weightsFile));
    const negated = new Float32Array(trained.buffer.slice(trained.byteOffset, trained.byteOffset + trained.byteLength)).map((value) => -value);
    await writeFile(path.join(staleDir, weightsFile), new Uint8Array(negated.buffer));
    // The relay still serves other rounds' weights by name (it keeps the last few checkpoints).
    const previous = await fetch(`${relay.url}${exportRoute(studyId, `weights-round${2 - lastVal.round}.bin`)}`, { headers: { Authorization: `Bearer ${relay.token}` } });
    expect(previous.status).toBe(200);
    expect((await previous.arrayBuffer()).byteLength).toBe(trained.byteLength);
    const stale = await infer(['--client', clientDirs[0] as string, '--server', staleDir, '--data', 'demo', '--shard', '1/2', '--shard', '2/2']);
    expect(Math.abs(stale.metrics.loss - lastVal.metrics.loss)).toBeGreaterThan(1e-3);
    // ...and infer says why before anyone compares numbers: the files are not the validated weights.
    expect(stale.weights).toMatchObject({ client: lastVal.metrics.weights?.client, validated: false });
    expect(stale.warnings).toEqual([
      expect.stringMatching(/the server segment files hold weights \w+, but .* was exported with server weights \w+: a file was changed/),
      expect.stringMatching(new RegExp(`the server weights given \\(\\w+\\) are not the ones the study validated after round ${lastVal.round + 1}`)),
    ]);

    // tfjs loads the relay's export straight from its URL, with the token as a header.
    const served = await tf.loadLayersModel(`${relay.url}${exportRoute(studyId)}`, { requestInit: { headers: { Authorization: `Bearer ${relay.token}` } } });
    expect(served.inputs[0]?.shape).toEqual([null, 14, 14, 32]);
    expect(served.outputs[0]?.shape).toEqual([null, 2]);
    expect(served.getUserDefinedMetadata()).toMatchObject({ study: { id: studyId }, role: 'server', part: 'head', trainedRounds: lastVal.round + 1, topology: 'vanilla', classes: ['normal', 'nodule'] });
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

  it('exports the best round by default: the relay serves it, the clients end up holding and exporting it, infer reproduces it and reports at its threshold; round=latest serves the last', { timeout: 600_000 }, async () => {
    // SGD this slow moves the weights but not the predictions: every round validates alike,
    // so the earliest, round 0, stays the best by accuracy while later rounds hold other weights.
    const config = studyConfig('vanilla', { schedule: 'round-robin', rounds: 3, maxStepsPerRound: 2, optimizer: 'sgd', learningRate: 1e-6, bestRoundMetric: 'accuracy' });
    const { studyId, bestVal, lastVal, clientDirs, serverDir } = await trainAndExport(config);
    expect(bestVal.round).toBeLessThan(lastVal.round);
    expect(bestVal.metrics.weights?.client).not.toBe(lastVal.metrics.weights?.client);
    expect((await readdir(serverDir)).sort()).toEqual(['model.json', `weights-round${bestVal.round + 1}.bin`]);

    const result = await infer(['--client', clientDirs[0] as string, '--server', serverDir, '--data', 'demo', '--shard', '1/2', '--shard', '2/2']);
    expect(result.trainedRounds).toBe(bestVal.round + 1);
    expectReproduced(result, bestVal);
    expect(result.studyValidation).toMatchObject({ round: bestVal.round, best: true, metric: 'accuracy' });

    // The study's threshold: chosen on that round's pooled validation, carried by the export,
    // and infer on the same images finds the rates validation had there (within an image).
    const point = bestVal.metrics.operatingPoint;
    if (!point) throw new Error('the validation row has no operating point');
    expect(result.studyValidation?.operatingPoint?.threshold).toBe(point.threshold);
    expect(result.atThreshold?.threshold).toBe(point.threshold);
    const positives = bestVal.metrics.confusion[1]?.reduce((a, b) => a + b, 0) ?? 1;
    const negatives = bestVal.metrics.confusion[0]?.reduce((a, b) => a + b, 0) ?? 1;
    expect(Math.abs((result.atThreshold?.sensitivity ?? 0) - point.sensitivity) * positives).toBeLessThanOrEqual(1);
    expect(Math.abs((result.atThreshold?.specificity ?? 0) - point.specificity) * negatives).toBeLessThanOrEqual(1);

    // The latest round stays one query away.
    const latest = (await (await fetch(`${relay.url}${exportRoute(studyId)}?round=latest`, { headers: { Authorization: `Bearer ${relay.token}` } })).json()) as { weightsManifest: { paths: string[] }[]; userDefinedMetadata: { validation?: { round: number; best?: boolean } } };
    expect(latest.weightsManifest[0]?.paths).toEqual([`./weights-round${lastVal.round + 1}.bin`]);
    expect(latest.userDefinedMetadata.validation).toMatchObject({ round: lastVal.round, best: false });
    expect((await get(`${exportRoute(studyId)}?round=first`, relay.token)).body.error).toMatch(/round=best .* or round=latest/);
  });

  // A participant whose connection drops mid-round misses that round's hand-off or average;
  // when it rejoins before validation, it must validate the study's weights, not its own, or
  // the stored figures would be of a model nobody can download. The drop is a real transport
  // close (socket.io reconnects and the agent rejoins); the study is paused meanwhile so that
  // its validation waits for the rejoin instead of racing it.
  it.each([
    ['vanilla', 'round-robin'],
    ['u-shaped', 'splitfed-v2'],
  ] as const)('%s, %s: a participant that drops out mid-round and rejoins validates the weights everyone exports', { timeout: 600_000 }, async (topology, schedule) => {
    const created = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', studyConfig(topology, { schedule, rounds: 1, maxStepsPerRound: 40 }));
    const steadyDir = path.join(scratch, created.id, 'steady');
    const flakyDir = path.join(scratch, created.id, 'flaky');
    const steady = startCommand(CLIENT, ['--url', relay.url, '--study', created.joinCode, '--data', 'demo', '--shard', '1/2', '--label', 'steady', '--export', steadyDir]);
    let flaky: NodeParticipant | undefined;
    let dropped = false;
    let rejoined = false;
    let finishedState = false;
    try {
      flaky = await connectNodeParticipant({
        url: relay.url,
        joinCode: created.joinCode,
        data: { source: 'demo', shard: { index: 1, count: 2 } },
        label: 'flaky',
        backend: 'wasm',
        events: {
          onProgress: (progress) => {
            if (dropped || progress.phase !== 'train' || progress.step !== 1 || !flaky) return;
            dropped = true;
            void api(relay, 'POST', `/api/studies/${created.id}/control`, { action: 'pause' });
            flaky.socket.io.engine.close();
          },
          // The relay sends the study's state to a participant once it has rejoined its room.
          onStudy: (state) => {
            if (dropped && flaky?.socket.connected) rejoined = true;
            if (state.state === 'finished') finishedState = true;
          },
        },
      });
      const joined = flaky;
      await waitFor('both clients to join', async () => ((await api<{ participants: number }>(relay, 'GET', `/api/studies/${created.id}`)).participants === CLIENTS ? true : undefined));
      await api(relay, 'POST', `/api/studies/${created.id}/control`, { action: 'start' });
      await waitFor('the flaky participant to drop out and rejoin', () => (rejoined ? true : undefined), 300_000);
      expect((await api<{ state: string }>(relay, 'GET', `/api/studies/${created.id}`)).state).toBe('paused');
      await api(relay, 'POST', `/api/studies/${created.id}/control`, { action: 'resume' });
      await finished(steady, 'the steady client');
      await waitFor('the flaky participant to see the study finish', () => (finishedState ? true : undefined));
      for (const files of await joined.participant.exportClientSegments()) await writeSegmentFiles(path.join(flakyDir, `${files.metadata.role}-segment${files.metadata.index}`), files);
    } finally {
      steady.child.kill();
      flaky?.close();
    }

    const rows = (await api<{ metrics: ValRow[] }>(relay, 'GET', `/api/studies/${created.id}/metrics`)).metrics;
    const train = rows.find((row) => row.phase === 'train');
    const val = rows.find((row) => row.phase === 'val');
    // The fault happened as intended: the flaky participant failed its training, yet validated.
    expect(train?.metrics.failed).toBe(1);
    expect(val?.metrics.participants).toBe(CLIENTS);
    if (!val) throw new Error('the study recorded no validation');

    const serverDir = path.join(scratch, created.id, 'server');
    await finished(startCommand(EXPORT, ['--url', relay.url, '--study', created.id, '--out', serverDir], { RELAY_TOKEN: relay.token }), 'npm run export');
    const shards = ['--data', 'demo', '--shard', '1/2', '--shard', '2/2'];
    const fromSteady = await infer(['--client', steadyDir, '--server', serverDir, ...shards]);
    const fromFlaky = await infer(['--client', flakyDir, '--server', serverDir, ...shards]);
    expectReproduced(fromSteady, val);
    expectReproduced(fromFlaky, val);
    expect(fromFlaky.weights.client).toBe(fromSteady.weights.client);
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
