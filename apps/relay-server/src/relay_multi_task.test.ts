import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { data } from '@splitlearn/split-core';
import { connectNodeParticipant, type NodeParticipant } from '@splitlearn/split-core/node';
import { api, waitFor } from './testing/relay_process';
import { useWireLoggedRelay } from './testing/wire_logged_relay';
import { binariesIn, readWireLog, stepHeaderOf } from './testing/wire_log_reader';
import { expectLearned } from './testing/expect_learned';

// Multi-task split learning (PAPER.md Fig. 4b) over the real relay: two hospitals hold
// different columns of the same patients; the label holder's table has two tasks (an outcome
// and a three-level grade), the relay's server segment has one head per task. The loss falls,
// each task is scored on its own and reaches the dashboard, and only the label holder sends
// labels, one column per task; every party receives gradients and nothing else.

const env = useWireLoggedRelay('multi-task-');

const GRADES = ['low', 'mid', 'high'];

/** A holds a1-a3, the outcome and the grade; B holds b1-b2; both tasks need both hospitals' columns. */
async function hospitalTables(): Promise<{ a: string; b: string }> {
  const rng = data.createRng(9);
  const rows = Array.from({ length: 240 }, (_, i) => {
    const a = [rng.normal(), rng.normal(), rng.normal()];
    const b = [rng.normal(), rng.normal()];
    const score = (a[1] ?? 0) - (b[1] ?? 0);
    return { id: `P${String(i).padStart(4, '0')}`, a, b, outcome: (a[0] ?? 0) + (b[0] ?? 0) > 0 ? 'yes' : 'no', grade: GRADES[score < -0.6 ? 0 : score < 0.6 ? 1 : 2] };
  });
  const a = path.join(env.scratch, 'hospital-a.csv');
  const b = path.join(env.scratch, 'hospital-b.csv');
  await writeFile(a, ['patient_id,a1,a2,a3,outcome,grade', ...rows.map((row) => `${row.id},${row.a.join(',')},${row.outcome},${row.grade}`)].join('\n'));
  await writeFile(b, ['patient_id,b1,b2', ...rows.reverse().map((row) => `${row.id},${row.b.join(',')}`)].join('\n'));
  return { a, b };
}

describe('multi-task split learning over the relay', () => {
  it('trains one head per task on two hospitals’ columns; each task is scored; labels only from the label holder, one column per task', { timeout: 600_000 }, async () => {
    const tables = await hospitalTables();
    const created = await api<{ id: string; joinCode: string }>(env.relay, 'POST', '/api/studies', {
      name: 'multi-task over the relay',
      topology: 'multi-task',
      classes: ['no', 'yes'],
      schedule: 'round-robin',
      parties: [
        { name: 'Hospital A', input: { columns: ['a1', 'a2', 'a3'] } },
        { name: 'Hospital B', input: { columns: ['b1', 'b2'] } },
      ],
      labelColumn: 'outcome',
      tasks: [{ name: 'grade', classes: GRADES, weight: 0.5 }],
      rounds: 5,
      batchSize: 16,
      learningRate: 0.01,
      minClients: 2,
    });
    const join = (file: string, party: number): Promise<NodeParticipant> => connectNodeParticipant({ url: env.relay.url, joinCode: created.joinCode, data: { source: file, party }, backend: 'wasm', label: `hospital-${party}` });
    const clients = [await join(tables.a, 0), await join(tables.b, 1)];
    try {
      await api(env.relay, 'POST', `/api/studies/${created.id}/control`, { action: 'start' });
      await waitFor('the study to finish', async () => ((await api<{ state: string }>(env.relay, 'GET', `/api/studies/${created.id}`)).state === 'finished' ? true : undefined), 300_000, 250);
    } finally {
      for (const client of clients) client.close();
    }

    type Row = { round: number; phase: string; participantId: string | null; metrics: { loss?: number; accuracy?: number; count?: number; tasks?: { name: string; accuracy: number; confusion: number[][]; count: number }[] } };
    const rows = (await api<{ metrics: Row[] }>(env.relay, 'GET', `/api/studies/${created.id}/metrics`)).metrics;
    const train = rows.filter((row) => row.phase === 'train' && row.participantId === null).sort((x, y) => x.round - y.round);
    expect(train.at(-1)?.metrics.loss).toBeLessThan(train[0]?.metrics.loss ?? 0);
    const val = rows.filter((row) => row.phase === 'val' && row.participantId === null).sort((x, y) => x.round - y.round);
    expect(val).toHaveLength(5);
    const last = val.at(-1)?.metrics;
    expect(last?.tasks?.map((task) => task.name)).toEqual(['outcome', 'grade']);
    // The first task's figures are the round's own.
    expect(last?.tasks?.[0]?.accuracy).toBe(last?.accuracy);
    expectLearned(val);
    const grade = last?.tasks?.[1];
    expect(grade?.confusion).toHaveLength(3);
    expect(grade?.count).toBe(last?.count);
    // Three grades, the middle one the largest: always guessing it scores about 0.45.
    expect(grade?.accuracy).toBeGreaterThan(0.6);

    // Labels from the label holder alone, as [batch, 2] int32: the outcome and the grade of each patient.
    const [holder, other] = clients.map((client) => client.participant.identity?.participantId);
    const labelFrames = (await readWireLog(env.wireLog)).filter((entry) => stepHeaderOf(entry)?.kind === 'labels');
    expect(labelFrames.length).toBeGreaterThan(0);
    expect(new Set(labelFrames.map((entry) => entry.participant))).toEqual(new Set([holder]));
    for (const frame of labelFrames) {
      const [tensor] = binariesIn(frame.args);
      expect(tensor?.dtype).toBe('int32');
      expect(tensor?.shape?.[1]).toBe(2);
    }
    expect(other).toBeDefined();
    // What each party received: the alignment's blinded sets, its gradients and its own
    // segment's weights back; never labels or another party's activations.
    for (const client of clients) {
      const received = Object.entries(client.participant.meter.snapshot().byKind).filter(([, tally]) => tally.down.bytes > 0).map(([kind]) => kind);
      expect(received).toEqual(['alignment', 'gradients', 'weights']);
    }
  });
});
