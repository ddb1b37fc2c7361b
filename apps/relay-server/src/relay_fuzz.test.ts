import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '@splitlearn/split-core';
import { runHostileClient, type HostileTally } from './testing/hostile_client';
import { api, waitFor, type RelayProcess } from './testing/relay_process';
import { type MetricRow, computedFigures } from './testing/metric_rows';
import { demoParticipant } from './testing/demo_participant';
import { replayableStudy, type ReplayableStudy } from './testing/replayable_study';
import { demoStudy, mlpStudy } from './testing/demo_study';

// Hostile sockets fuzz the relay while honest clients train a seeded study. The relay must
// not crash, its memory must stay bounded, every hostile socket must be told off and
// dropped, and the honest study must end with exactly the figures of the same run without
// them. "The same run" is the same data folder copied before training (the same study, the
// same participant identities, which key each client's batch order) on a second relay.

const HOSTILE_SOCKETS = 4;
const MESSAGES_PER_SOCKET = 2_600;

const replays: ReplayableStudy[] = [];
const relays: RelayProcess[] = [];

beforeAll(async () => {
  await backends.initBackend('wasm');
});

afterAll(async () => {
  if (process.env.RELAY_TEST_LOG) relays.forEach((relay) => console.log(relay.output()));
  await Promise.all(replays.map((replay) => replay.dispose()));
});

async function rssMb(relay: RelayProcess): Promise<number> {
  const status = await readFile(`/proc/${relay.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

describe('hostile sockets while honest clients train', () => {
  it('leave the relay up, its memory bounded and the honest study’s figures exactly as without them', { timeout: 900_000 }, async () => {
    // Where hostile sockets may join: a cheap study that trains whoever is there.
    let decoy = { id: '', joinCode: '' };
    const replay = await replayableStudy(demoStudy('honest, seeded', { schedule: 'round-robin', rounds: 3, maxStepsPerRound: 4, minClients: 2, seed: 11 }), {
      prepare: async (setup) => {
        decoy = await api<{ id: string; joinCode: string }>(setup, 'POST', '/api/studies', mlpStudy('decoy', { rounds: 1000, maxStepsPerRound: 2 }));
      },
    });
    replays.push(replay);
    const { study, identities } = replay;

    const run = async (dataDir: string, hostile: boolean): Promise<{ rows: MetricRow[]; tallies: HostileTally[]; rss: number[]; relay: RelayProcess }> => {
      const relay = await replay.start(dataDir);
      relays.push(relay);
      // Rejoin in a fixed order: round-robin takes clients in the order they joined.
      const clients = [];
      for (const index of [0, 1]) clients.push(await demoParticipant(relay, study.joinCode, { index, count: 2 }, identities[index]));
      let finished = false;
      const rss: number[] = [];
      let hostiles: Promise<HostileTally[]> = Promise.resolve([]);
      if (hostile) {
        await api(relay, 'POST', `/api/studies/${decoy.id}/control`, { action: 'start' });
        rss.push(await rssMb(relay));
        const targets = { url: relay.url, decoy, honest: study };
        hostiles = Promise.all(Array.from({ length: HOSTILE_SOCKETS }, (_, k) => runHostileClient(targets, 1000 + k, MESSAGES_PER_SOCKET, () => !finished)));
      }
      await api(relay, 'POST', `/api/studies/${study.id}/control`, { action: 'start' });
      await waitFor('the honest study to finish', async () => ((await api<{ state: string }>(relay, 'GET', `/api/studies/${study.id}`)).state === 'finished' ? true : undefined), 600_000, 500);
      finished = true;
      const tallies = await hostiles;
      if (hostile) rss.push(await rssMb(relay));
      clients.forEach((client) => client.close());
      const { metrics } = await api<{ metrics: MetricRow[] }>(relay, 'GET', `/api/studies/${study.id}/metrics`);
      // The relay is still up and answering.
      expect((await api<{ ok: boolean }>(relay, 'GET', '/api/health')).ok).toBe(true);
      expect(relay.child.exitCode).toBeNull();
      return { rows: metrics, tallies, rss, relay };
    };

    const quiet = await run(await replay.copy(), false);
    const fuzzed = await run(await replay.copy(), true);

    // Three rounds validated, and the same figures to the last bit.
    expect(quiet.rows.filter((row) => row.phase === 'val' && row.participantId === null).map((row) => row.round)).toEqual([0, 1, 2]);
    expect(computedFigures(fuzzed.rows)).toEqual(computedFigures(quiet.rows));

    const sent = fuzzed.tallies.reduce((sum, tally) => sum + tally.sent, 0);
    expect(sent).toBeGreaterThanOrEqual(HOSTILE_SOCKETS * MESSAGES_PER_SOCKET);
    for (const tally of fuzzed.tallies) {
      expect(tally.errors).toBeGreaterThan(0);
      expect(tally.dropped).toBeGreaterThan(0);
    }
    const [before, after] = fuzzed.rss as [number, number];
    console.log(`fuzz: ${sent} hostile messages over ${fuzzed.tallies.reduce((sum, tally) => sum + tally.connections, 0)} connections; ${fuzzed.tallies.reduce((sum, tally) => sum + tally.errors, 0)} errors back, ${fuzzed.tallies.reduce((sum, tally) => sum + tally.dropped, 0)} drops; relay RSS ${before.toFixed(0)} MB before, ${after.toFixed(0)} MB after`);
    expect(after - before).toBeLessThan(400);
    expect(fuzzed.relay.output()).not.toMatch(/study loop stopped|unhandled rejection|uncaught/i);
  });
});
