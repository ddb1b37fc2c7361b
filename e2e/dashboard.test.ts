import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { data } from '@splitlearn/split-core';
import { api, startCommand, startRelayProcess, waitFor, type CommandProcess, type RelayProcess } from '../apps/relay-server/src/testing/relay_process';
import { demoStudy } from '../apps/relay-server/src/testing/demo_study';
import { builtWebApp, collectPageErrors, createStudy, launchChromium, screenshot, startStudy, studyState } from './support';

// The researcher's dashboard in Debian's Chromium against a real relay, with two Node
// clients training on generated demo data. Opened after two rounds, it must draw the
// history it missed, then follow the study live (charts, clients table, confusion matrix);
// the controls work with the researcher token and explain themselves without it; the
// exports (CSV, PNG, server segment) download.

/** Enough that the study still runs when the controls are tried (two rounds pass before the page opens, one while it is watched). */
const ROUNDS = 8;

interface StudyInfoReply {
  state: string;
  round: number;
  config: { codec: string; schedule: string };
}

async function chartPoints(page: Page, chartId: string): Promise<{ points: number; draws: number }> {
  const host = page.locator(`[data-chart="${chartId}"]`);
  return { points: Number(await host.getAttribute('data-points')), draws: Number(await host.getAttribute('data-draws')) };
}

/** Clicks and collects the `count` downloads it starts. */
async function downloaded(page: Page, click: () => Promise<void>, count = 1): Promise<{ name: string; bytes: Buffer }[]> {
  const collected: Download[] = [];
  const listener = (download: Download): void => void collected.push(download);
  page.on('download', listener);
  try {
    await click();
    await waitFor(`${count} download(s)`, () => (collected.length >= count ? true : undefined), 30_000, 100);
  } finally {
    page.off('download', listener);
  }
  return Promise.all(collected.map(async (download) => ({ name: download.suggestedFilename(), bytes: await readFile(await download.path()) })));
}

describe('the researcher dashboard (Chromium, real relay, Node clients on demo data)', () => {
  let workDir: string;
  let relay: RelayProcess | undefined;
  let browser: Browser | undefined;
  const clients: CommandProcess[] = [];

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'e2e-dashboard-'));
    const webDir = await builtWebApp(workDir);
    relay = await startRelayProcess({ args: ['--web-dir', webDir] });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const client of clients) if (client.child.exitCode === null) client.child.kill();
    await browser?.close();
    await relay?.dispose();
    await rm(workDir, { recursive: true, force: true });
  });

  it('draws the history of a study opened mid-run, follows it live, and controls and exports it', async () => {
    if (!relay || !browser) throw new Error('setup failed');
    const live = relay;
    const study = await createStudy(live, demoStudy('e2e dashboard', {
      schedule: 'splitfed-v2',
      batchSize: 16,
      rounds: ROUNDS,
      maxStepsPerRound: 3,
      minClients: 2,
    }));
    for (const shard of [1, 2]) {
      clients.push(startCommand('packages/split-core/src/node/client/cli.ts', ['--url', live.url, '--study', study.joinCode, '--data', 'demo', '--shard', `${shard}/2`, '--label', `Hospital ${shard}`]));
    }
    await waitFor('both clients to join', async () => ((await api<{ participants: number }>(live, 'GET', `/api/studies/${study.id}`)).participants >= 2 ? true : undefined), 120_000, 500);
    await startStudy(live, study.id);
    await waitFor('two rounds to finish', async () => ((await studyState(live, study.id)).round >= 2 ? true : undefined), 300_000, 500);

    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    try {
      await page.goto(`${live.url}/dashboard/${study.id}`);
      await page.getByRole('heading', { name: 'e2e dashboard', level: 1 }).waitFor();

      // 1. The history from before the page opened is drawn at once.
      await waitFor('the loss chart to draw the history', async () => ((await chartPoints(page, 'loss')).points >= 2 ? true : undefined), 30_000, 100);
      const atOpen = await chartPoints(page, 'loss');

      // 2. Live: rounds finishing now reach the charts without a reload.
      await waitFor('a live round on the charts', async () => ((await chartPoints(page, 'loss')).points > atOpen.points ? true : undefined), 300_000, 250);
      // (Charts redraw at most every 400 ms, so the new point is drawn a moment after it arrives.)
      await expect.poll(async () => (await chartPoints(page, 'loss')).draws, { timeout: 10_000 }).toBeGreaterThan(atOpen.draws);

      // 3. Controls (while rounds still run): read-only without the token; a wrong token is explained; the right one pauses, changes the codec, resumes.
      await expect(page.getByRole('button', { name: 'Pause' }).count()).resolves.toBe(0);
      await page.getByLabel('Researcher token').fill('not-the-token');
      await page.getByRole('button', { name: 'Use token' }).click();
      await page.getByRole('button', { name: 'Pause' }).click();
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/this needs the researcher token/);
      expect(page.url()).not.toContain('not-the-token');
      await page.getByRole('button', { name: 'Forget the token' }).click();
      await page.getByLabel('Researcher token').fill(live.token);
      await page.getByRole('button', { name: 'Use token' }).click();
      await page.getByRole('button', { name: 'Pause' }).click();
      await waitFor('the study to pause', async () => ((await studyState(live, study.id)).state === 'paused' ? true : undefined), 60_000, 250);
      await page.getByText('Paused', { exact: true }).waitFor();
      await page.getByLabel('Codec').selectOption('fp16');
      await page.getByRole('button', { name: 'Apply from the next round' }).click();
      await waitFor('the codec change', async () => ((await api<StudyInfoReply>(live, 'GET', `/api/studies/${study.id}`)).config.codec === 'fp16' ? true : undefined), 30_000, 250);
      await page.getByRole('button', { name: 'Resume' }).click();
      // 4. The clients table lists both hospitals with what they did.
      const table = page.getByRole('table', { name: 'Clients' });
      await table.scrollIntoViewIfNeeded();
      await waitFor('both clients in the table', async () => ((await table.getByRole('row').count()) === 3 ? true : undefined), 30_000, 250);
      for (const label of ['Hospital 1', 'Hospital 2']) {
        const row = table.getByRole('row', { name: new RegExp(label) });
        await expect(row.getByRole('cell').nth(1).innerText()).resolves.toBe('Node');
        expect(Number((await row.getByRole('cell').nth(4).innerText()).replace(/,/g, ''))).toBeGreaterThan(0);
      }

      // 5. The latest validation as a confusion matrix with the study's classes.
      const matrix = page.getByRole('table', { name: /^Confusion matrix, round \d+$/ });
      for (const name of data.DEMO_CLASSES) await expect(matrix.getByRole('rowheader', { name }).count()).resolves.toBe(1);
      await page.getByLabel('Validation summary').getByText('Balanced accuracy').waitFor();

      // 6. Who holds what: vanilla sends labels up.
      await expect(page.getByRole('group', { name: 'Who holds what' }).innerText()).resolves.toMatch(/Labels of the batch/);

      await waitFor('the study to finish', async () => ((await studyState(live, study.id)).state === 'finished' ? true : undefined), 300_000, 500);
      await waitFor('every round on the charts', async () => ((await chartPoints(page, 'loss')).points >= ROUNDS ? true : undefined), 30_000, 250);

      // 7. Exports: the metrics as CSV, a chart as PNG, the server segment with the token.
      const [csv] = await downloaded(page, () => page.getByRole('button', { name: 'Download metrics (CSV)' }).click());
      const lines = (csv?.bytes.toString('utf8') ?? '').trim().split('\r\n');
      expect(lines[0]).toMatch(/^round,finished_at,seconds,train_loss/);
      expect(lines).toHaveLength(ROUNDS + 1);
      const [png] = await downloaded(page, () => page.getByRole('button', { name: 'Save “Loss” as PNG' }).click());
      expect(png?.name).toBe('e2e-dashboard-loss.png');
      expect(png?.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      const segment = await downloaded(page, () => page.getByRole('button', { name: 'Download server segment' }).click(), 2);
      const modelFile = segment.find((file) => file.name.endsWith('model.json'));
      const weightsFile = segment.find((file) => !file.name.endsWith('model.json'));
      const modelJson = JSON.parse(modelFile?.bytes.toString('utf8') ?? '{}') as { weightsManifest?: { paths: string[] }[] };
      expect(modelJson.weightsManifest?.[0]?.paths).toEqual([`./${weightsFile?.name ?? ''}`]);
      expect(weightsFile?.bytes.byteLength).toBeGreaterThan(0);

      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, 'dashboard-finished');
      // The one expected failure: the wrong token's 401 (the browser also logs it to the console).
      const controlUrl = `/api/studies/${study.id}/control`;
      expect(errors.filter((error) => !(error.includes('401') && (error.includes(controlUrl) || error.includes('Failed to load resource'))))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('explains an unknown study', async () => {
    if (!relay || !browser) throw new Error('setup failed');
    const page = await browser.newPage();
    try {
      await page.goto(`${relay.url}/dashboard/no-such-study`);
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/The relay has no study “no-such-study”/);
    } finally {
      await page.close();
    }
  });
});
