import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, data } from '@splitlearn/split-core';
import { connectNodeParticipant } from '@splitlearn/split-core/node';
import { dicomDirFile, dicomImageFile, PATIENT, type SyntaxName } from '../../../packages/split-core/src/dicom/testing/dicom_writer';
import { demoStudy } from './testing/demo_study';
import { api, startRelayProcess, waitFor, type RelayProcess } from './testing/relay_process';
import { readWireLog } from './testing/wire_log_reader';

// `npm run client -- --data <dicom folder>`: the Node client reads a hospital's DICOM export
// (no extensions, mixed syntaxes, 12-bit and 8-bit, a DICOMDIR) and trains a study through the
// real relay; nothing it sends carries a header value.

const SYNTAXES: SyntaxName[] = ['explicit', 'rle', 'jpegLs', 'jpeg2000Lossless', 'jpegLosslessSv1', 'jpegBaseline'];
const COUNT = 48;

let relay: RelayProcess;
let folder: string;
let wireLog: string;

beforeAll(async () => {
  await backends.initBackend('wasm');
  folder = await mkdtemp(path.join(os.tmpdir(), 'dicom-client-'));
  wireLog = path.join(folder, 'wire.jsonl');
  const images = path.join(folder, 'export');
  for (let index = 0; index < COUNT; index++) {
    const sample = data.generateDemoSample({ seed: 3, split: 'train', index });
    const syntax = SYNTAXES[index % SYNTAXES.length] as SyntaxName;
    // Baseline JPEG is 8-bit; the others carry 12 bits in 16, as CR and DX exports do.
    const twelveBit = syntax !== 'jpegBaseline';
    const stored = Array.from(sample.values, (value) => Math.round((twelveBit ? 4095 : 255) * Math.min(Math.max(value, 0), 1)));
    const dir = path.join(images, data.DEMO_CLASSES[sample.label] as string);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `IM${String(index).padStart(4, '0')}`), await dicomImageFile({ rows: 28, columns: 28, frames: [stored], bitsAllocated: twelveBit ? 16 : 8, bitsStored: twelveBit ? 12 : 8, syntax }));
  }
  await writeFile(path.join(images, 'normal', 'DICOMDIR'), dicomDirFile());
  relay = await startRelayProcess({ args: ['--wire-log', wireLog] });
});

afterAll(async () => {
  await relay?.dispose();
  await rm(folder, { recursive: true, force: true });
});

describe('the Node client with a DICOM folder', () => {
  it('reads every image of the export, skips the DICOMDIR, trains a study through the relay and sends no header value', { timeout: 300_000 }, async () => {
    const created = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy('dicom client', { rounds: 1, maxStepsPerRound: 2, minClients: 1 }));
    const client = await connectNodeParticipant({ url: relay.url, joinCode: created.joinCode, data: { source: path.join(folder, 'export') }, label: 'dicom', backend: 'wasm' });
    try {
      expect(client.data.train.samples.length + client.data.val.samples.length, JSON.stringify(client.data.skipped.slice(0, 3))).toBe(COUNT);
      expect(client.data.skipped).toEqual([{ path: 'normal/DICOMDIR', reason: 'a DICOMDIR (the index of a DICOM folder), not an image' }]);
      await api(relay, 'POST', `/api/studies/${created.id}/control`, { action: 'start' });
      await waitFor('the study to finish', async () => ((await api<{ state: string }>(relay, 'GET', `/api/studies/${created.id}`)).state === 'finished' ? true : undefined), 240_000, 250);
      const rows = (await api<{ metrics: { phase: string; participantId: string | null; metrics: { count?: number; completed?: number } }[] }>(relay, 'GET', `/api/studies/${created.id}/metrics`)).metrics;
      expect(rows.find((row) => row.phase === 'train' && row.participantId === null)?.metrics.completed).toBe(1);
      expect(rows.find((row) => row.phase === 'val' && row.participantId === null)?.metrics.count).toBe(client.data.val.samples.length);
      const sent = JSON.stringify((await readWireLog(wireLog)).filter((entry) => entry.participant === client.participant.identity?.participantId));
      expect(sent).toContain('step:frame');
      for (const value of Object.values(PATIENT)) expect(sent.includes(value), value).toBe(false);
    } finally {
      client.close();
    }
  });
});
