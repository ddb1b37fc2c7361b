import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codec, protocol } from '@splitlearn/split-core';
import { api, startRelayProcess, waitFor, type RelayProcess } from './testing/relay_process';
import { demoStudy, mlpStudy } from './testing/demo_study';
import { readWireLog, stepHeaderOf } from './testing/wire_log_reader';

// Bad input and faults: a malformed, oversized or unauthenticated message gets a clear
// error and changes nothing; a client that vanishes mid-step has its step abandoned and the
// schedule moves on.

type RawSocket = Socket;
let relay: RelayProcess;
let wireLog: string;
const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

beforeAll(async () => {
  wireLog = path.join(await mkdtemp(path.join(os.tmpdir(), 'faults-wire-')), 'wire.jsonl');
  // A killed client's socket closes at once: no short heartbeat is needed to notice it (and
  // a short one would drop the live client on a busy machine).
  relay = await startRelayProcess({ args: ['--wire-log', wireLog] });
});

afterAll(async () => {
  if (process.env.RELAY_TEST_LOG) console.log(relay?.output());
  await relay?.dispose();
});

function connect(): Promise<RawSocket> {
  const socket = io(relay.url, { transports: ['websocket'], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function nextError(socket: RawSocket): Promise<protocol.RelayError> {
  return new Promise((resolve) => socket.once('relay:error', resolve));
}

function hello(joinCode: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { protocolVersion: protocol.PROTOCOL_VERSION, joinCode, client: { kind: 'node', backend: 'test' }, data: { trainCount: 64, valCount: 0, classCounts: {} }, ...extra };
}

function emitHello(socket: RawSocket, payload: unknown): Promise<protocol.HelloReply> {
  return new Promise((resolve) => socket.emit('participant:hello', payload, resolve));
}

describe('bad input', () => {
  it('refuses a malformed hello, an unknown join code and an old protocol with typed errors', async () => {
    const socket = await connect();
    try {
      expect(await emitHello(socket, { joinCode: 42 })).toMatchObject({ ok: false, error: { code: 'bad-message' } });
      expect(await emitHello(socket, hello('NOSUCHCODE'))).toMatchObject({ ok: false, error: { code: 'unknown-study' } });
      const { joinCode } = await api<{ joinCode: string }>(relay, 'POST', '/api/studies', mlpStudy('faults'));
      expect(await emitHello(socket, hello(joinCode, { protocolVersion: 0 }))).toMatchObject({ ok: false, error: { code: 'unsupported-protocol' } });
      expect(await emitHello(socket, hello(joinCode, { participantId: 'someone-else', resumeToken: 'x'.repeat(32) }))).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    } finally {
      socket.close();
    }
  });

  it('refuses steps from a socket that has not joined, malformed headers, non-binary and oversized frames', async () => {
    const socket = await connect();
    try {
      const header = { studyId: 'x', round: 0, step: 0, seq: 0, kind: 'activations', phase: 'train' };
      let error = nextError(socket);
      socket.emit('step:frame', header, new Uint8Array(8));
      expect(await error).toMatchObject({ code: 'unauthorized', event: 'step:frame' });

      const { joinCode } = await api<{ joinCode: string }>(relay, 'POST', '/api/studies', mlpStudy('faults'));
      expect((await emitHello(socket, hello(joinCode))).ok).toBe(true);
      error = nextError(socket);
      socket.emit('step:frame', { ...header, seq: -1 }, new Uint8Array(8));
      expect(await error).toMatchObject({ code: 'bad-message' });
      error = nextError(socket);
      socket.emit('step:frame', header, [1, 2, 3]);
      expect(await error).toMatchObject({ code: 'bad-message', message: expect.stringMatching(/binary/) as unknown });
      error = nextError(socket);
      // Over the study's limit (set from its largest tensor) but under the transport's.
      socket.emit('step:frame', header, new Uint8Array(512 * 1024));
      expect(await error).toMatchObject({ code: 'too-large' });
      error = nextError(socket);
      socket.emit('step:frame', header, new Uint8Array(8));
      expect(await error).toMatchObject({ code: 'out-of-order', message: expect.stringMatching(/no step is in progress/) as unknown });
      // Still connected and still answering: nothing was broken by the bad messages.
      expect(socket.connected).toBe(true);
      expect((await api<{ ok: boolean }>(relay, 'GET', '/api/health')).ok).toBe(true);
    } finally {
      socket.close();
    }
  });

  it('refuses API calls without the researcher token and invalid studies, creating nothing', async () => {
    const before = (await api<{ studies: unknown[] }>(relay, 'GET', '/api/studies')).studies.length;
    await expect(api(relay, 'POST', '/api/studies', mlpStudy('faults'), 'wrong-token')).rejects.toThrow(/401.*researcher token/);
    await expect(api(relay, 'POST', '/api/studies', mlpStudy('faults', { model: 'gpt-9' }))).rejects.toThrow(/400.*model/);
    await expect(api(relay, 'POST', '/api/studies', mlpStudy('faults', { cuts: ['nowhere'] }))).rejects.toThrow(/400.*no layer named 'nowhere'/);
    const vertical = { name: 'vertical', topology: 'vertical', classes: ['benign', 'malignant'], schedule: 'round-robin', parties: [{ name: 'a', input: { columns: ['x'] } }, { name: 'b', input: { columns: ['y'] } }] };
    await expect(api(relay, 'POST', '/api/studies', { ...vertical, labelHolder: 5 })).rejects.toThrow(/400.*labelHolder 5 names no party/);
    // Each refusal names the field it concerns, for a form to show the message there.
    const issuesOf = async (body: unknown): Promise<{ path: unknown[]; message: string }[]> => {
      const reply = await fetch(`${relay.url}/api/studies`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${relay.token}` }, body: JSON.stringify(body) });
      expect(reply.status).toBe(400);
      return ((await reply.json()) as { issues: { path: unknown[]; message: string }[] }).issues;
    };
    const cut = await issuesOf(mlpStudy('faults', { cuts: ['nowhere'] }));
    expect(cut.map((issue) => issue.path)).toEqual([['cuts']]);
    expect(cut[0]?.message).toMatch(/no layer named 'nowhere'/);
    expect((await issuesOf(mlpStudy('faults', { learningRate: -1, batchSize: 0 }))).map((issue) => issue.path)).toEqual([['learningRate'], ['batchSize']]);
    expect((await issuesOf(mlpStudy('faults', { model: 'gpt-9' }))).map((issue) => issue.path)).toEqual([['model']]);
    expect((await api<{ studies: unknown[] }>(relay, 'GET', '/api/studies')).studies.length).toBe(before);
  });

  it('refuses a duplicated step frame within an epoch', async () => {
    const { id, joinCode } = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', mlpStudy('duplicates'));
    const socket = await connect();
    try {
      expect((await emitHello(socket, hello(joinCode))).ok).toBe(true);
      const started = new Promise<protocol.EpochStart>((resolve) => socket.once('epoch:start', (start: protocol.EpochStart) => resolve(start)));
      await api(relay, 'POST', `/api/studies/${id}/control`, { action: 'start' });
      const start = await started;
      const frame = codec.encodeTensor({ name: 'activations', dtype: 'float32', shape: [8, 32], values: new Float32Array(256) }, 'fp32');
      const header = { studyId: id, round: start.round, step: 0, seq: 0, kind: 'activations', phase: 'train' };
      socket.emit('step:frame', header, frame);
      const error = nextError(socket);
      socket.emit('step:frame', header, frame);
      expect(await error).toMatchObject({ code: 'duplicate' });
    } finally {
      socket.close();
    }
  });
});

describe('faults', () => {
  it('abandons the step of a client killed mid-epoch; round-robin moves on with the last hand-off', { timeout: 600_000 }, async () => {
    const { id, joinCode } = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy('vanishing client', {
      batchSize: 16,
      rounds: 2,
      maxStepsPerRound: 40,
      // After the kill, the study goes on with the one client left.
      minClients: 1,
    }));
    const spawnClient = (shard: string) =>
      spawn(process.execPath, ['--import', 'tsx', 'packages/split-core/src/node/client/cli.ts', '--url', relay.url, '--study', joinCode, '--data', 'demo', '--shard', shard], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    const victim = spawnClient('1/2');
    const joined = (count: number) => async () => ((await api<{ participants: number }>(relay, 'GET', `/api/studies/${id}`)).participants >= count ? true : undefined);
    await waitFor('the first client to join', joined(1), 120_000);
    const survivor = spawnClient('2/2');
    let survivorLog = '';
    survivor.stderr?.on('data', (chunk: Buffer) => (survivorLog += chunk.toString()));
    try {
      await waitFor('both clients to join', joined(2), 120_000);
      await api(relay, 'POST', `/api/studies/${id}/control`, { action: 'start' });
      // The first to join trains first in round-robin. Its step frames at the relay, not the
      // clock, say when it is mid-epoch; it is then frozen (SIGSTOP) so that it cannot finish
      // the epoch while the test looks, checked to be mid-epoch, and killed without a goodbye.
      const victimId = await waitFor('the victim to send training frames of round 0', async () => {
        const frames = (await readWireLog(wireLog)).filter((entry) => {
          const header = stepHeaderOf(entry);
          return header?.studyId === id && header.round === 0 && header.phase === 'train';
        });
        return frames.length >= 2 ? (frames[0]?.participant ?? undefined) : undefined;
      });
      victim.kill('SIGSTOP');
      const fromVictim = (await readWireLog(wireLog)).filter((entry) => entry.participant === victimId);
      const victimSteps = new Set(fromVictim.flatMap((entry) => stepHeaderOf(entry)?.step ?? []));
      expect(victimSteps.size, 'the victim is frozen before the end of its 40-step epoch').toBeLessThan(40);
      expect(fromVictim.filter((entry) => entry.event === 'ack:epoch:start'), 'the victim has not acknowledged its epoch').toEqual([]);
      victim.kill('SIGKILL');
      await waitFor('the study to finish', async () => ((await api<{ state: string }>(relay, 'GET', `/api/studies/${id}`)).state === 'finished' ? true : undefined), 300_000, 500);
      const rows = (await api<{ metrics: { round: number; phase: string; metrics: { completed?: number; failed?: number } }[] }>(relay, 'GET', `/api/studies/${id}/metrics`)).metrics;
      const train = rows.filter((row) => row.phase === 'train');
      expect(train.map((row) => row.round)).toEqual([0, 1]);
      expect(train[0]?.metrics.failed).toBe(1);
      expect(train.every((row) => (row.metrics.completed ?? 0) >= 1)).toBe(true);
      expect(relay.output()).toMatch(/participant failed its round/);
    } finally {
      victim.kill('SIGKILL');
      survivor.kill('SIGKILL');
    }
  });
});
