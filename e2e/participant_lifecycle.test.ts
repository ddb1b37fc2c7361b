import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, backends } from '@splitlearn/split-core';
import { connectNodeParticipant, type NodeParticipant } from '@splitlearn/split-core/node';
import { startRelayProcess, waitFor, type RelayProcess } from '../apps/relay-server/src/testing/relay_process';
import { demoStudy } from '../apps/relay-server/src/testing/demo_study';
import { writeDemoFolder } from './demo_folder';
import {
  builtWebApp,
  collectPageErrors,
  createStudy,
  figureText,
  joinAndWaitForId,
  launchChromium,
  openStudyAndPickFolder,
  pickFolder,
  screenshot,
  startStudy,
  studyState,
  trainMetrics,
  valMetrics,
} from './support';

// A clinician's whole participation in Chromium, on generated demo images (no external
// data): a folder with corrupt and non-image files trains on the good ones and lists the
// rest; a page reload rejoins as the same participant; the clinician downloads their own
// trained segment; withdrawing ends the participation,
// the relay deletes what it stored about them (checked in its SQLite file) and the study
// carries on with the others.

const GOOD_IMAGES = 120;
const ROUNDS = 6;

/** Files the page must skip, each with the reason it should give. */
const BAD_FILES: { file: string; content: Buffer; reason: RegExp }[] = [
  { file: 'normal/broken.png', content: Buffer.from('this is not a PNG at all, only text with a .png name'), reason: /./ },
  { file: 'nodule/empty.png', content: Buffer.alloc(0), reason: /./ },
  { file: 'normal/notes.txt', content: Buffer.from('radiologist notes'), reason: /./ },
];

interface ParticipantRow {
  id: string;
  status: string;
  label: string | null;
  backend: string | null;
  resume_token_hash: Buffer | null;
  train_count: number | null;
  class_counts: string | null;
  joined_at: number | null;
}

/** Reads the relay's own database file, read-only, while the relay runs. */
function readRelayDatabase<T>(relay: RelayProcess, read: (db: BetterSqlite3.Database) => T): T {
  const db = new BetterSqlite3(path.join(relay.dataDir, 'relay.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

describe('a clinician joins, reloads, and withdraws (Chromium, real relay, demo images)', () => {
  let relay: RelayProcess;
  let browser: Browser;
  let workDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'e2e-lifecycle-'));
    const webDir = await builtWebApp(workDir);
    relay = await startRelayProcess({ args: ['--web-dir', webDir] });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.dispose();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('skips bad files with reasons, rejoins after a reload, and withdrawal deletes the participant at the relay', { timeout: 600_000 }, async () => {
    const folder = path.join(workDir, 'hospital');
    const perClass = await writeDemoFolder(folder, { count: GOOD_IMAGES });
    for (const bad of BAD_FILES) {
      await mkdir(path.dirname(path.join(folder, bad.file)), { recursive: true });
      await writeFile(path.join(folder, bad.file), bad.content);
    }
    const nodeFolder = path.join(workDir, 'other-hospital');
    await writeDemoFolder(nodeFolder, { count: GOOD_IMAGES, first: GOOD_IMAGES });

    const study = await createStudy(relay, demoStudy('e2e lifecycle', {
      batchSize: 16,
      rounds: ROUNDS,
      maxStepsPerRound: 2,
      minClients: 1,
    }));

    const context = await browser.newContext();
    const page: Page = await context.newPage();
    const errors = collectPageErrors(page);
    let nodeClient: NodeParticipant | undefined;
    const nodeErrors: string[] = [];
    try {
      // 1. The folder: every good image is used, every bad file is listed with a reason.
      const picked = await openStudyAndPickFolder(page, relay, study.joinCode, folder, 'link');
      expect(picked.trainCount + picked.valCount).toBe(GOOD_IMAGES);
      const skipped = await page.getByRole('list', { name: 'Skipped files' }).getByRole('listitem').allInnerTexts();
      expect(skipped).toHaveLength(BAD_FILES.length);
      for (const bad of BAD_FILES) {
        const line = skipped.find((text) => text.includes(bad.file));
        expect(line, `${bad.file} is listed as skipped`).toBeDefined();
        // A reason follows the path: "<path>: <reason>".
        expect((line ?? '').slice((line ?? '').indexOf(bad.file) + bad.file.length)).toMatch(/^: \S.{4,}/);
      }
      const classTable = await page.getByRole('table', { name: 'Images per study class' }).innerText();
      for (const [name, count] of Object.entries(perClass)) expect(classTable).toMatch(new RegExp(`${name}\\s+${count}\\b`));
      await screenshot(page, 'lifecycle-skipped-files');

      // 2. Join, train a round, then reload: the page rejoins as the same participant.
      const participantId = await joinAndWaitForId(page);
      await startStudy(relay, study.id);
      await waitFor('the first round to finish', async () => ((await trainMetrics(relay, study.id)).length >= 1 ? true : undefined), 300_000, 500);
      await page.reload();
      await expect.poll(() => page.getByText('You have taken part in this study from this browser before').count(), { timeout: 30_000 }).toBe(1);
      await pickFolder(page, folder);
      expect(await joinAndWaitForId(page)).toBe(participantId);
      const browserRows = readRelayDatabase(relay, (db) => db.prepare("SELECT id FROM participants WHERE study_id = ? AND kind = 'browser'").all(study.id) as { id: string }[]);
      expect(browserRows.map((row) => row.id)).toEqual([participantId]);
      const roundsBeforeRejoin = (await trainMetrics(relay, study.id)).length;
      await waitFor('a round after the rejoin', async () => ((await trainMetrics(relay, study.id)).length > roundsBeforeRejoin ? true : undefined), 300_000, 500);
      const perParticipantRows = readRelayDatabase(relay, (db) => (db.prepare('SELECT COUNT(*) AS n FROM metrics WHERE participant_id = ?').get(participantId) as { n: number }).n);
      expect(perParticipantRows, 'the relay stored per-participant metrics before the withdrawal').toBeGreaterThan(0);

      // The clinician can take their own trained segment home in the tfjs format.
      const downloads: Download[] = [];
      page.on('download', (download) => downloads.push(download));
      await page.getByRole('button', { name: 'Download my model segment' }).click();
      await expect.poll(() => downloads.length, { timeout: 30_000 }).toBe(2);
      const saved = new Map<string, Buffer>();
      for (const download of downloads) saved.set(download.suggestedFilename(), await readFile(await download.path()));
      const modelFile = [...saved.keys()].find((name) => name.endsWith('.json')) ?? '';
      const segment = artifacts.parseSegmentModelJson(JSON.parse((saved.get(modelFile) ?? Buffer.from('null')).toString('utf8')), modelFile);
      expect(segment.metadata).toMatchObject({ study: { id: study.id }, role: 'client', part: 'bottom', index: 0, topology: 'vanilla', layers: ['conv1', 'pool1'] });
      expect(segment.metadata.trainedRounds).toBeGreaterThan(0);
      // The weights file holds exactly the manifest's float32 values: conv1's 3x3x1x32 kernel and 32 biases.
      expect(segment.weightFiles).toHaveLength(1);
      const weights = saved.get(segment.weightFiles[0] ?? '');
      expect(weights?.byteLength).toBe(segment.weightBytes);
      expect(segment.weightBytes).toBe((3 * 3 * 1 * 32 + 32) * 4);

      // 3. A second hospital (a Node client) joins; then the clinician withdraws.
      await backends.initBackend('wasm');
      nodeClient = await connectNodeParticipant({
        url: relay.url,
        joinCode: study.joinCode,
        data: { source: nodeFolder },
        label: 'node-hospital',
        backend: 'wasm',
        events: { onError: (error) => nodeErrors.push(`${error.code}: ${error.message}`) },
      });
      await page.getByRole('button', { name: 'Withdraw from study…' }).click();
      await page.getByRole('button', { name: 'Withdraw', exact: true }).click();
      await page.getByText('You have withdrawn from this study.', { exact: false }).waitFor({ timeout: 60_000 });
      await screenshot(page, 'lifecycle-withdrawn');

      // What the relay keeps about the withdrawn participant: its id and nothing else.
      const row = readRelayDatabase(relay, (db) => db.prepare('SELECT * FROM participants WHERE id = ?').get(participantId) as ParticipantRow | undefined);
      expect(row?.status).toBe('withdrawn');
      expect([row?.label, row?.backend, row?.resume_token_hash, row?.train_count, row?.class_counts, row?.joined_at]).toEqual([null, null, null, null, null, null]);
      const leftovers = readRelayDatabase(relay, (db) => ({
        metrics: (db.prepare('SELECT COUNT(*) AS n FROM metrics WHERE participant_id = ?').get(participantId) as { n: number }).n,
        audit: db.prepare('SELECT action, details FROM audit_log WHERE participant_id = ? OR details LIKE ?').all(participantId, `%${participantId}%`),
      }));
      expect(leftovers).toEqual({ metrics: 0, audit: [] });
      // The page forgot its identity: a later visit cannot rejoin as the withdrawn participant.
      expect(await page.evaluate((code) => localStorage.getItem(`splitlearn.participant.${code}`), study.joinCode)).toBeNull();

      // 4. The study carries on with the other hospital, and keeps its aggregate history.
      await waitFor(`study ${study.id} to finish`, async () => ((await studyState(relay, study.id)).state === 'finished' ? true : undefined), 480_000, 1000);
      const val = await valMetrics(relay, study.id);
      // (A round in which the only participant was reloading has nobody to validate on, so no val row.)
      expect(val.at(-1)?.round).toBe(ROUNDS - 1);
      expect((await trainMetrics(relay, study.id)).map((entry) => entry.round)).toEqual(Array.from({ length: ROUNDS }, (_, round) => round));
      const nodeId = nodeClient.participant.identity?.participantId ?? '';
      const nodeRounds = readRelayDatabase(relay, (db) => (db.prepare("SELECT COUNT(*) AS n FROM metrics WHERE participant_id = ? AND phase = 'val'").get(nodeId) as { n: number }).n);
      expect(nodeRounds, 'the other hospital kept being evaluated after the withdrawal').toBeGreaterThan(0);
      expect(await figureText(page, 'Participant').catch(() => 'gone')).not.toBe(participantId);
      expect(errors).toEqual([]);
      expect(nodeErrors).toEqual([]);
    } finally {
      nodeClient?.close();
      await context.close();
    }
  });
});
