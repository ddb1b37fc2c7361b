import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounting, backends, data, protocol, study } from '@splitlearn/split-core';
import { connectNodeParticipant, type NodeParticipant } from '@splitlearn/split-core/node';
import { parseCsv } from '../testing/csv_reader';
import { api, startRelayProcess, waitFor, type RelayProcess } from '../testing/relay_process';
import { demoStudy } from '../testing/demo_study';
import { METRICS_CSV_COLUMNS } from './metrics_csv';

// The researcher dashboard's relay side, against a real relay process, real socket.io
// viewers, real SQLite and real Node clients training on the generated demo data: live
// events, snapshots for late viewers and after a restart, per-client accounting checked
// against the clients' own meters, schedule and codec changes checked on the wire,
// metrics.csv, the booth's demo API, and hostile viewer messages.

type ViewerSocket = Socket<protocol.DashboardServerToClientEvents, protocol.DashboardClientToServerEvents>;

const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');
const relays: RelayProcess[] = [];
const children: ChildProcess[] = [];
let relay: RelayProcess;
let wireLog: string;
/**
 * A fast heartbeat: a killed client shows as disconnected within seconds, yet a client busy on
 * two shared cores (the full suite runs beside this) is not dropped for one late pong.
 */
const FAST_HEARTBEAT = ['--ping-interval-ms', '2000', '--ping-timeout-ms', '5000'];

beforeAll(async () => {
  await backends.initBackend('wasm');
  wireLog = path.join(await mkdtemp(path.join(os.tmpdir(), 'dashboard-wire-')), 'wire.jsonl');
  relay = await startRelayProcess({ args: ['--wire-log', wireLog, ...FAST_HEARTBEAT] });
  relays.push(relay);
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (process.env.RELAY_TEST_LOG) for (const each of relays) console.log(each.output());
  for (const each of relays) await each.dispose();
});

/** A dashboard viewer that records every live event it receives. */
class Viewer {
  readonly studies: protocol.StudyInfo[] = [];
  readonly rounds: protocol.DashboardRound[] = [];
  readonly tables: protocol.DashboardClient[][] = [];
  readonly errors: protocol.RelayError[] = [];
  readonly sentAt: number[] = [];

  private constructor(readonly socket: ViewerSocket) {
    socket.on('dashboard:study', (update) => {
      this.studies.push(update.study);
      this.sentAt.push(update.sentAt);
    });
    socket.on('dashboard:round', (update) => {
      this.rounds.push(update.round);
      this.sentAt.push(update.sentAt);
    });
    socket.on('dashboard:clients', (update) => {
      this.tables.push(update.clients);
      this.sentAt.push(update.sentAt);
    });
    socket.on('dashboard:error', (error) => this.errors.push(error));
  }

  static async connect(target: RelayProcess): Promise<Viewer> {
    const socket: ViewerSocket = io(`${target.url}${protocol.DASHBOARD_NAMESPACE}`, { transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return new Viewer(socket);
  }

  watch(studyId: unknown): Promise<protocol.DashboardWatchReply> {
    return new Promise((resolve) => this.socket.emit('dashboard:watch', studyId, resolve));
  }

  async snapshot(studyId: string): Promise<protocol.DashboardSnapshot> {
    const reply = await this.watch({ studyId });
    if (!reply.ok) throw new Error(`watch refused: ${reply.error.message}`);
    return reply.snapshot;
  }

  /** The first clients table (from now on or already received) where `test` holds. */
  table(what: string, test: (clients: protocol.DashboardClient[]) => boolean, timeoutMs = 120_000): Promise<protocol.DashboardClient[]> {
    return waitFor(what, () => this.tables.find(test), timeoutMs, 50);
  }

  close(): void {
    this.socket.close();
  }
}

function studyConfig(name: string, extra: Partial<protocol.HorizontalStudyConfigInput>): protocol.HorizontalStudyConfigInput {
  return demoStudy(name, { learningRate: 0.002, ...extra });
}

function joinInProcess(target: RelayProcess, joinCode: string, shards: number[], count: number): Promise<NodeParticipant[]> {
  return Promise.all(shards.map((index) => connectNodeParticipant({ url: target.url, joinCode, data: { source: 'demo', shard: { index, count } }, label: `node-${index}`, backend: 'wasm' })));
}

/** The headless client command line, as a process that can be killed without a goodbye. */
function spawnClient(target: RelayProcess, joinCode: string, shard: string, label: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/split-core/src/node/client/cli.ts', '--url', target.url, '--study', joinCode, '--data', 'demo', '--shard', shard, '--label', label], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'ignore'] });
  children.push(child);
  return child;
}

async function studyState(target: RelayProcess, studyId: string): Promise<{ state: string; round: number }> {
  return api<{ state: string; round: number }>(target, 'GET', `/api/studies/${studyId}`);
}

function untilFinished(target: RelayProcess, studyId: string): Promise<true> {
  return waitFor('the study to finish', async () => ((await studyState(target, studyId)).state === 'finished' ? true : undefined), 300_000, 250);
}

function flopsPerSample(input: protocol.StudyConfigInput): { client: number; server: number } {
  const split = study.studySplit(protocol.StudyConfigSchema.parse(input));
  return { client: accounting.trainingFlopsPerSample(split.client), server: accounting.trainingFlopsPerSample(split.server) };
}

function statusesOf(viewer: Viewer, participantId: string): Set<protocol.ClientStatus> {
  return new Set(viewer.tables.flatMap((table) => table.filter((client) => client.participantId === participantId).map((client) => client.status)));
}

interface WireEntry {
  event: string;
  participant: string | null;
  args: [{ round?: number; kind?: string }, { binary?: string; name?: string; encoding?: string; bytes?: number; shape?: number[] }?];
}

describe('dashboard: live feed, late viewers, restart', () => {
  it('streams rounds and the clients table live, shows a late viewer every round so far, and keeps the history across a restart', { timeout: 600_000 }, async () => {
    // A relay of its own: this test restarts it.
    const live = await startRelayProcess({ args: FAST_HEARTBEAT });
    relays.push(live);
    const config = studyConfig('dashboard live', { rounds: 3, maxStepsPerRound: 4, minClients: 2 });
    const created = await api<{ id: string; joinCode: string }>(live, 'POST', '/api/studies', config);
    const early = await Viewer.connect(live);
    const before = await early.snapshot(created.id);
    expect(before).toMatchObject({ study: { id: created.id, state: 'open', round: 0 }, rounds: [], clients: [] });

    const clients = await joinInProcess(live, created.joinCode, [0, 1], 3);
    const ids = clients.map((client) => client.participant.identity?.participantId ?? '');
    spawnClient(live, created.joinCode, '3/3', 'victim');
    const joined = await early.table('all three clients, idle before the start', (table) => table.length === 3 && table.every((client) => client.status === 'idle'));
    const victim = joined.find((client) => client.label === 'victim');
    expect(victim).toBeDefined();
    const victimId = victim?.participantId ?? '';

    await api(live, 'POST', `/api/studies/${created.id}/control`, { action: 'start' });
    await waitFor('the study update to training', () => (early.studies.some((study) => study.state === 'training') ? true : undefined));
    // Round-robin: the victim joined last, so it trains third; kill it mid-turn, no goodbye.
    await early.table('the victim training', (table) => table.some((client) => client.participantId === victimId && client.status === 'training'));
    const victimProcess = children[children.length - 1];
    victimProcess?.kill('SIGKILL');
    await early.table('the victim disconnected', (table) => table.some((client) => client.participantId === victimId && client.status === 'disconnected'));

    await waitFor('two rounds on the early viewer', () => (early.rounds.length >= 2 ? true : undefined), 300_000, 100);
    const late = await Viewer.connect(live);
    const lateSnapshot = await late.snapshot(created.id);
    const seen = lateSnapshot.rounds.length;
    expect(seen).toBeGreaterThanOrEqual(2);
    expect(lateSnapshot.rounds.map((round) => round.round)).toEqual(Array.from({ length: seen }, (_, i) => i));

    await untilFinished(live, created.id);
    await waitFor('all three rounds live', () => (early.rounds.length === 3 ? true : undefined), 30_000, 50);
    await waitFor('the finished study live', () => (early.studies.some((study) => study.state === 'finished') ? true : undefined), 30_000, 50);

    // What the late viewer got from SQLite is exactly what the early one got live.
    expect(lateSnapshot.rounds).toEqual(early.rounds.slice(0, seen));
    expect(early.rounds.map((round) => round.round)).toEqual([0, 1, 2]);
    const perSample = flopsPerSample(config);
    const valCount = clients.reduce((sum, client) => sum + client.data.val.samples.length, 0);
    for (const round of early.rounds) {
      expect(round).toMatchObject({ schedule: 'round-robin', codec: 'fp32' });
      expect(round.samples).toBeGreaterThan(0);
      expect(round.clientFlops).toBe(round.samples * perSample.client);
      expect(round.serverFlops).toBe(round.samples * perSample.server);
      expect(round.trainAccuracy).toBeGreaterThanOrEqual(0);
      expect(round.trainAccuracy).toBeLessThanOrEqual(1);
      expect(Number.isFinite(round.trainLoss)).toBe(true);
      expect(round.samplesPerSecond).toBeCloseTo(round.samples / round.seconds, 6);
      expect(round.bytesUp).toBe(round.perClient.reduce((sum, client) => sum + client.bytesUp, 0));
    }
    // After the kill, two clients of 4 full batches of 32 each, both validating.
    for (const round of early.rounds.slice(1)) {
      expect(round.samples).toBe(2 * 4 * 32);
      expect(round).toMatchObject({ completed: 2, failed: 0 });
      expect(round.val?.count).toBe(valCount);
    }
    // Status transitions of a surviving client: idle before the start, training in its turn,
    // waiting during the other's turn, idle again once the study finished.
    const node0 = statusesOf(early, ids[0] ?? '');
    for (const status of ['idle', 'training', 'waiting'] as const) expect(node0.has(status)).toBe(true);
    const finalTable = await early.table('the final table', (table) => table.some((client) => client.participantId === ids[0] && client.status === 'idle' && client.steps === 12));
    expect(finalTable.find((client) => client.participantId === victimId)?.status).toBe('disconnected');
    for (const at of early.sentAt) expect(Number.isFinite(at)).toBe(true);

    // Per-client bytes: the relay's accounting equals what each client's own meter counted,
    // in the clients table and summed over the stored rounds.
    const after = await late.snapshot(created.id);
    for (const [i, client] of clients.entries()) {
      const own = client.participant.meter.snapshot();
      const row = after.clients.find((entry) => entry.participantId === ids[i]);
      expect(row).toMatchObject({ bytesUp: own.up.bytes, bytesDown: own.down.bytes, steps: 12, samples: 12 * 32, label: `node-${i}`, kind: 'node', status: 'idle' });
      const perRound = after.rounds.flatMap((round) => round.perClient.filter((entry) => entry.participantId === ids[i]));
      expect(perRound.reduce((sum, entry) => sum + entry.bytesUp, 0)).toBe(own.up.bytes);
      expect(perRound.reduce((sum, entry) => sum + entry.bytesDown, 0)).toBe(own.down.bytes);
    }

    // metrics.csv: an attachment that parses back to the stored numbers.
    const response = await fetch(`${live.url}/api/studies/${created.id}/metrics.csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"$/);
    const rows = parseCsv(await response.text());
    expect(rows[0]).toEqual([...METRICS_CSV_COLUMNS]);
    expect(rows).toHaveLength(1 + after.rounds.length);
    after.rounds.forEach((round, i) => {
      const record = Object.fromEntries(METRICS_CSV_COLUMNS.map((column, c) => [column, rows[i + 1]?.[c] ?? '']));
      const expected: Record<string, number | string | null | undefined> = {
        round: round.round,
        time: new Date(round.at).toISOString(),
        seconds: round.seconds,
        schedule: round.schedule,
        codec: round.codec,
        train_loss: round.trainLoss,
        train_accuracy: round.trainAccuracy,
        val_loss: round.val?.loss,
        val_accuracy: round.val?.accuracy,
        val_auc: round.val?.auc,
        val_sensitivity: round.val?.sensitivity,
        val_specificity: round.val?.specificity,
        val_count: round.val?.count,
        samples: round.samples,
        samples_per_second: round.samplesPerSecond,
        bytes_up: round.bytesUp,
        bytes_down: round.bytesDown,
        client_flops: round.clientFlops,
        server_flops: round.serverFlops,
      };
      for (const [column, value] of Object.entries(expected)) {
        if (typeof value === 'number') expect(Number(record[column]), column).toBe(value);
        else expect(record[column], column).toBe(value ?? '');
      }
    });

    // A restart: the history and each client's totals come back from SQLite.
    for (const client of clients) client.close();
    early.close();
    late.close();
    await live.stop();
    const restarted = await startRelayProcess({ dataDir: live.dataDir });
    relays.push(restarted);
    const returning = await Viewer.connect(restarted);
    try {
      const restored = await returning.snapshot(created.id);
      expect(restored.study).toMatchObject({ id: created.id, state: 'finished', round: 3 });
      expect(restored.rounds).toEqual(after.rounds);
      for (const id of ids) {
        const { status: _status, lastSeen: _lastSeen, ...totals } = after.clients.find((client) => client.participantId === id) ?? {};
        expect(restored.clients.find((client) => client.participantId === id)).toMatchObject({ ...totals, status: 'disconnected' });
      }
      const csv = await fetch(`${restarted.url}/api/studies/${created.id}/metrics.csv`);
      expect(parseCsv(await csv.text())).toEqual(rows);
    } finally {
      returning.close();
    }
  });
});

describe('dashboard: changing a running study', () => {
  it('PATCH needs the token, refuses bad values, and the next round runs the new schedule and codec (fp16 halves the activations on the wire)', { timeout: 600_000 }, async () => {
    const config = studyConfig('dashboard reconfigure', { rounds: 4, maxStepsPerRound: 2, minClients: 2 });
    const created = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', config);
    const route = `${relay.url}/api/studies/${created.id}`;
    const patch = (body: string, token?: string): Promise<Response> =>
      fetch(route, { method: 'PATCH', headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body });
    expect((await patch(JSON.stringify({ codec: 'fp16' }))).status).toBe(401);
    expect((await patch(JSON.stringify({ codec: 'fp16' }), 'not-the-token')).status).toBe(401);
    for (const bad of [{ codec: 'fp8' }, { schedule: 'gossip' }, { rounds: 9 }, { codec: 'fp16', rounds: 9 }, {}, []]) {
      const refused = await patch(JSON.stringify(bad), relay.token);
      expect(refused.status, JSON.stringify(bad)).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toMatch(/schedule.*codec/);
    }
    expect((await patch('{not json', relay.token)).status).toBe(400);
    expect((await api<{ config: protocol.StudyConfig }>(relay, 'GET', `/api/studies/${created.id}`)).config).toMatchObject({ schedule: 'round-robin', codec: 'fp32' });

    const viewer = await Viewer.connect(relay);
    await viewer.snapshot(created.id);
    const clients = await joinInProcess(relay, created.joinCode, [0, 1], 2);
    try {
      await api(relay, 'POST', `/api/studies/${created.id}/control`, { action: 'start' });
      await waitFor('the first round', () => (viewer.rounds.length >= 1 ? true : undefined), 300_000, 50);
      const changed = await patch(JSON.stringify({ schedule: 'splitfed-v2', codec: 'fp16' }), relay.token);
      expect(changed.status).toBe(200);
      const reply = (await changed.json()) as { config: protocol.StudyConfig; appliesFromRound: number };
      expect(reply.config).toMatchObject({ schedule: 'splitfed-v2', codec: 'fp16', rounds: 4, model: 'cnn-small' });
      const from = reply.appliesFromRound;
      expect(from).toBeGreaterThanOrEqual(1);
      expect(from).toBeLessThanOrEqual(3);
      await waitFor('the change on the dashboard', () => (viewer.studies.some((study) => study.config.codec === 'fp16' && study.config.schedule === 'splitfed-v2') ? true : undefined), 30_000, 50);
      await untilFinished(relay, created.id);
      await waitFor('all rounds live', () => (viewer.rounds.length === 4 ? true : undefined), 30_000, 50);

      // The rounds say what they ran with; the ones after the change trained every client.
      for (const round of viewer.rounds) {
        expect(round, `round ${round.round}`).toMatchObject(round.round < from ? { schedule: 'round-robin', codec: 'fp32' } : { schedule: 'splitfed-v2', codec: 'fp16', completed: 2 });
      }
      // Participants were told, and the wire shows it: every activation frame of a round before
      // the change is fp32, every one after is fp16 and about half the size.
      for (const client of clients) expect(client.participant.studyInfo?.config).toMatchObject({ schedule: 'splitfed-v2', codec: 'fp16' });
      const ids = new Set(clients.map((client) => client.participant.identity?.participantId));
      const frames = (await readFile(wireLog, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as WireEntry)
        .filter((entry) => entry.event === 'step:frame' && ids.has(entry.participant ?? '') && entry.args[1]?.name === 'activations' && entry.args[1].shape?.[0] === 32);
      const before = frames.filter((frame) => (frame.args[0].round ?? 0) < from);
      const afterChange = frames.filter((frame) => (frame.args[0].round ?? 0) >= from);
      expect(before.length).toBeGreaterThan(0);
      expect(afterChange.length).toBeGreaterThan(0);
      expect(new Set(before.map((frame) => frame.args[1]?.encoding))).toEqual(new Set(['fp32']));
      expect(new Set(afterChange.map((frame) => frame.args[1]?.encoding))).toEqual(new Set(['fp16']));
      const fp32Bytes = before[0]?.args[1]?.bytes ?? 0;
      const fp16Bytes = afterChange[0]?.args[1]?.bytes ?? Infinity;
      expect(fp16Bytes / fp32Bytes).toBeGreaterThan(0.45);
      expect(fp16Bytes / fp32Bytes).toBeLessThan(0.55);
      // The server's side switches too: the cut gradients it sends back (nearly all of a
      // client's download; weight bundles are a few KB) halve from the first round to the last.
      for (const id of ids) {
        const down = (round: number): number => viewer.rounds[round]?.perClient.find((client) => client.participantId === id)?.bytesDown ?? 0;
        expect(down(3) / down(0)).toBeGreaterThan(0.45);
        expect(down(3) / down(0)).toBeLessThan(0.55);
      }

      // Stored and audited; a finished study's settings no longer change.
      const db = new BetterSqlite3(path.join(relay.dataDir, 'relay.sqlite'), { readonly: true });
      try {
        const stored = db.prepare('SELECT config FROM studies WHERE id = ?').pluck().get(created.id) as string;
        expect(JSON.parse(stored)).toMatchObject({ schedule: 'splitfed-v2', codec: 'fp16' });
        const audit = db.prepare("SELECT actor, details FROM audit_log WHERE study_id = ? AND action = 'study reconfigured'").all(created.id) as { actor: string; details: string }[];
        expect(audit).toHaveLength(1);
        expect(audit[0]?.actor).toBe('researcher');
        expect(JSON.parse(audit[0]?.details ?? '{}')).toEqual({ from: { schedule: 'round-robin', codec: 'fp32' }, to: { schedule: 'splitfed-v2', codec: 'fp16' } });
      } finally {
        db.close();
      }
      expect((await patch(JSON.stringify({ codec: 'int8' }), relay.token)).status).toBe(409);
    } finally {
      for (const client of clients) client.close();
      viewer.close();
    }
  });
});

describe('dashboard: hostile viewers', () => {
  it('answers malformed viewer messages with typed errors, changes nothing and keeps serving', async () => {
    const { id } = await api<{ id: string }>(relay, 'POST', '/api/studies', studyConfig('dashboard hostile', { rounds: 1 }));
    const viewer = await Viewer.connect(relay);
    try {
      for (const bad of [{ studyId: 42 }, 'just-a-string', { studyId: '' }, { studyId: 'x'.repeat(500) }, null]) {
        expect(await viewer.watch(bad), JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'bad-message', event: 'dashboard:watch' } });
      }
      const unknown = await viewer.watch({ studyId: 'no-such-study' });
      expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown-study' } });
      if (!unknown.ok) expect(unknown.error.message).toMatch(/no study no-such-study/);
      // No acknowledgement to answer in, a malformed unwatch, an event viewers do not send.
      (viewer.socket as unknown as Socket).emit('dashboard:watch', { studyId: id });
      viewer.socket.emit('dashboard:unwatch', { studyId: 7 });
      (viewer.socket as unknown as Socket).emit('step:frame', { studyId: id }, new Uint8Array(8));
      await waitFor('three refusals', () => (viewer.errors.length >= 3 ? true : undefined), 10_000, 50);
      expect(viewer.errors.map((error) => `${error.code} ${error.event ?? ''}`).sort()).toEqual(['bad-message dashboard:unwatch', 'bad-message dashboard:watch', 'bad-message step:frame']);
      expect(viewer.errors.find((error) => error.event === 'step:frame')?.message).toMatch(/unknown event/);
      // Still connected, still serving: the same socket watches the study, the REST API answers.
      expect(viewer.socket.connected).toBe(true);
      expect((await viewer.snapshot(id)).study).toMatchObject({ id, state: 'open' });
      expect((await api<{ ok: boolean }>(relay, 'GET', '/api/health')).ok).toBe(true);
      expect((await fetch(`${relay.url}/api/studies/no-such-study/metrics.csv`)).status).toBe(404);
    } finally {
      viewer.close();
    }
  });
});

describe('booth demo API', () => {
  it('is off without --demo; with it, it validates, creates a training study, and deletes the previous booth study with its data', { timeout: 300_000 }, async () => {
    const off = await fetch(`${relay.url}/api/demo`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ hospitals: 2 }) });
    expect(off.status).toBe(404);
    expect(((await off.json()) as { error: string }).error).toMatch(/restart it with --demo/);

    const booth = await startRelayProcess({ demo: true });
    relays.push(booth);
    const post = (body: unknown): Promise<Response> => fetch(`${booth.url}/api/demo`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    for (const bad of [{ hospitals: 1 }, { hospitals: 17 }, { hospitals: 2.5 }, { hospitals: '4' }, {}, { hospitals: 4, schedule: 'gossip' }, { hospitals: 4, rounds: 100 }]) {
      const refused = await post(bad);
      expect(refused.status, JSON.stringify(bad)).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toMatch(/hospitals/);
    }
    const startup = (await api<{ studies: { id: string; state: string }[] }>(booth, 'GET', '/api/studies')).studies;
    expect(startup).toHaveLength(1);

    const first = await post({ hospitals: 3, schedule: 'round-robin' });
    expect(first.status).toBe(201);
    const firstStudy = (await first.json()) as { studyId: string; joinCode: string; config: protocol.StudyConfig };
    expect(firstStudy.joinCode).toMatch(/^[A-Z0-9]{8}$/);
    expect(firstStudy.config).toMatchObject({ model: 'cnn-small', inputShape: [28, 28, 1], classes: [...data.DEMO_CLASSES], topology: 'u-shaped', schedule: 'round-robin', minClients: 3 });
    expect(firstStudy.config.maxStepsPerRound).toBeGreaterThan(0);
    expect((await studyState(booth, firstStudy.studyId)).state).toBe('training');

    const second = await post({ hospitals: 2 });
    expect(second.status).toBe(201);
    const secondStudy = (await second.json()) as { studyId: string; joinCode: string; config: protocol.StudyConfig };
    expect(secondStudy.studyId).not.toBe(firstStudy.studyId);
    expect(secondStudy.config).toMatchObject({ schedule: 'splitfed-v2', minClients: 2 });
    expect((await fetch(`${booth.url}/api/studies/${firstStudy.studyId}`)).status).toBe(404);
    expect((await studyState(booth, secondStudy.studyId)).state).toBe('training');
    // Only booth studies are deleted: the relay's first-start demo study goes on.
    expect((await studyState(booth, startup[0]?.id ?? '')).state).toBe('training');

    // Two hospitals join the booth study and it makes progress at once.
    const viewer = await Viewer.connect(booth);
    await viewer.snapshot(secondStudy.studyId);
    const hospitals = await joinInProcess(booth, secondStudy.joinCode, [0, 1], 2);
    const checkpoints = path.join(booth.dataDir, 'checkpoints', secondStudy.studyId);
    try {
      await waitFor('a booth round', () => (viewer.rounds.length >= 1 ? true : undefined), 120_000, 100);
      expect(viewer.rounds[0]).toMatchObject({ round: 0, completed: 2, failed: 0, schedule: 'splitfed-v2' });
      await waitFor('its checkpoint', () => (existsSync(checkpoints) ? true : undefined), 60_000, 100);
    } finally {
      for (const hospital of hospitals) hospital.close();
      viewer.close();
    }

    // The next booth study deletes this one with what it held: participants, metrics, checkpoints.
    expect((await post({ hospitals: 2 })).status).toBe(201);
    expect((await fetch(`${booth.url}/api/studies/${secondStudy.studyId}/metrics`)).status).toBe(404);
    expect(existsSync(checkpoints)).toBe(false);
    const db = new BetterSqlite3(path.join(booth.dataDir, 'relay.sqlite'), { readonly: true });
    try {
      for (const table of ['studies', 'participants', 'metrics']) {
        const column = table === 'studies' ? 'id' : 'study_id';
        expect(db.prepare(`SELECT COUNT(*) FROM ${table} WHERE ${column} = ?`).pluck().get(secondStudy.studyId), table).toBe(0);
      }
      expect(db.prepare("SELECT actor FROM audit_log WHERE study_id = ? AND action = 'study deleted'").pluck().all(secondStudy.studyId)).toEqual(['relay']);
    } finally {
      db.close();
    }
  });
});
