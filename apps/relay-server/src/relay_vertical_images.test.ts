import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, data } from '@splitlearn/split-core';
import { connectNodeParticipant, type NodeParticipant } from '@splitlearn/split-core/node';
import { api, startCommand, startRelayProcess, waitFor, type CommandProcess, type RelayProcess } from './testing/relay_process';
import { binariesIn, readWireLog, stepHeaderOf } from './testing/wire_log_reader';
import { expectLearned } from './testing/expect_learned';

// A vertical study with an image party over the real relay: an imaging department joins with
// `npm run client -- --party 0 --data mapping.csv` (a CSV of patient id, image file and label
// beside its PNGs), a laboratory joins with its table; they align by PSI through the relay and
// train. The outcome depends on both, so the accuracy bar is only cleared when the image
// party's encoder learned from its pixels and the head joined it with the table's.

const CLIENT = 'packages/split-core/src/node/client/cli.ts';
const SIDE = 8;
/** Patients in all; each party holds all but 10 of them (at either end), so 280 are common: 224 to train, 56 to validate. */
const TOTAL = 300;
const ROUNDS = 10;

let relay: RelayProcess;
let scratch: string;
let wireLog: string;

beforeAll(async () => {
  await backends.initBackend('wasm');
  scratch = await mkdtemp(path.join(os.tmpdir(), 'vertical-images-'));
  wireLog = path.join(scratch, 'wire.jsonl');
  relay = await startRelayProcess({ args: ['--wire-log', wireLog] });
});

afterAll(async () => {
  if (process.env.RELAY_TEST_LOG) console.log(relay?.output());
  await relay?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

const id = (i: number): string => `P${String(i).padStart(4, '0')}`;

/** An 8x8 gray scan whose brightness carries the imaging finding, with pixel noise. */
function scan(brightness: number, rng: data.Rng): Buffer {
  const png = new PNG({ width: SIDE, height: SIDE });
  for (let i = 0; i < SIDE * SIDE; i++) {
    const level = Math.round(255 * Math.min(1, Math.max(0, brightness + 0.05 * rng.normal())));
    png.data.set([level, level, level, 255], i * 4);
  }
  return PNG.sync.write(png, { colorType: 0 });
}

/**
 * Imaging holds P0000-P0289 (scans and the outcome), the laboratory P0010-P0299. The outcome
 * is whether the imaging finding and a lab value have the same sign: either party alone is
 * no better than a coin (each sign is as likely whatever the other's), so only a model that
 * joins the image encoder's output with the table's can clear the bar below. Measured over 9
 * runs (the PSI gives the rows a fresh order each time): final validation accuracy 0.85-1.0.
 */
async function hospitalData(): Promise<{ mapping: string; labs: string; ids: string[] }> {
  const rng = data.createRng(11);
  const imagingDir = path.join(scratch, 'imaging');
  await mkdir(path.join(imagingDir, 'scans'), { recursive: true });
  const rows = Array.from({ length: TOTAL }, (_, i) => {
    const finding = rng.next() * 2 - 1;
    const lab = [rng.normal(), rng.normal()];
    return { id: id(i), finding, lab, outcome: finding * (lab[0] ?? 0) > 0 ? 'yes' : 'no' };
  });
  for (const row of rows.slice(0, TOTAL - 10)) await writeFile(path.join(imagingDir, 'scans', `${row.id}.png`), scan(0.5 + 0.4 * row.finding, rng));
  const mapping = path.join(imagingDir, 'mapping.csv');
  // One patient's image is missing: skipped and listed, the rest join.
  await writeFile(mapping, ['patient_id,file,outcome', ...rows.slice(0, TOTAL - 10).map((row) => `${row.id},scans/${row.id}.png,${row.outcome}`), 'P9999,scans/P9999.png,no'].join('\n'));
  const labs = path.join(scratch, 'labs.csv');
  await writeFile(labs, ['patient_id,crp,wbc', ...rows.slice(10).reverse().map((row) => `${row.id},${row.lab.join(',')}`)].join('\n'));
  return { mapping, labs, ids: rows.map((row) => row.id) };
}

async function finished(command: CommandProcess, what: string): Promise<string> {
  const { code, stderr } = await command.exited;
  if (code !== 0) throw new Error(`${what} exited with ${code}:\n${stderr}`);
  return stderr;
}

describe('a vertical image party over the relay', () => {
  it('an image party (Node client, PNGs and a mapping CSV) and a table party align by PSI and train; no id or file name crosses', { timeout: 180_000 }, async () => {
    const files = await hospitalData();
    const created = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', {
      name: 'scans and labs over the relay',
      topology: 'vertical',
      classes: ['no', 'yes'],
      schedule: 'round-robin',
      parties: [
        { name: 'Imaging', input: { image: [SIDE, SIDE, 1] } },
        { name: 'Laboratory', input: { columns: ['crp', 'wbc'] } },
      ],
      labelHolder: 0,
      labelColumn: 'outcome',
      rounds: ROUNDS,
      batchSize: 16,
      learningRate: 0.01,
      minClients: 2,
    });
    const imaging = startCommand(CLIENT, ['--url', relay.url, '--study', created.joinCode, '--party', '0', '--data', files.mapping, '--label', 'imaging']);
    const aligned: number[] = [];
    let laboratory: NodeParticipant | undefined;
    try {
      laboratory = await connectNodeParticipant({ url: relay.url, joinCode: created.joinCode, data: { source: files.labs, party: 1 }, backend: 'wasm', label: 'laboratory', events: { onAlignment: (status) => status.aligned !== undefined && aligned.push(status.aligned) } });
      await waitFor('both parties to join', async () => ((await api<{ participants: number }>(relay, 'GET', `/api/studies/${created.id}`)).participants === 2 ? true : undefined), 60_000, 250);
      await api(relay, 'POST', `/api/studies/${created.id}/control`, { action: 'start' });
      // The CLI exits once the study finishes.
      const log = await finished(imaging, 'the image party');
      expect(log).toContain(`party 0: ${TOTAL - 10} patients with an image on this machine`);
      expect(log).toContain(`1 rows skipped (first: line ${TOTAL - 10 + 2}: image file "scans/P9999.png" is not there`);
      expect(log).toContain(`rows aligned with the other parties: ${TOTAL - 20} of this party's ${TOTAL - 10}`);
    } finally {
      imaging.child.kill();
      laboratory?.close();
    }
    expect(aligned).toEqual([TOTAL - 20]);
    const rows = (await api<{ metrics: { round: number; phase: string; metrics: { accuracy?: number; count?: number } }[] }>(relay, 'GET', `/api/studies/${created.id}/metrics`)).metrics;
    const val = rows.filter((row) => row.phase === 'val');
    expect(val.map((row) => row.round)).toEqual(Array.from({ length: ROUNDS }, (_, round) => round));
    // 20% of the common patients, kept at both parties for validation.
    expect(val.at(-1)?.metrics.count).toBe(Math.round((TOTAL - 20) * 0.2));
    expectLearned(val);

    const entries = await readWireLog(wireLog);
    const imagingId = entries.find((entry) => entry.participant !== null && entry.participant !== laboratory?.participant.identity?.participantId)?.participant;
    // The image party sends its encoder's output per patient (32 numbers), never pixels; it alone sends labels.
    const activations = entries.filter((entry) => entry.participant === imagingId && stepHeaderOf(entry)?.kind === 'activations');
    expect(activations.length).toBeGreaterThan(0);
    const shapes = new Set(activations.flatMap((entry) => binariesIn(entry.args).map((binary) => JSON.stringify(binary.shape?.slice(1)))));
    expect([...shapes]).toEqual(['[32]']);
    expect([...new Set(entries.filter((entry) => stepHeaderOf(entry)?.kind === 'labels').map((entry) => entry.participant))]).toEqual([imagingId]);
    const text = JSON.stringify(entries);
    for (const patient of files.ids) expect(text.includes(patient), patient).toBe(false);
    expect(text).not.toMatch(/scans\//);
    expect(text).not.toMatch(/mapping\.csv/);
  });
});
