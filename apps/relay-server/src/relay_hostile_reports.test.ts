import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { backends, model, network, type protocol } from '@splitlearn/split-core';
import { connectNodeParticipant, loadLocalData, type NodeParticipant } from '@splitlearn/split-core/node';
import { api, startRelayProcess, waitFor, type RelayProcess } from './testing/relay_process';
import { demoParticipant, type Identity } from './testing/demo_participant';
import { replayableStudy } from './testing/replayable_study';
import { demoStudy } from './testing/demo_study';
import { computedFigures, type MetricRow } from './testing/metric_rows';

// A participant's report that is valid by the protocol's schema but cannot be merged (its
// sample count disagrees with its own confusion matrix) must cost only that participant its
// place in the round's validation figure, never the study its round loop (issue: one
// participant must not be able to stop a study). The liar is a real participant whose
// evaluation replies are altered on their way out: the one fault here that an honest client
// cannot be made to produce. The same way: weights that are not the model's, a free-text
// failure, and a hello that overstates the training set.

let relay: RelayProcess;

beforeAll(async () => {
  await backends.initBackend('wasm');
  relay = await startRelayProcess();
});

afterAll(async () => {
  if (process.env.RELAY_TEST_LOG) console.log(relay?.output());
  await relay?.dispose();
});

/** How a hostile participant alters its replies on their way out (each one schema-valid). */
interface Alterations {
  hello?: (hello: protocol.Hello) => protocol.Hello;
  epoch?: (reply: protocol.EpochReply) => protocol.EpochReply;
  weights?: (bundles: protocol.Binary[]) => protocol.Binary[];
}

/** A real participant on demo shard `shard` whose replies are altered as given. */
async function alteredParticipant(joinCode: string, shard: { index: number; count: number }, label: string, alter: Alterations, on: RelayProcess = relay, resume?: Identity): Promise<{ participant: network.Participant; close: () => void }> {
  const socket = io(on.url, { transports: ['websocket'] });
  const real = network.participantSocket(socket);
  const altered: network.ParticipantSocket = {
    ...real,
    emit: (event, ...args) => {
      if (event === 'participant:hello' && alter.hello) {
        const [hello, ack] = args as Parameters<protocol.ClientToServerEvents['participant:hello']>;
        return real.emit('participant:hello', alter.hello(hello as protocol.Hello), ack);
      }
      return real.emit(event, ...args);
    },
    on: (event, listener) => {
      if (event === 'epoch:start' && alter.epoch) {
        const start = listener as protocol.ServerToClientEvents['epoch:start'];
        const change = alter.epoch;
        return real.on('epoch:start', (message, ack) => start(message, (reply) => ack(change(reply))));
      }
      if (event === 'weights:request' && alter.weights) {
        const upload = listener as protocol.ServerToClientEvents['weights:request'];
        const change = alter.weights;
        return real.on('weights:request', (header, ack) => upload(header, (reply) => ack(reply.ok ? { ...reply, bundles: change(reply.bundles) } : reply)));
      }
      return real.on(event, listener);
    },
  };
  const lookup = await network.lookupStudy(on.url, joinCode);
  if (!lookup.ok) throw new Error('the study was not found');
  const local = await loadLocalData(lookup.study, { source: 'demo', shard });
  const participant = new network.Participant(altered, { joinCode, train: local.train, val: local.val, client: { kind: 'node', backend: 'wasm', label }, ...(resume ? { resume } : {}) });
  await participant.join();
  return { participant, close: () => socket.disconnect() };
}

/** Claims one sample more than its own confusion matrix holds. */
const overcount = (reply: protocol.EpochReply): protocol.EpochReply => (reply.ok && reply.metrics ? { ...reply, metrics: { ...reply.metrics, count: reply.metrics.count + 1 } } : reply);

/** Renames the first tensor of its first segment: a valid bundle of weights that are not the model's. */
function renameFirstTensor(bundles: protocol.Binary[]): protocol.Binary[] {
  return bundles.map((bundle, i) => {
    if (i > 0) return bundle;
    const weights = model.decodeWeights(bundle instanceof Uint8Array ? bundle : new Uint8Array(bundle));
    return model.encodeWeights(weights.map((weight, k) => (k === 0 ? { ...weight, name: 'intruder/kernel' } : weight)));
  });
}

async function studyState(studyId: string): Promise<{ state: string; round: number; latestRound: { failed: { groupId: string; reason: string }[]; completed: string[] } | null }> {
  return api(relay, 'GET', `/api/studies/${studyId}`);
}

/** Runs the study to its end with `other` and an honest participant on the other demo shard; both leave afterwards. */
async function finishBeside(study: { id: string; joinCode: string }, other: { close(): void }): Promise<NodeParticipant> {
  let honest: NodeParticipant | undefined;
  try {
    honest = await connectNodeParticipant({ url: relay.url, joinCode: study.joinCode, data: { source: 'demo', shard: { index: 1, count: 2 } }, backend: 'wasm', label: 'honest' });
    await api(relay, 'POST', `/api/studies/${study.id}/control`, { action: 'start' });
    await waitFor('the study to finish', async () => ((await studyState(study.id)).state === 'finished' ? true : undefined), 240_000, 250);
    return honest;
  } finally {
    honest?.close();
    other.close();
  }
}

describe('a participant whose report cannot be merged', () => {
  it('is left out of the round’s validation; the study trains on and finishes', { timeout: 300_000 }, async () => {
    // U-shaped: the clients score their own validation and report metrics.
    const study = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy('a liar among honest clients', { topology: 'u-shaped', rounds: 2, maxStepsPerRound: 3, minClients: 2 }));
    const liar = await alteredParticipant(study.joinCode, { index: 0, count: 2 }, 'liar', { epoch: overcount });
    const honest = await finishBeside(study, liar);
    const rows = (await api<{ metrics: { round: number; phase: string; participantId: string | null; metrics: { participants?: number } }[] }>(relay, 'GET', `/api/studies/${study.id}/metrics`)).metrics;
    const pooled = rows.filter((row) => row.phase === 'val' && row.participantId === null);
    // Both rounds were validated, each from the honest participant alone.
    expect(pooled.map((row) => row.round)).toEqual([0, 1]);
    for (const row of pooled) expect(row.metrics.participants).toBe(1);
    const honestId = honest.participant.identity?.participantId;
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

  it('sending weights that are not the model’s fails that participant’s round only: the average is of the honest clients, the study trains on', { timeout: 300_000 }, async () => {
    // SplitFed averages client segments every round: the renamed tensor reaches the average's input.
    const study = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy('an intruder’s weights', { schedule: 'splitfed-v2', rounds: 2, maxStepsPerRound: 2, minClients: 2 }));
    const intruder = await alteredParticipant(study.joinCode, { index: 0, count: 2 }, 'intruder', { weights: renameFirstTensor });
    const honest = await finishBeside(study, intruder);
    const final = await studyState(study.id);
    const intruderId = intruder.participant.identity?.participantId;
    expect(final.round).toBe(2);
    // Its group failed the last round (its upload was refused); the honest client completed it.
    expect(final.latestRound?.completed).toEqual([honest.participant.identity?.participantId]);
    expect(final.latestRound?.failed.map((failure) => failure.groupId)).toEqual([intruderId]);
    expect(relay.output()).toMatch(/intruder\/kernel \[[\d, ]+\] as weight 0 of segment 0/);
    expect(relay.output()).not.toMatch(/study loop stopped/);
  });

  it('a participant’s own words about its failure go to the relay’s log, never into what every viewer of the study reads', { timeout: 300_000 }, async () => {
    const words = 'Jane Doe, born 1970-01-01, MRN 12345';
    const study = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy('a chatty failure', { schedule: 'splitfed-v2', rounds: 1, maxStepsPerRound: 2, minClients: 2 }));
    const chatty = await alteredParticipant(study.joinCode, { index: 0, count: 2 }, 'chatty', { epoch: () => ({ ok: false, error: { code: 'client-error', message: words } }) });
    await finishBeside(study, chatty);
    const publicView = await studyState(study.id);
    expect(publicView.latestRound?.failed.map((failure) => failure.groupId)).toEqual([chatty.participant.identity?.participantId]);
    expect(publicView.latestRound?.failed[0]?.reason).toMatch(/did not complete the train epoch \(it reported a failure: see the relay's log\)/);
    expect(JSON.stringify(publicView)).not.toContain('Jane Doe');
    expect(relay.output()).toMatch(/participant reported a failure.*Jane Doe/);
  });
});

describe('a participant that overstates its training set', () => {
  it('weighs in the average by the samples the server processed for it: the study trains exactly as if it had told the truth', { timeout: 600_000 }, async () => {
    // SplitFed V1 averages the clients' segments and the server's copies every round, each weighted by its samples.
    const replay = await replayableStudy(demoStudy('an overstated training set', { schedule: 'splitfed-v1', rounds: 2, maxStepsPerRound: 3, minClients: 2, seed: 7 }));
    const { study, identities } = replay;
    try {
      const run = async (dataDir: string, boast: boolean): Promise<{ rows: MetricRow[]; output: string }> => {
        const relayed = await replay.start(dataDir);
        const first = boast
          ? await alteredParticipant(study.joinCode, { index: 0, count: 2 }, 'honest 0', { hello: (hello) => ({ ...hello, data: { ...hello.data, trainCount: 10_000_000 } }) }, relayed, identities[0])
          : await demoParticipant(relayed, study.joinCode, { index: 0, count: 2 }, identities[0]);
        const second = await demoParticipant(relayed, study.joinCode, { index: 1, count: 2 }, identities[1]);
        try {
          await api(relayed, 'POST', `/api/studies/${study.id}/control`, { action: 'start' });
          await waitFor('the study to finish', async () => ((await api<{ state: string }>(relayed, 'GET', `/api/studies/${study.id}`)).state === 'finished' ? true : undefined), 300_000, 250);
        } finally {
          first.close();
          second.close();
        }
        return { rows: (await api<{ metrics: MetricRow[] }>(relayed, 'GET', `/api/studies/${study.id}/metrics`)).metrics, output: relayed.output() };
      };
      const truthful = await run(await replay.copy(), false);
      const boastful = await run(await replay.copy(), true);
      // The relay took the declaration (it asks for as many steps as the study allows)...
      expect(boastful.output).toMatch(/"msg":"participant joined".*"train":10000000/);
      // ...and weighed the participant by what it actually trained on.
      expect(boastful.rows.filter((row) => row.phase === 'val' && row.participantId === null).map((row) => row.round)).toEqual([0, 1]);
      expect(computedFigures(boastful.rows)).toEqual(computedFigures(truthful.rows));
    } finally {
      await replay.dispose();
    }
  });
});
