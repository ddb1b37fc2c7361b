import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { backends, network, type protocol } from '@splitlearn/split-core';
import { connectNodeParticipant, loadLocalData, type NodeParticipant } from '@splitlearn/split-core/node';
import { api, startRelayProcess, waitFor, type RelayProcess } from './testing/relay_process';
import { demoStudy } from './testing/demo_study';

// A participant's report that is valid by the protocol's schema but cannot be merged (its
// sample count disagrees with its own confusion matrix) must cost only that participant its
// place in the round's validation figure, never the study its round loop (issue: one
// participant must not be able to stop a study). The liar is a real participant whose
// evaluation replies are altered on their way out: the one fault here that an honest client
// cannot be made to produce.

let relay: RelayProcess;

beforeAll(async () => {
  await backends.initBackend('wasm');
  relay = await startRelayProcess();
});

afterAll(async () => {
  if (process.env.RELAY_TEST_LOG) console.log(relay?.output());
  await relay?.dispose();
});

/** A participant on demo shard `shard` whose evaluation replies claim one sample more than its confusion matrix holds. */
async function lyingParticipant(joinCode: string, shard: { index: number; count: number }): Promise<{ participant: network.Participant; close: () => void }> {
  const socket = io(relay.url, { transports: ['websocket'] });
  const real = network.participantSocket(socket);
  const lying: network.ParticipantSocket = {
    ...real,
    on: (event, listener) => {
      if (event !== 'epoch:start') return real.on(event, listener);
      const start = listener as protocol.ServerToClientEvents['epoch:start'];
      return real.on('epoch:start', (message, ack) =>
        start(message, (reply) => ack(reply.ok && reply.metrics ? { ...reply, metrics: { ...reply.metrics, count: reply.metrics.count + 1 } } : reply)),
      );
    },
  };
  const lookup = await network.lookupStudy(relay.url, joinCode);
  if (!lookup.ok) throw new Error('the study was not found');
  const local = await loadLocalData(lookup.study, { source: 'demo', shard });
  const participant = new network.Participant(lying, { joinCode, train: local.train, val: local.val, client: { kind: 'node', backend: 'wasm', label: 'liar' } });
  await participant.join();
  return { participant, close: () => socket.disconnect() };
}

describe('a participant whose report cannot be merged', () => {
  it('is left out of the round’s validation; the study trains on and finishes', { timeout: 300_000 }, async () => {
    // U-shaped: the clients score their own validation and report metrics.
    const study = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy('a liar among honest clients', { topology: 'u-shaped', rounds: 2, maxStepsPerRound: 3, minClients: 2 }));
    const liar = await lyingParticipant(study.joinCode, { index: 0, count: 2 });
    let honest: NodeParticipant | undefined;
    try {
      honest = await connectNodeParticipant({ url: relay.url, joinCode: study.joinCode, data: { source: 'demo', shard: { index: 1, count: 2 } }, backend: 'wasm', label: 'honest' });
      await api(relay, 'POST', `/api/studies/${study.id}/control`, { action: 'start' });
      await waitFor('the study to finish', async () => ((await api<{ state: string }>(relay, 'GET', `/api/studies/${study.id}`)).state === 'finished' ? true : undefined), 240_000, 250);
    } finally {
      honest?.close();
      liar.close();
    }
    const rows = (await api<{ metrics: { round: number; phase: string; participantId: string | null; metrics: { participants?: number } }[] }>(relay, 'GET', `/api/studies/${study.id}/metrics`)).metrics;
    const pooled = rows.filter((row) => row.phase === 'val' && row.participantId === null);
    // Both rounds were validated, each from the honest participant alone.
    expect(pooled.map((row) => row.round)).toEqual([0, 1]);
    for (const row of pooled) expect(row.metrics.participants).toBe(1);
    const honestId = honest?.participant.identity?.participantId;
    const liarId = liar.participant.identity?.participantId;
    // Per participant (stored, not public): validation rows for the honest one only.
    const db = new Database(path.join(relay.dataDir, 'relay.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const validated = db.prepare("SELECT DISTINCT participant_id AS id FROM metrics WHERE study_id = ? AND phase = 'val' AND participant_id IS NOT NULL").all(study.id) as { id: string }[];
      expect(validated.map((row) => row.id)).toEqual([honestId]);
    } finally {
      db.close();
    }
    expect(liarId).toBeDefined();
    expect(relay.output()).toMatch(/left out of validation.*confusion matrix holds/);
  });
});
