import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startRelayProcess, waitFor, type RelayProcess } from '../apps/relay-server/src/testing/relay_process';
import { cardSummaries, readFrameProbe, startDemo, startFrameProbe, waitForCardsTrained } from './demo_support';
import { builtWebApp, collectPageErrors, launchChromium, saveRelayLog, screenshot } from './support';

// The conference-booth demo as a visitor runs it: a real relay with the demo on, Debian's
// Chromium, K simulated hospitals (one training worker each) on the generated data, the
// study's dashboard beside their cards. Needs no data set on disk.

/** Data points of one of the dashboard's charts, and how often it was drawn (LiveChart's data attributes). */
async function chartFigures(page: Page, chart: string): Promise<{ points: number; draws: number }> {
  const plot = page.locator(`[data-chart="${chart}"]`).first();
  return { points: Number(await plot.getAttribute('data-points')), draws: Number(await plot.getAttribute('data-draws')) };
}

/** A full-page screenshot with every section in view (the dashboard paints only what is on screen). */
async function screenshotWhole(page: Page, name: string): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 1600, height: 1100 };
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.min(height, 8000) });
  // Two animation frames after the resize: the page has laid out and painted at the new size.
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
  await screenshot(page, name);
  await page.setViewportSize(viewport);
}

async function roundsFinished(relay: RelayProcess, studyId: string): Promise<{ state: string; round: number }> {
  return api<{ state: string; round: number }>(relay, 'GET', `/api/studies/${studyId}`);
}

/**
 * The rows of a dashboard's clients table, as name and status. The dashboard skips rendering
 * sections out of view (content-visibility), so it is scrolled into view first, as a user would.
 */
async function clientRows(page: Page): Promise<{ name: string; status: string }[]> {
  await page.getByRole('region', { name: 'Clients', exact: true }).scrollIntoViewIfNeeded();
  const rows = page.getByRole('table', { name: 'Clients' }).locator('tbody tr');
  return rows.evaluateAll((elements) =>
    elements.map((row) => ({
      name: (row.querySelector('th')?.firstChild?.textContent ?? '').trim(),
      status: (row.querySelector('.status-badge')?.textContent ?? '').trim(),
    })),
  );
}

describe('booth demo: simulated hospitals in one Chromium page', () => {
  let relay: RelayProcess;
  let browser: Browser;
  let workDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'e2e-demo-'));
    const webDir = await builtWebApp(workDir);
    relay = await startRelayProcess({ demo: true, args: ['--web-dir', webDir] });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await relay?.dispose();
    if (relay) await saveRelayLog(relay, 'demo-relay.log');
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('four hospitals train beside a live dashboard; a dashboard opened mid-run shows the history; reset starts afresh', { timeout: 600_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1100 } });
    try {
      // Offline at a booth: nothing may be fetched from anywhere but the relay (no fonts, CDNs, analytics).
      const external: string[] = [];
      await context.route(
        (url) => (url.protocol === 'http:' || url.protocol === 'https:') && url.origin !== new URL(relay.url).origin,
        (route) => {
          external.push(route.request().url());
          return route.abort();
        },
      );
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await page.goto(`${relay.url}/demo`);

      // The preview: a few generated images per class, drawn on canvases (not blank).
      const previews = page.getByRole('img', { name: /^Generated (normal|nodule) image \d+$/ });
      await expect.poll(() => previews.count()).toBe(8);
      const litPixels = await previews.first().evaluate((canvas) => {
        const pixels = (canvas as HTMLCanvasElement).getContext('2d')?.getImageData(0, 0, 28, 28).data ?? new Uint8ClampedArray();
        return pixels.filter((value, i) => i % 4 === 0 && value > 0).length;
      });
      expect(litPixels).toBeGreaterThan(100);

      await startFrameProbe(page);
      const study = await startDemo(page, 4);
      expect(study.config).toMatchObject({ minClients: 4 });
      const started = performance.now();

      // Every hospital joins and trains; the cards show progress and a loss.
      await waitForCardsTrained(page, 4, 2, 300_000);
      const secondsToTwoRounds = (performance.now() - started) / 1000;
      // A hospital computes its loss where it holds the labels and the last layers (U-shaped); in vanilla they are on the study server.
      const lossShown = study.config.topology === 'u-shaped' ? /^\d+\.\d{3} \(round \d+\)$/ : /^On the study server$/;
      await expect.poll(async () => (await cardSummaries(page, 4)).filter((card) => lossShown.test(card.loss)).length, { timeout: 60_000 }).toBe(4);
      for (const card of await cardSummaries(page, 4)) expect(card.step).toMatch(/^\d+ of \d+ \((training|validation)\)$/);

      // The page stayed usable while they trained (read before the screenshots, which stall it on purpose), and tfjs stayed in the workers.
      const frames = await readFrameProbe(page);
      const { slowFrames: _slowFrames, ...frameSummary } = frames;
      console.info(`[e2e] booth demo, 4 hospitals: two rounds after ${secondsToTwoRounds.toFixed(0)} s; main thread ${JSON.stringify(frameSummary)}`);
      expect(frames.frames / frames.seconds).toBeGreaterThan(10);
      expect(await page.evaluate(() => '_tfengine' in globalThis)).toBe(false);

      // The dashboard beside the cards: the charts received points, the clients table lists the four hospitals, none gone.
      await expect.poll(async () => (await chartFigures(page, 'loss')).points, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
      expect((await chartFigures(page, 'loss')).draws).toBeGreaterThan(0);
      expect((await chartFigures(page, 'accuracy')).points).toBeGreaterThanOrEqual(2);
      await expect.poll(async () => (await clientRows(page)).filter((row) => row.status !== 'Disconnected').length, { timeout: 30_000 }).toBe(4);
      expect((await clientRows(page)).map((row) => row.name)).toEqual(['Hospital 1', 'Hospital 2', 'Hospital 3', 'Hospital 4']);
      await screenshotWhole(page, 'demo-4-hospitals');

      // A dashboard opened mid-run shows the rounds that finished before it was opened.
      const before = await roundsFinished(relay, study.studyId);
      expect(before.state).toBe('training');
      const viewer = await context.newPage();
      const viewerErrors = collectPageErrors(viewer);
      await viewer.goto(`${relay.url}/dashboard/${study.studyId}`);
      await expect.poll(async () => (await chartFigures(viewer, 'loss')).points, { timeout: 30_000 }).toBeGreaterThanOrEqual(before.round);
      await expect.poll(async () => Number(/(\d+) of \d+ rounds finished/.exec(await viewer.locator('.dashboard-status').innerText())?.[1] ?? 0)).toBeGreaterThanOrEqual(before.round);
      await screenshotWhole(viewer, 'demo-dashboard-mid-run');
      await viewer.close();
      expect(viewerErrors).toEqual([]);

      // Reset: a fresh study and fresh cards; the relay deleted the old study.
      const fresh = await startDemo(page, 2);
      expect(fresh.studyId).not.toBe(study.studyId);
      expect((await fetch(`${relay.url}/api/studies/${study.studyId}`)).status).toBe(404);
      await expect.poll(() => page.getByRole('article', { name: /^Hospital \d+$/ }).count()).toBe(2);
      await waitForCardsTrained(page, 2, 1, 300_000);

      // Leaving the page stops every hospital's worker (and the dashboard's): the Contribute page runs its own one.
      expect(page.workers().length).toBeGreaterThan(2);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contribute' }).click();
      // (Not counting the threads of its WebAssembly.)
      await expect.poll(() => page.workers().filter((worker) => !worker.url().includes('tfjs-wasm-pthread')).length, { timeout: 15_000 }).toBe(1);
      expect(errors).toEqual([]);
      expect(external).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('sixteen hospitals on two cores all complete a training round, with no step timed out', { timeout: 900_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1400 } });
    try {
      const errors = collectPageErrors(page);
      await page.goto(`${relay.url}/demo`);
      await startFrameProbe(page);
      const started = performance.now();
      const study = await startDemo(page, 16);
      await waitForCardsTrained(page, 16, 1, 600_000);
      const seconds = (performance.now() - started) / 1000;
      const frames = await readFrameProbe(page);
      const { slowFrames: _slowFrames, ...frameSummary } = frames;
      console.info(`[e2e] booth demo, 16 hospitals: every hospital trained a round after ${seconds.toFixed(0)} s; main thread ${JSON.stringify(frameSummary)}`);
      await screenshotWhole(page, 'demo-16-hospitals');
      await waitFor('the first round to be recorded', async () => ((await roundsFinished(relay, study.studyId)).round >= 1 ? true : undefined), 120_000);
      const { metrics } = await api<{ metrics: { round: number; phase: string; participantId: string | null; metrics: { completed?: number; failed?: number } }[] }>(relay, 'GET', `/api/studies/${study.studyId}/metrics`);
      const firstRound = metrics.find((row) => row.phase === 'train' && row.participantId === null && row.round === 0);
      expect(firstRound?.metrics).toMatchObject({ completed: 16, failed: 0 });
      expect(relay.output().split('\n').filter((line) => line.includes(study.studyId) && /failed its round|abandon/.test(line))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
