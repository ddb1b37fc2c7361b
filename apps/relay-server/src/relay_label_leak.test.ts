import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '@splitlearn/split-core';
import { connectNodeParticipant } from '@splitlearn/split-core/node';
import { api, startRelayProcess, waitFor, type RelayProcess } from './testing/relay_process';
import { demoStudy } from './testing/demo_study';

// Label leakage, watched (issue 13): in a binary study whose labels reach the server, the
// relay scores every round what its own cut gradients reveal of the labels (the norm and
// direction attacks of Li et al. 2022) and stores the leak AUCs with the round; in U-shaped
// mode no labels reach it, so there is nothing to pair a gradient with and nothing is stored.

interface MetricRow {
  round: number;
  phase: 'train' | 'val';
  participantId: string | null;
  metrics: { leak?: { norm: number | null; direction: number | null } };
}

let relay: RelayProcess;

beforeAll(async () => {
  await backends.initBackend('wasm');
  relay = await startRelayProcess();
});

afterAll(async () => {
  await relay?.dispose();
});

async function trainRows(topology: 'vanilla' | 'u-shaped'): Promise<MetricRow[]> {
  const created = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy(`leak ${topology}`, { topology, rounds: 2, maxStepsPerRound: 6, minClients: 1 }));
  const client = await connectNodeParticipant({ url: relay.url, joinCode: created.joinCode, data: { source: 'demo', shard: { index: 0, count: 4 } }, backend: 'wasm' });
  try {
    await api(relay, 'POST', `/api/studies/${created.id}/control`, { action: 'start' });
    await waitFor('the study to finish', async () => ((await api<{ state: string }>(relay, 'GET', `/api/studies/${created.id}`)).state === 'finished' ? true : undefined), 300_000, 250);
    const rows = (await api<{ metrics: MetricRow[] }>(relay, 'GET', `/api/studies/${created.id}/metrics`)).metrics;
    return rows.filter((row) => row.phase === 'train' && row.participantId === null).sort((a, b) => a.round - b.round);
  } finally {
    client.close();
  }
}

describe('label leakage at the relay', () => {
  it('vanilla: every round stores the leak AUCs of its cut gradients; the direction attack finds the labels', { timeout: 300_000 }, async () => {
    const rows = await trainRows('vanilla');
    expect(rows.map((row) => row.round)).toEqual([0, 1]);
    for (const row of rows) {
      const leak = row.metrics.leak;
      expect(leak?.norm).toBeGreaterThanOrEqual(0.5);
      expect(leak?.norm).toBeLessThanOrEqual(1);
      // Softmax cross-entropy's gradient at the logits is p - y: the two classes' point opposite ways, and so, mostly, do the cut's.
      expect(leak?.direction).toBeGreaterThan(0.8);
    }
  });

  it('U-shaped: no labels reach the relay, so no leak figure is stored', { timeout: 300_000 }, async () => {
    const rows = await trainRows('u-shaped');
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.metrics.leak).toBeUndefined();
  });
});
