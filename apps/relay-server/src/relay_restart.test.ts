import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backends } from '@splitlearn/split-core';
import { connectNodeParticipant, type NodeParticipant } from '@splitlearn/split-core/node';
import { api, startRelayProcess, waitFor, type RelayProcess } from './testing/relay_process';
import { demoStudy } from './testing/demo_study';

// A relay killed mid-study (SIGKILL: no goodbye, no flush) comes back on the same data
// folder with its studies, join codes, metrics and checkpoints intact, and the study goes
// on from its last completed round when participants reconnect.

const relays: RelayProcess[] = [];

afterAll(async () => {
  for (const relay of relays) await relay.dispose();
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
