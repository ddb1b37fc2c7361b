import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, network, protocol } from '@splitlearn/split-core';
import { loadLocalData, type NodeParticipant } from '@splitlearn/split-core/node';
import { api, startRelayProcess, waitFor, type RelayProcess } from './testing/relay_process';
import { demoParticipant } from './testing/demo_participant';
import { demoStudy } from './testing/demo_study';

// The relay keeps studies going through what goes wrong on its side or a participant's:
// a participant that stops answering, a segment worker that dies mid-round, a damaged
// checkpoint at restart. Real relay processes, real participants; the worker's death is
// provoked through the worker's fault switch (a real thread exit, not a stand-in).

const relays: RelayProcess[] = [];
const closers: (() => void)[] = [];

beforeAll(async () => {
  await backends.initBackend('wasm');
});

afterEach(async () => {
  closers.splice(0).forEach((close) => close());
  if (process.env.RELAY_TEST_LOG) relays.forEach((relay) => console.log(relay.output()));
  await Promise.all(relays.splice(0).map((relay) => relay.dispose()));
});

async function relayWith(options: Parameters<typeof startRelayProcess>[0] = {}): Promise<RelayProcess> {
  const relay = await startRelayProcess(options);
  relays.push(relay);
  return relay;
}

async function honestClient(relay: RelayProcess, joinCode: string, shard: { index: number; count: number }, resume?: { participantId: string; resumeToken: string }): Promise<NodeParticipant> {
  const participant = await demoParticipant(relay, joinCode, shard, resume);
  closers.push(() => participant.close());
  return participant;
}

interface StudyView {
  state: string;
  round: number;
  notice?: string;
  latestRound: { completed: string[]; failed: { groupId: string; reason: string }[] } | null;
}

const view = (relay: RelayProcess, studyId: string): Promise<StudyView> => api<StudyView>(relay, 'GET', `/api/studies/${studyId}`);

async function untilFinished(relay: RelayProcess, studyId: string): Promise<StudyView> {
  return waitFor('the study to finish', async () => {
    const study = await view(relay, studyId);
    return study.state === 'finished' ? study : undefined;
  }, 240_000);
}

async function pooledValRounds(relay: RelayProcess, studyId: string): Promise<number[]> {
  const { metrics } = await api<{ metrics: { round: number; phase: string; participantId: string | null }[] }>(relay, 'GET', `/api/studies/${studyId}/metrics`);
  return metrics.filter((row) => row.phase === 'val' && row.participantId === null).map((row) => row.round);
}

describe('a participant that stops answering', () => {
  it('fails its epoch once the server has waited one step timeout for its frames; the rounds move on without it, and it rejoins as itself', { timeout: 300_000 }, async () => {
    // The acknowledgement timeout stays at its default (30 minutes): only the step timeout may end the wait.
    const relay = await relayWith({ args: ['--step-timeout-ms', '3000'] });
    const study = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy('a silent participant', { schedule: 'splitfed-v2', rounds: 3, maxStepsPerRound: 2, minClients: 2 }));
    // Joins like any client, then ignores every request.
    const silent: Socket = io(relay.url, { transports: ['websocket'], reconnection: false });
    closers.push(() => silent.close());
    const joined = await new Promise<protocol.HelloReply>((resolve) =>
      silent.emit('participant:hello', { protocolVersion: protocol.PROTOCOL_VERSION, joinCode: study.joinCode, client: { kind: 'node', backend: 'test', label: 'silent' }, data: { trainCount: 64, valCount: 0, classCounts: {} } }, resolve),
    );
    if (!joined.ok) throw new Error(joined.error.message);
    const honest = await honestClient(relay, study.joinCode, { index: 1, count: 2 });
    await api(relay, 'POST', `/api/studies/${study.id}/control`, { action: 'start' });
    const afterFailure = await waitFor('a round that failed the silent participant', async () => {
      const current = await view(relay, study.id);
      return current.latestRound?.failed.some((failure) => failure.groupId === joined.participantId) ? current : undefined;
    }, 240_000);
    // The honest participant's work in that round counted.
    expect(afterFailure.latestRound?.completed).toEqual([honest.participant.identity?.participantId]);
    // The silent one comes back as a working client with its resume token, while the study is paused.
    await api(relay, 'POST', `/api/studies/${study.id}/control`, { action: 'pause' });
    await waitFor('the study to pause', async () => ((await view(relay, study.id)).state === 'paused' ? true : undefined), 240_000);
    silent.close();
    const rejoined = await honestClient(relay, study.joinCode, { index: 0, count: 2 }, { participantId: joined.participantId, resumeToken: joined.resumeToken });
    expect(rejoined.participant.identity?.participantId).toBe(joined.participantId);
    await api(relay, 'POST', `/api/studies/${study.id}/control`, { action: 'resume' });
    const final = await untilFinished(relay, study.id);
    expect(final.round).toBe(3);
    expect([...(final.latestRound?.completed ?? [])].sort()).toEqual([joined.participantId, honest.participant.identity?.participantId].sort());
    expect(final.latestRound?.failed).toEqual([]);
    expect(await pooledValRounds(relay, study.id)).toEqual([0, 1, 2]);
  });
});

describe('a segment worker that dies mid-round', () => {
  it('is restarted from the last checkpoint and the round runs again; the study finishes with each round recorded once', { timeout: 300_000 }, async () => {
    const marker = path.join(await mkdtemp(path.join(os.tmpdir(), 'worker-fault-')), 'exit-once');
    await writeFile(marker, '');
    const relay = await relayWith({ env: { RELAY_FAILPOINT_WORKER_EXIT: marker } });
    const study = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy('a crashing worker', { schedule: 'splitfed-v2', rounds: 2, maxStepsPerRound: 3, minClients: 1 }));
    await honestClient(relay, study.joinCode, { index: 0, count: 2 });
    await api(relay, 'POST', `/api/studies/${study.id}/control`, { action: 'start' });
    const final = await untilFinished(relay, study.id);
    // The worker did die (the switch is spent) and was replaced.
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
    expect(relay.output()).toMatch(/segment worker stopped; restarting it from the last checkpoint.*exit code 70/);
    expect(final.round).toBe(2);
    expect(await pooledValRounds(relay, study.id)).toEqual([0, 1]);
    expect(relay.output()).not.toMatch(/study loop stopped/);
  });
});

describe('a damaged checkpoint at restart', () => {
  it('costs its study the rounds back to an intact checkpoint, or leaves only that study stopped with the reason; the relay starts either way', { timeout: 300_000 }, async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'relay-restore-'));
    let relay = await startRelayProcess({ dataDir });
    relays.push(relay);
    const trained = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy('trains three rounds', { schedule: 'splitfed-v2', rounds: 50, maxStepsPerRound: 1, minClients: 1 }));
    const doomed = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy('loses every checkpoint', { schedule: 'splitfed-v2', rounds: 50, maxStepsPerRound: 1, minClients: 1 }));
    const waiting = await api<{ id: string }>(relay, 'POST', '/api/studies', demoStudy('never started'));
    const a = await honestClient(relay, trained.joinCode, { index: 0, count: 2 });
    const b = await honestClient(relay, doomed.joinCode, { index: 1, count: 2 });
    for (const id of [trained.id, doomed.id]) await api(relay, 'POST', `/api/studies/${id}/control`, { action: 'start' });
    const checkpointRounds = async (studyId: string): Promise<number[]> =>
      (await readdir(path.join(dataDir, 'checkpoints', studyId)).catch(() => [] as string[]))
        .map((name) => /^round-(\d+)$/.exec(name)?.[1])
        .filter((round): round is string => round !== undefined)
        .map(Number)
        .sort((x, y) => x - y);
    await waitFor('both studies to have two checkpoints', async () => ((await checkpointRounds(trained.id)).length >= 2 && (await checkpointRounds(doomed.id)).length >= 2 ? true : undefined), 240_000);
    a.close();
    b.close();
    await relay.stop();

    // The trained study's newest checkpoint is damaged; every one of the doomed study's is.
    const damage = async (studyId: string, round: number): Promise<void> => {
      const file = path.join(dataDir, 'checkpoints', studyId, `round-${round}`, 'server-segment0.bin');
      const bytes = await readFile(file);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
      await writeFile(file, bytes);
    };
    const rounds = await checkpointRounds(trained.id);
    const newest = rounds.at(-1) as number;
    const intact = rounds.at(-2) as number;
    await damage(trained.id, newest);
    for (const round of await checkpointRounds(doomed.id)) await damage(doomed.id, round);

    const { token } = relay;
    relay = await relayWith({ dataDir });
    // Printed on the first start only.
    relay.token = token;
    const restored = await view(relay, trained.id);
    expect(restored.round).toBe(intact);
    expect(restored.notice).toBeUndefined();
    const stopped = await view(relay, doomed.id);
    expect(stopped.notice).toMatch(/could not bring this study back after its restart \(.*server-segment0\.bin/);
    await expect(api(relay, 'POST', `/api/studies/${doomed.id}/control`, { action: 'resume' })).rejects.toThrow(/could not bring this study back/);
    // The other studies are unaffected: the one never started still takes participants and starts.
    expect((await view(relay, waiting.id)).state).toBe('open');
    expect(await api<{ state: string }>(relay, 'POST', `/api/studies/${waiting.id}/control`, { action: 'start' })).toEqual({ state: 'training' });
    expect(relay.output()).toMatch(/resuming from an older checkpoint/);
    await rm(dataDir, { recursive: true, force: true });
  });
});

describe('training that diverges', () => {
  it('refuses the non-finite step and pauses the study with the explanation, its recorded rounds intact', { timeout: 300_000 }, async () => {
    const relay = await relayWith();
    const study = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy('diverging', { optimizer: 'sgd', learningRate: 0.1, schedule: 'round-robin', rounds: 6, maxStepsPerRound: 8, minClients: 1 }));
    // A site that forgot to scale its images: pixels around 1e20 instead of [0, 1]. Plain SGD
    // then overflows float32 within a couple of steps, whatever the initial weights.
    const lookup = await network.lookupStudy(relay.url, study.joinCode);
    if (!lookup.ok) throw new Error('study not found');
    const local = await loadLocalData(lookup.study, { source: 'demo', shard: { index: 0, count: 2 } });
    const unscaled = (dataset: typeof local.train): typeof local.train => ({ ...dataset, samples: dataset.samples.map((sample) => ({ ...sample, values: sample.values.map((value) => (value + 0.5) * 1e20) })) });
    const socket = io(relay.url, { transports: ['websocket'], reconnection: false });
    closers.push(() => socket.close());
    const participant = new network.Participant(network.participantSocket(socket), { joinCode: study.joinCode, train: unscaled(local.train), val: unscaled(local.val), client: { kind: 'node', backend: 'wasm', label: 'unscaled' } });
    await participant.join();
    await api(relay, 'POST', `/api/studies/${study.id}/control`, { action: 'start' });
    const paused = await waitFor('the study to pause', async () => {
      const current = await view(relay, study.id);
      return current.state === 'paused' ? current : undefined;
    }, 240_000);
    expect(paused.notice).toMatch(/training diverged in round \d+: (the loss was (NaN|Infinity|-Infinity), so this step's update was not applied|the peer's activations of step \d+ held NaN or infinite values).*lower its learning rate/);
    // Every round recorded before it is still there, once.
    const recorded = await pooledValRounds(relay, study.id);
    expect(recorded).toEqual(Array.from({ length: paused.round }, (_, round) => round));
    expect(relay.output()).not.toMatch(/study loop stopped/);
  });
});

describe('a data folder that refuses a checkpoint', () => {
  it('pauses the study with what to do, keeps what was stored, and trains on once the folder is fixed and the study resumed', { timeout: 300_000 }, async () => {
    const relay = await relayWith();
    const study = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy('disk trouble', { schedule: 'splitfed-v2', rounds: 4, maxStepsPerRound: 2, minClients: 1 }));
    const studyFolder = path.join(relay.dataDir, 'checkpoints', study.id);
    // The study's checkpoint folder is a file: every write under it fails, whoever runs the relay (root included).
    await mkdir(path.dirname(studyFolder), { recursive: true });
    await writeFile(studyFolder, 'not a folder');
    await honestClient(relay, study.joinCode, { index: 0, count: 2 });
    await api(relay, 'POST', `/api/studies/${study.id}/control`, { action: 'start' });
    const paused = await waitFor('the study to pause', async () => {
      const current = await view(relay, study.id);
      return current.state === 'paused' ? current : undefined;
    }, 240_000);
    expect(paused.notice).toMatch(/could not save the checkpoint of round 1 \(.*\); the study is paused.*Free disk space or fix the data folder's permissions, then resume it/);
    expect(paused.round).toBe(1);
    expect(await pooledValRounds(relay, study.id)).toEqual([0]);
    await rm(studyFolder, { force: true });
    await api(relay, 'POST', `/api/studies/${study.id}/control`, { action: 'resume' });
    const final = await untilFinished(relay, study.id);
    expect(final.round).toBe(4);
    expect(final.notice).toBeUndefined();
    expect(await pooledValRounds(relay, study.id)).toEqual([0, 1, 2, 3]);
  });
});

describe('a study that stops or finishes', () => {
  it('releases its segment worker thread, whether stopped mid-training or finished', { timeout: 300_000 }, async () => {
    const relay = await relayWith();
    const workers = async (): Promise<number> => (await api<{ segmentWorkers: number }>(relay, 'GET', '/api/health')).segmentWorkers;
    const released = (): Promise<true> => waitFor('the segment worker to be released', async () => ((await workers()) === 0 ? true : undefined), 60_000);
    expect(await workers()).toBe(0);
    const long = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy('stopped mid-training', { schedule: 'splitfed-v2', rounds: 100, maxStepsPerRound: 1, minClients: 1 }));
    const first = await honestClient(relay, long.joinCode, { index: 0, count: 2 });
    await api(relay, 'POST', `/api/studies/${long.id}/control`, { action: 'start' });
    await waitFor('a round done', async () => ((await view(relay, long.id)).round >= 1 ? true : undefined), 240_000);
    expect(await workers()).toBe(1);
    await api(relay, 'POST', `/api/studies/${long.id}/control`, { action: 'stop' });
    await released();
    first.close();
    const short = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy('finishing', { schedule: 'splitfed-v2', rounds: 1, maxStepsPerRound: 1, minClients: 1 }));
    expect(await workers()).toBe(1);
    await honestClient(relay, short.joinCode, { index: 1, count: 2 });
    await api(relay, 'POST', `/api/studies/${short.id}/control`, { action: 'start' });
    await untilFinished(relay, short.id);
    await released();
    // Both stay readable from storage.
    expect((await view(relay, long.id)).state).toBe('finished');
    expect((await view(relay, short.id)).round).toBe(1);
  });
});
