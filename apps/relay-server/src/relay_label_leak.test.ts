import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { backends, data, network } from '@splitlearn/split-core';
import { connectNodeParticipant } from '@splitlearn/split-core/node';
import { api, startRelayProcess, waitFor, type RelayProcess } from './testing/relay_process';
import { demoStudy, mlpStudy } from './testing/demo_study';

// Label leakage, watched (issue 13): in a binary study whose labels reach the server, the
// relay scores every round what its own cut gradients reveal of the labels (the norm and
// direction attacks of Li et al. 2022) and stores the leak AUCs with the round; in U-shaped
// mode no labels reach it, so there is nothing to pair a gradient with and nothing is stored.
// A study's gradient noise is scored as sent: the leak figures are of the defended gradients.

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

async function trainRows(topology: 'vanilla' | 'u-shaped', extra: Record<string, unknown> = {}): Promise<MetricRow[]> {
  const created = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', { ...demoStudy(`leak ${topology}`, { topology, rounds: 2, maxStepsPerRound: 6, minClients: 1 }), ...extra });
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

/** Rows of 30 features whose label (one in five positive) follows the first two. */
function imbalancedRows(count: number, seed: number): data.Dataset {
  const rng = data.createRng(seed);
  const samples = Array.from({ length: count }, (_, i) => {
    const values = Float32Array.from({ length: 30 }, () => rng.normal());
    return { id: `row-${seed}-${i}`, label: (values[0] as number) + (values[1] as number) > 1.2 ? 1 : 0, values };
  });
  return { classes: ['benign', 'malignant'], sampleShape: [30], samples };
}

/** The last round's leak AUCs of a tabular vanilla study with one client on imbalanced rows. */
async function imbalancedLeak(extra: Record<string, unknown>): Promise<{ norm: number; direction: number }> {
  const created = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', { ...mlpStudy('leak, imbalanced', { rounds: 3, batchSize: 32, learningRate: 0.01, seed: 4 }), ...extra });
  const socket = io(relay.url, { transports: ['websocket'], reconnection: false });
  const participant = new network.Participant(network.participantSocket(socket), {
    joinCode: created.joinCode,
    train: imbalancedRows(640, 1),
    val: imbalancedRows(64, 2),
    client: { kind: 'node', backend: 'wasm', label: 'imbalanced' },
  });
  try {
    await participant.join();
    await api(relay, 'POST', `/api/studies/${created.id}/control`, { action: 'start' });
    await waitFor('the study to finish', async () => ((await api<{ state: string }>(relay, 'GET', `/api/studies/${created.id}`)).state === 'finished' ? true : undefined), 300_000, 250);
    const rows = (await api<{ metrics: MetricRow[] }>(relay, 'GET', `/api/studies/${created.id}/metrics`)).metrics;
    const last = rows.filter((row) => row.phase === 'train' && row.participantId === null).sort((a, b) => a.round - b.round).at(-1)?.metrics.leak;
    if (last?.norm == null || last.direction == null) throw new Error('no leak figures for the last round');
    return { norm: last.norm, direction: last.direction };
  } finally {
    participant.dispose();
    socket.close();
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

  it('max-norm gradient noise, the study\'s defence, brings the norm attack down on an imbalanced task', { timeout: 300_000 }, async () => {
    // Li et al.: the norm attack thrives on class imbalance (here one positive in five).
    const plain = await imbalancedLeak({});
    const defended = await imbalancedLeak({ gradientNoise: { kind: 'max-norm' } });
    expect(plain.norm).toBeGreaterThan(0.8);
    expect(defended.norm).toBeLessThan(plain.norm - 0.15);
  });

  it('U-shaped: no labels reach the relay, so no leak figure is stored', { timeout: 300_000 }, async () => {
    const rows = await trainRows('u-shaped');
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.metrics.leak).toBeUndefined();
  });
});
