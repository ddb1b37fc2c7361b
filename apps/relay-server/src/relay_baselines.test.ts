import Database from 'better-sqlite3';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, baselines, model, type protocol } from '@splitlearn/split-core';
import { connectNodeParticipant, type NodeParticipant } from '@splitlearn/split-core/node';
import { api, startRelayProcess, waitFor, type RelayProcess } from './testing/relay_process';
import { demoStudy } from './testing/demo_study';
import { binariesIn, readWireLog } from './testing/wire_log_reader';

// The baselines over the network (issue: both also over the relay): federated averaging and
// large-batch SGD run by the real relay process with real socket.io clients end where the
// simulator's in-process baselines end on the same data, seed and batches; what leaves a
// client is whole-model weights or gradients, never an image, an activation or a label.

const SGD = { optimizer: 'sgd', learningRate: 0.05 } as const;

let relay: RelayProcess;
let wireLog: string;

beforeAll(async () => {
  await backends.initBackend('wasm');
  wireLog = path.join(await mkdtemp(path.join(os.tmpdir(), 'wire-')), 'wire.jsonl');
  relay = await startRelayProcess({ args: ['--wire-log', wireLog] });
});

afterAll(async () => {
  if (process.env.RELAY_TEST_LOG) console.log(relay?.output());
  await relay?.dispose();
});

interface MetricRow {
  round: number;
  phase: 'train' | 'val';
  participantId: string | null;
  metrics: { accuracy?: number | null; loss?: number | null; count?: number; completed?: number; failed?: number };
}

/** What the relay's log says went wrong in a round, for a failure message: a client that failed a round trains a different model than the reference. */
function roundProblems(rows: MetricRow[]): string {
  const failed = rows.filter((row) => row.phase === 'train' && row.participantId === null && (row.metrics.failed ?? 0) > 0);
  if (failed.length === 0) return 'every client completed every round';
  const lines = relay.output().split('\n').filter((line) => /participant failed its round|step abandoned|disconnect/.test(line));
  return `rounds ${failed.map((row) => row.round).join(', ')} had failed clients: ${lines.slice(0, 5).join(' | ')}`;
}

/** Clients of unequal size: shards of the demo images, the second holding fewer. */
async function joinClients(joinCode: string, shards: { index: number; count: number }[]): Promise<NodeParticipant[]> {
  const clients: NodeParticipant[] = [];
  // One after another, so the relay's groups are in this order.
  for (const [i, shard] of shards.entries()) clients.push(await connectNodeParticipant({ url: relay.url, joinCode, data: { source: 'demo', shard }, label: `node-${i}`, backend: 'wasm' }));
  return clients;
}

async function trainToTheEnd(studyId: string): Promise<MetricRow[]> {
  await api(relay, 'POST', `/api/studies/${studyId}/control`, { action: 'start' });
  await waitFor('the study to finish', async () => ((await api<{ state: string }>(relay, 'GET', `/api/studies/${studyId}`)).state === 'finished' ? true : undefined), 600_000, 500);
  return (await api<{ metrics: MetricRow[] }>(relay, 'GET', `/api/studies/${studyId}/metrics`)).metrics;
}

/**
 * Rounds behind the weights the clients hold: the relay hands its best round's over at the
 * end, and on two short rounds the first can validate better (which one does can hinge on a
 * float's last bit), so the reference trains as many rounds as the clients' weights have.
 */
function heldRounds(clients: readonly NodeParticipant[]): number {
  const rounds = new Set(clients.map((client) => client.participant.trainedRounds()));
  if (rounds.size !== 1) throw new Error(`the clients hold weights of different rounds: ${[...rounds].join(', ')}`);
  const [held] = rounds;
  expect(held).toBeGreaterThan(0);
  return held as number;
}

/** Largest ||a - b|| / ||a|| over the variables. */
function largestRelativeDistance(expected: model.NamedWeight[], actual: model.NamedWeight[]): number {
  return Math.max(
    ...expected.map((weight, w) => {
      const other = actual[w];
      if (other?.name !== weight.name) throw new Error(`weight ${w} is ${other?.name ?? 'missing'}, expected ${weight.name}`);
      let diff = 0;
      let norm = 0;
      weight.values.forEach((value, i) => {
        diff += (value - (other.values[i] as number)) ** 2;
        norm += value * value;
      });
      return Math.sqrt(diff) / Math.sqrt(norm);
    }),
  );
}

/** What crossed the wire from these clients, payload by payload, at the relay. */
async function payloadsFrom(clients: readonly NodeParticipant[], since = 0): Promise<{ event: string; binary: string }[]> {
  const ids = new Set(clients.map((client) => client.participant.identity?.participantId));
  const entries = (await readWireLog(wireLog)).filter((entry) => ids.has(entry.participant ?? '') && entry.at >= since);
  return entries.flatMap((entry) => binariesIn(entry.args).map((payload) => ({ event: entry.event, binary: payload.binary })));
}

function sentKinds(client: NodeParticipant): string[] {
  return Object.entries(client.participant.meter.snapshot().byKind)
    .filter(([, tally]) => tally.up.bytes > 0)
    .map(([kind]) => kind)
    .sort();
}

describe('baselines through the relay', () => {
  it('federated averaging: two clients, two local epochs a round, end where the in-process baseline ends; only weights leave', { timeout: 600_000 }, async () => {
    const config = demoStudy('fedavg over the relay', { ...SGD, method: 'fedavg', localEpochs: 2, rounds: 2, minClients: 2, seed: 7 });
    const created = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', config);
    const clients = await joinClients(created.joinCode, [
      { index: 0, count: 4 },
      { index: 1, count: 8 },
    ]);
    try {
      const study = await api<{ config: { method?: string } }>(relay, 'GET', `/api/studies/${created.id}`);
      expect(study.config.method).toBe('fedavg');
      const rows = await trainToTheEnd(created.id);
      const val = rows.filter((row) => row.phase === 'val' && row.participantId === null).sort((a, b) => a.round - b.round);
      expect(val.map((row) => row.round)).toEqual([0, 1]);
      expect(val[1]?.metrics.count).toBe(clients.reduce((sum, client) => sum + client.data.val.samples.length, 0));

      // Every client holds the average, and it is the in-process baseline's model.
      const held = clients.map((client) => client.participant.clientWeights()[0] ?? []);
      expect(largestRelativeDistance(held[0] ?? [], held[1] ?? [])).toBe(0);
      const spec = model.getModelSpec('cnn-small', { numClasses: config.classes.length, inputShape: [28, 28, 1] });
      const reference = new baselines.FederatedAveraging({
        spec,
        clients: clients.map((client) => ({ id: client.participant.identity?.participantId ?? '', data: client.data.train })),
        optimizer: { name: 'sgd', learningRate: SGD.learningRate },
        batchSize: 32,
        seed: 7,
        localEpochs: 2,
      });
      try {
        const untrained = model.readWeights(reference.global.segment.model);
        const rounds = heldRounds(clients);
        for (let round = 0; round < rounds; round++) await reference.runRound();
        const expected = model.readWeights(reference.global.segment.model);
        expect(largestRelativeDistance(expected, held[0] ?? [])).toBeLessThanOrEqual(1e-4);
        // And training moved the weights: the comparison is not of two untouched models.
        expect(largestRelativeDistance(untrained, expected)).toBeGreaterThan(1e-3);
      } finally {
        reference.dispose();
      }

      for (const client of clients) expect(sentKinds(client)).toEqual(['weights']);
      const payloads = await payloadsFrom(clients);
      expect(payloads.length).toBeGreaterThan(0);
      for (const payload of payloads) expect(payload.binary).toBe('bundle');
    } finally {
      for (const client of clients) client.close();
    }
  });

  it('large-batch SGD: two clients of unequal size step together through the relay and end as the in-process baseline; only gradients (and once a round the model) leave', { timeout: 600_000 }, async () => {
    const config = demoStudy('lbsgd over the relay', { ...SGD, method: 'lbsgd', rounds: 2, minClients: 2, seed: 8 });
    const created = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', config);
    const clients = await joinClients(created.joinCode, [
      { index: 0, count: 6 },
      { index: 1, count: 12 },
    ]);
    try {
      // Gradients outside a round, or under a malformed header, are refused with the reason; nothing counts.
      const socket = clients[0]?.socket as NodeParticipant['socket'];
      const early = (await socket.emitWithAck('gradients:sync', { studyId: created.id, round: 0, step: 0, samples: 1 }, new Uint8Array(8))) as { ok: boolean; error?: { code: string; message: string } };
      expect(early.ok).toBe(false);
      expect(early.error?.code).toBe('bad-message');
      expect(early.error?.message).toMatch(/no training round/);
      const malformed = (await socket.emitWithAck('gradients:sync', { studyId: created.id, round: -1 } as unknown as protocol.GradientsHeader, null)) as { ok: boolean; error?: { message: string } };
      expect(malformed.ok).toBe(false);
      expect(malformed.error?.message).toMatch(/malformed gradients header/);
      const started = Date.now();
      const rows = await trainToTheEnd(created.id);
      expect(rows.filter((row) => row.phase === 'val' && row.participantId === null).map((row) => row.round).sort()).toEqual([0, 1]);
      const held = clients.map((client) => client.participant.clientWeights()[0] ?? []);
      expect(largestRelativeDistance(held[0] ?? [], held[1] ?? [])).toBe(0);
      const spec = model.getModelSpec('cnn-small', { numClasses: config.classes.length, inputShape: [28, 28, 1] });
      const reference = new baselines.LargeBatchSgd({
        spec,
        clients: clients.map((client) => ({ id: client.participant.identity?.participantId ?? '', data: client.data.train })),
        optimizer: { name: 'sgd', learningRate: SGD.learningRate },
        batchSize: 32,
        seed: 8,
      });
      try {
        const rounds = heldRounds(clients);
        for (let round = 0; round < rounds; round++) await reference.runRound();
        expect(largestRelativeDistance(model.readWeights(reference.global.segment.model), held[0] ?? []), roundProblems(rows)).toBeLessThanOrEqual(1e-4);
      } finally {
        reference.dispose();
      }
      // The smaller client sent a gradient per batch it held and got the average at every step of the larger one.
      const [large, small] = clients.map((client) => client.participant.meter.snapshot().byKind.gradients);
      expect(small?.up.messages).toBeLessThan(large?.up.messages ?? 0);
      expect(small?.down.messages).toBe(large?.down.messages);
      // Besides gradients, one client a round sends the relay the model everyone now holds (what the study stands at, for validation and checkpoints).
      for (const client of clients) expect(['gradients', 'weights']).toEqual(expect.arrayContaining(sentKinds(client)));
      expect(clients.reduce((sum, client) => sum + (client.participant.meter.snapshot().byKind.weights?.up.messages ?? 0), 0)).toBe(2);
      const payloads = await payloadsFrom(clients, started);
      expect(payloads.length).toBeGreaterThan(0);
      for (const payload of payloads) expect(payload.binary).toBe('bundle');
    } finally {
      for (const client of clients) client.close();
    }
  });

  it('large-batch SGD goes on when a client vanishes mid-round: the others finish the round together and the study its rounds', { timeout: 600_000 }, async () => {
    const config = demoStudy('lbsgd with a client that leaves', { ...SGD, method: 'lbsgd', rounds: 2, minClients: 2, seed: 9, maxStepsPerRound: 6 });
    const created = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', config);
    const stayers = await joinClients(created.joinCode, [
      { index: 0, count: 8 },
      { index: 1, count: 8 },
    ]);
    const gone: { client?: NodeParticipant } = {};
    const leaver = await connectNodeParticipant({
      url: relay.url,
      joinCode: created.joinCode,
      data: { source: 'demo', shard: { index: 2, count: 8 } },
      label: 'leaver',
      backend: 'wasm',
      // Gone in the middle of round 0's steps, while the others wait on its gradient.
      events: { onProgress: (progress) => progress.phase === 'train' && progress.step === 3 && gone.client?.close() },
    });
    gone.client = leaver;
    try {
      const rows = await trainToTheEnd(created.id);
      const val = rows.filter((row) => row.phase === 'val' && row.participantId === null).sort((a, b) => a.round - b.round);
      expect(val.map((row) => row.round)).toEqual([0, 1]);
      expect(val[1]?.metrics.count).toBe(stayers.reduce((sum, client) => sum + client.data.val.samples.length, 0));
      const held = stayers.map((client) => client.participant.clientWeights()[0] ?? []);
      expect(largestRelativeDistance(held[0] ?? [], held[1] ?? [])).toBe(0);
      const leaverId = leaver.participant.identity?.participantId;
      // The relay recorded that the leaver's round was abandoned, and why.
      const db = new Database(path.join(relay.dataDir, 'relay.sqlite'), { readonly: true, fileMustExist: true });
      try {
        const abandoned = db.prepare("SELECT participant_id FROM audit_log WHERE study_id = ? AND action = 'step abandoned'").all(created.id) as { participant_id: string }[];
        expect(abandoned.map((row) => row.participant_id)).toContain(leaverId);
      } finally {
        db.close();
      }
    } finally {
      for (const client of [...stayers, leaver]) client.close();
    }
  });
});
