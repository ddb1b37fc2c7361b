import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backends } from '@splitlearn/split-core';
import { connectNodeParticipant, type NodeParticipant } from '@splitlearn/split-core/node';
import { api, startRelayProcess, waitFor, type RelayProcess } from './testing/relay_process';
import { type MetricRow, computedFigures } from './testing/metric_rows';
import { demoParticipant } from './testing/demo_participant';
import { replayableStudy, type ReplayableStudy } from './testing/replayable_study';
import { demoStudy } from './testing/demo_study';

// A relay killed mid-study (SIGKILL: no goodbye, no flush) comes back on the same data
// folder with its studies, join codes, metrics and checkpoints intact, and the study goes
// on from its last completed round when participants reconnect.

const relays: RelayProcess[] = [];
const replays: ReplayableStudy[] = [];

afterAll(async () => {
  for (const relay of relays) await relay.dispose();
  await Promise.all(replays.map((replay) => replay.dispose()));
});

interface StudyInfo {
  state: string;
  round: number;
}

describe('relay restart', () => {
  it('resumes a study from its last checkpoint after being killed', { timeout: 600_000 }, async () => {
    await backends.initBackend('wasm');
    const first = await startRelayProcess();
    relays.push(first);
    const created = await api<{ id: string; joinCode: string }>(first, 'POST', '/api/studies', demoStudy('restart', {
      topology: 'u-shaped',
      schedule: 'splitfed-v2',
      batchSize: 32,
      rounds: 4,
      maxStepsPerRound: 4,
      minClients: 2,
    }));
    const join = (relay: RelayProcess): Promise<NodeParticipant[]> =>
      Promise.all([0, 1].map((index) => connectNodeParticipant({ url: relay.url, joinCode: created.joinCode, data: { source: 'demo', shard: { index, count: 2 } }, backend: 'wasm' })));
    let clients = await join(first);
    await api(first, 'POST', `/api/studies/${created.id}/control`, { action: 'start' });
    // Two rounds done and checkpointed. (A kill between recording a round and writing its
    // checkpoint rolls the study back to the previous checkpoint, by design: weights and round agree.)
    await waitFor('two completed, checkpointed rounds', () => (existsSync(path.join(first.dataDir, 'checkpoints', created.id, 'round-2')) ? true : undefined), 300_000, 100);
    await first.stop('SIGKILL');
    for (const client of clients) client.close();
    const second = await startRelayProcess({ dataDir: first.dataDir });
    relays.push(second);
    const info = await api<StudyInfo>(second, 'GET', `/api/studies/${created.id}`);
    const rows = (await api<{ metrics: { round: number; phase: string }[] }>(second, 'GET', `/api/studies/${created.id}/metrics`)).metrics;
    // Nothing stored was lost: the study, its state, its rounds' metrics; the same join code works.
    expect(info.state).toBe('training');
    expect(info.round).toBeGreaterThanOrEqual(2);
    const completedRounds = new Set(rows.filter((row) => row.phase === 'val').map((row) => row.round));
    for (let round = 0; round < info.round; round++) expect(completedRounds.has(round)).toBe(true);
    expect(second.output()).toMatch(/study restored/);
    clients = await join(second);
    try {
      await waitFor('the study to finish after the restart', async () => ((await api<StudyInfo>(second, 'GET', `/api/studies/${created.id}`)).state === 'finished' ? true : undefined), 300_000, 250);
      const after = (await api<{ metrics: { round: number; phase: string }[] }>(second, 'GET', `/api/studies/${created.id}/metrics`)).metrics;
      expect([...new Set(after.filter((row) => row.phase === 'train').map((row) => row.round))].sort()).toEqual([0, 1, 2, 3]);
    } finally {
      for (const client of clients) client.close();
    }
    // A finished study stays readable after a further restart (no runtime is loaded for it).
    await second.stop();
    const third = await startRelayProcess({ dataDir: first.dataDir });
    relays.push(third);
    expect(await api<StudyInfo>(third, 'GET', `/api/studies/${created.id}`)).toMatchObject({ id: created.id, state: 'finished', round: 4 });
    const stored = (await api<{ metrics: { round: number; phase: string }[] }>(third, 'GET', `/api/studies/${created.id}/metrics`)).metrics;
    expect(stored.filter((row) => row.phase === 'val').map((row) => row.round).sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('a relay killed mid-round', () => {
  it('loses at most the round it was in, and the resumed study ends exactly where an uninterrupted run of the same seed ends', { timeout: 900_000 }, async () => {
    await backends.initBackend('wasm');
    // Plain SGD: every bit of training state is in the checkpoint's weights. (With Adam the
    // clients' moments live on the clients, which restart here, so a resumed run lands near
    // the uninterrupted one but not on it.)
    const replay = await replayableStudy(demoStudy('killed mid-round', { schedule: 'round-robin', optimizer: 'sgd', learningRate: 0.1, rounds: 4, maxStepsPerRound: 12, minClients: 2, seed: 23 }));
    replays.push(replay);
    const { study, identities } = replay;

    const start = async (dataDir: string): Promise<{ relay: RelayProcess; clients: NodeParticipant[] }> => {
      const relay = await replay.start(dataDir);
      // Rejoin as the same participants, in the same order: round-robin takes clients in join order.
      const clients: NodeParticipant[] = [];
      for (const index of [0, 1]) clients.push(await demoParticipant(relay, study.joinCode, { index, count: 2 }, identities[index]));
      return { relay, clients };
    };
    const finish = async (relay: RelayProcess, clients: NodeParticipant[]): Promise<MetricRow[]> => {
      await waitFor('the study to finish', async () => ((await api<StudyInfo>(relay, 'GET', `/api/studies/${study.id}`)).state === 'finished' ? true : undefined), 600_000, 250);
      clients.forEach((client) => client.close());
      return (await api<{ metrics: MetricRow[] }>(relay, 'GET', `/api/studies/${study.id}/metrics`)).metrics;
    };
    const copies = [await replay.copy(), await replay.copy()] as const;

    const uninterrupted = await start(copies[0]);
    await api(uninterrupted.relay, 'POST', `/api/studies/${study.id}/control`, { action: 'start' });
    const reference = await finish(uninterrupted.relay, uninterrupted.clients);

    const killed = await start(copies[1]);
    await api(killed.relay, 'POST', `/api/studies/${study.id}/control`, { action: 'start' });
    // Killed as soon as round 1's checkpoint is down, that is inside round 2's training.
    await waitFor('round 1 checkpointed', () => (existsSync(path.join(copies[1], 'checkpoints', study.id, 'round-2')) ? true : undefined), 300_000, 20);
    await killed.relay.stop('SIGKILL');
    killed.clients.forEach((client) => client.close());
    const resumed = await start(copies[1]);
    const atRestart = await api<StudyInfo>(resumed.relay, 'GET', `/api/studies/${study.id}`);
    expect(atRestart.state).toBe('training');
    // At most the round in progress is lost.
    expect(atRestart.round).toBeGreaterThanOrEqual(2);
    const rows = await finish(resumed.relay, resumed.clients);
    const pooled = (all: MetricRow[]): MetricRow[] => all.filter((row) => row.phase === 'val' && row.participantId === null);
    expect(pooled(rows).map((row) => row.round)).toEqual([0, 1, 2, 3]);
    const final = (all: MetricRow[]): string => {
      const metrics = pooled(all).at(-1)?.metrics ?? {};
      return `accuracy ${String(metrics.accuracy)}, AUC ${String(metrics.auc)}, loss ${String(metrics.loss)}`;
    };
    console.log(`relay killed in round 2 and resumed from round ${atRestart.round}: final validation ${final(rows)}; uninterrupted ${final(reference)}`);
    // Every figure, every round, as if the relay had never died.
    expect(computedFigures(rows)).toEqual(computedFigures(reference));
  });
});
