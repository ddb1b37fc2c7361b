import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, data } from '@splitlearn/split-core';
import { connectNodeParticipant, type NodeParticipant } from '@splitlearn/split-core/node';
import { api, startRelayProcess, waitFor, type RelayProcess } from './testing/relay_process';
import { readWireLog, stepHeaderOf, type WireEntry } from './testing/wire_log_reader';
import { idSpellings } from './testing/id_spellings';
import { expectLearned } from './testing/expect_learned';

// A vertically partitioned study over the real relay: two hospitals hold different columns
// of overlapping patients, align their rows by private set intersection through the relay,
// and train; the relay forwards only blinded ids, sealed keys and tags, stores only counts,
// and the labels come from the label holder alone.

let relay: RelayProcess;
let scratch: string;
let wireLog: string;

beforeAll(async () => {
  await backends.initBackend('wasm');
  scratch = await mkdtemp(path.join(os.tmpdir(), 'vertical-'));
  wireLog = path.join(scratch, 'wire.jsonl');
  relay = await startRelayProcess({ args: ['--wire-log', wireLog] });
});

afterAll(async () => {
  if (process.env.RELAY_TEST_LOG) console.log(relay?.output());
  await relay?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

const id = (i: number): string => `P${String(i).padStart(4, '0')}`;

/** Two CSVs of overlapping patients: A holds P0000-P0179 with the label, B holds P0020-P0199; the label depends on both. */
async function hospitalTables(): Promise<{ a: string; b: string; ids: string[] }> {
  const rng = data.createRng(5);
  const rows = Array.from({ length: 200 }, (_, i) => {
    const a = [rng.normal(), rng.normal(), rng.normal()];
    const b = [rng.normal(), rng.normal()];
    return { id: id(i), a, b, label: (a[0] ?? 0) + (b[0] ?? 0) > 0 ? 'yes' : 'no' };
  });
  const a = path.join(scratch, 'hospital-a.csv');
  const b = path.join(scratch, 'hospital-b.csv');
  await writeFile(a, ['patient_id,a1,a2,a3,outcome', ...rows.slice(0, 180).map((row) => `${row.id},${row.a.join(',')},${row.label}`)].join('\n'));
  await writeFile(b, ['patient_id,b1,b2', ...rows.slice(20).reverse().map((row) => `${row.id},${row.b.join(',')}`)].join('\n'));
  return { a, b, ids: rows.map((row) => row.id) };
}

/** The two hospitals' study: A holds a1-a3, B holds b1-b2; `labelHolder` a party (0, the default) or the server. */
function createStudy(name: string, extra: Record<string, unknown> = {}): Promise<{ id: string; joinCode: string }> {
  return api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', {
    name,
    topology: 'vertical',
    classes: ['no', 'yes'],
    schedule: 'round-robin',
    parties: [
      { name: 'Hospital A', input: { columns: ['a1', 'a2', 'a3'] } },
      { name: 'Hospital B', input: { columns: ['b1', 'b2'] } },
    ],
    labelColumn: 'outcome',
    rounds: 4,
    batchSize: 16,
    learningRate: 0.01,
    minClients: 2,
    ...extra,
  });
}

/** Joins as party `party` with its CSV; each alignment's intersection size goes to `aligned`. */
function joinParty(joinCode: string, file: string, party: number, aligned: number[]): Promise<NodeParticipant> {
  return connectNodeParticipant({ url: relay.url, joinCode, data: { source: file, party }, backend: 'wasm', label: `hospital-${party}`, events: { onAlignment: (status) => status.aligned !== undefined && aligned.push(status.aligned) } });
}

async function startAndFinish(studyId: string): Promise<void> {
  await api(relay, 'POST', `/api/studies/${studyId}/control`, { action: 'start' });
  await waitFor('the study to finish', async () => ((await api<{ state: string }>(relay, 'GET', `/api/studies/${studyId}`)).state === 'finished' ? true : undefined), 300_000, 250);
}

/** What these clients sent, as the relay's wire log recorded it. */
async function sentBy(clients: readonly NodeParticipant[]): Promise<WireEntry[]> {
  const participants = new Set(clients.map((client) => client.participant.identity?.participantId));
  return (await readWireLog(wireLog)).filter((entry) => participants.has(entry.participant ?? ''));
}

function expectNoIdIn(entries: readonly WireEntry[], ids: readonly string[], studyId: string): void {
  const text = JSON.stringify(entries);
  for (const patient of ids) for (const spelling of idSpellings(patient, studyId)) expect(text.includes(spelling), `${patient} as ${spelling.slice(0, 16)}`).toBe(false);
}

/** The relay's audit of a study's alignments: counts only. */
function alignmentAudit(db: Database.Database, studyId: string): unknown[] {
  return (db.prepare("SELECT details FROM audit_log WHERE action = 'rows aligned' AND study_id = ?").all(studyId) as { details: string }[]).map((row) => JSON.parse(row.details) as unknown);
}

function openDatabase(): Database.Database {
  return new Database(path.join(relay.dataDir, 'relay.sqlite'), { readonly: true, fileMustExist: true });
}

describe('vertical split learning over the relay', () => {
  it('aligns two hospitals by PSI through the relay and trains on the common patients; no id crosses, the database keeps counts', { timeout: 600_000 }, async () => {
    const tables = await hospitalTables();
    const created = await createStudy('vertical over the relay');
    const aligned: number[] = [];
    const clients = [await joinParty(created.joinCode, tables.a, 0, aligned), await joinParty(created.joinCode, tables.b, 1, aligned)];
    try {
      // A second participant cannot take a party already held.
      await expect(joinParty(created.joinCode, tables.b, 1, aligned)).rejects.toThrow(/party 1 is already taken/);
      await startAndFinish(created.id);
    } finally {
      for (const client of clients) client.close();
    }
    // Each party ended with exactly the 160 patients both hold.
    expect(aligned).toEqual([160, 160]);
    const rows = (await api<{ metrics: { round: number; phase: string; metrics: { accuracy?: number; auc?: number; count?: number; completed?: number } }[] }>(relay, 'GET', `/api/studies/${created.id}/metrics`)).metrics;
    const val = rows.filter((row) => row.phase === 'val');
    expect(val.map((row) => row.round)).toEqual([0, 1, 2, 3]);
    // 20% of the 160 common patients, the same at both parties.
    expect(val.at(-1)?.metrics.count).toBe(32);
    expectLearned(val);
    for (const row of rows.filter((entry) => entry.phase === 'train')) expect(row.metrics.completed).toBe(1);

    // What crossed the wire into the relay from the two hospitals.
    const theirs = await sentBy(clients);
    expect(theirs.some((entry) => entry.event === 'ack:align:tags')).toBe(true);
    // The blinded ids and tags are in the log byte for byte: the search below looks inside them.
    expect(JSON.stringify(theirs)).toMatch(/"hex":"[0-9a-f]{5760}/);
    expectNoIdIn(theirs, tables.ids, created.id);
    // Labels only from the label holder.
    const labelSenders = new Set(theirs.filter((entry) => stepHeaderOf(entry)?.kind === 'labels').map((entry) => entry.participant));
    expect([...labelSenders]).toEqual([clients[0]?.participant.identity?.participantId]);

    // The relay's database: the alignment as counts, and no patient id anywhere in it.
    const db = openDatabase();
    try {
      expect(alignmentAudit(db, created.id)).toEqual([{ parties: 2, rows: [180, 180], aligned: 160 }]);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      const dump = tables.map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())).join('\n');
      expect(dump).not.toMatch(/P0\d{3}/);
    } finally {
      db.close();
    }
    // Read back the CSV to be sure the test looked for ids that exist.
    expect(await readFile(tables.a, 'utf8')).toContain(id(42));
  });

  it('with the labels at the server: the researcher gives the relay a table of labels, it aligns as one more party, and no party sends labels', { timeout: 600_000 }, async () => {
    const tables = await hospitalTables();
    // The researcher's table: every patient's outcome (P0000-P0199), ids under the study's id column.
    const labelsCsv = ['patient_id,outcome', ...(await readFile(tables.a, 'utf8')).split('\n').slice(1).map((line) => `${line.split(',')[0]},${line.split(',').at(-1)}`)].join('\n');
    const created = await createStudy('vertical, server-held labels', { labelHolder: 'server' });
    const putLabels = (csv: string): Promise<Response> =>
      fetch(`${relay.url}/api/studies/${created.id}/labels`, { method: 'PUT', headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${relay.token}` }, body: csv });
    // Not without the labels, and not from anyone without the researcher token.
    await expect(api(relay, 'POST', `/api/studies/${created.id}/control`, { action: 'start' })).rejects.toThrow(/server holds this study.s labels, and none were given yet/);
    expect((await fetch(`${relay.url}/api/studies/${created.id}/labels`, { method: 'PUT', body: labelsCsv })).status).toBe(401);
    const wrongColumn = await putLabels('patient_id,diagnosis\nP0001,yes');
    expect(wrongColumn.status).toBe(400);
    expect(((await wrongColumn.json()) as { error: string }).error).toMatch(/no label column "outcome"/);
    const given = (await (await putLabels(labelsCsv)).json()) as { rows: number; classCounts: Record<string, number> };
    expect(given.rows).toBe(180);
    expect((given.classCounts.no ?? 0) + (given.classCounts.yes ?? 0)).toBe(180);

    const aligned: number[] = [];
    // Hospital A's table has the outcome column too: with the labels at the server, it is not read.
    const clients = [await joinParty(created.joinCode, tables.a, 0, aligned), await joinParty(created.joinCode, tables.b, 1, aligned)];
    try {
      await startAndFinish(created.id);
    } finally {
      for (const client of clients) client.close();
    }
    expect(aligned).toEqual([160, 160]);
    const val = (await api<{ metrics: { round: number; phase: string; metrics: { accuracy?: number; auc?: number; count?: number } }[] }>(relay, 'GET', `/api/studies/${created.id}/metrics`)).metrics.filter((row) => row.phase === 'val');
    expect(val.map((row) => row.round)).toEqual([0, 1, 2, 3]);
    expect(val.at(-1)?.metrics.count).toBe(32);
    expectLearned(val);

    // No party sent a label, and no id crossed.
    const theirs = await sentBy(clients);
    expect(theirs.filter((entry) => stepHeaderOf(entry)?.kind === 'activations').length).toBeGreaterThan(0);
    expect(theirs.filter((entry) => stepHeaderOf(entry)?.kind === 'labels')).toEqual([]);
    expectNoIdIn(theirs, tables.ids, created.id);
    const db = openDatabase();
    try {
      expect(alignmentAudit(db, created.id)).toEqual([{ parties: 2, rows: [180, 180, 180], aligned: 160, serverLabels: true }]);
    } finally {
      db.close();
    }
  });
});
