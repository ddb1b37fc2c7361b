// Shared helpers for the end-to-end tests: the shared data set and per-test shards of it,
// a fresh build of the web app, Debian's Chromium, and a clinician's way through the
// Contribute page (found by role and label, as a user finds them).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { model } from '@splitlearn/split-core';
import { api, waitFor, type RelayProcess } from '../apps/relay-server/src/testing/relay_process';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');
/** Gitignored; screenshots land here as test artifacts. */
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');
export const PNEUMONIA_CLASSES = ['normal', 'pneumonia'] as const;

const run = promisify(execFile);

// ---------------------------------------------------------------------------------------
// Data

/** The PneumoniaMNIST training images, or undefined (after saying why) when they are absent. */
export function pneumoniaTrainDir(testFile: string): string | undefined {
  const dataDir = process.env.SPLIT_DATA_DIR ?? path.resolve(REPO_ROOT, '../shared/data');
  const trainDir = path.join(dataDir, 'pneumoniamnist', 'train');
  if (PNEUMONIA_CLASSES.every((name) => existsSync(path.join(trainDir, name)))) return trainDir;
  console.warn(
    `[${testFile}] SKIPPED: PneumoniaMNIST not found at ${trainDir} (expected ${PNEUMONIA_CLASSES.map((name) => `${name}/`).join(' and ')}). ` +
      'Put the shared data beside the repository (../shared/data) or set SPLIT_DATA_DIR to run these tests.',
  );
  return undefined;
}

/**
 * Copies disjoint, class-balanced shards of the training images into a temporary folder
 * (`intoDir`, which the caller removes),
 * one `<shard>/<class>/<file>.png` tree per clinician (the layout a hospital export has).
 * Shard i takes the i-th slice of each class's sorted file list, so shards never overlap.
 */
export async function makeShards(trainDir: string, intoDir: string, options: { first: number; count: number; perClass: number }): Promise<string[]> {
  const root = await mkdtemp(path.join(intoDir, 'shards-'));
  const files = new Map<string, string[]>();
  for (const name of PNEUMONIA_CLASSES) files.set(name, (await readdir(path.join(trainDir, name))).filter((file) => file.endsWith('.png')).sort());
  const shards: string[] = [];
  for (let index = options.first; index < options.first + options.count; index++) {
    const shardDir = path.join(root, `hospital-${index}`);
    for (const name of PNEUMONIA_CLASSES) {
      const slice = (files.get(name) ?? []).slice(index * options.perClass, (index + 1) * options.perClass);
      if (slice.length < options.perClass) throw new Error(`not enough '${name}' images in ${trainDir} for shard ${index} of ${options.perClass} per class`);
      await mkdir(path.join(shardDir, name), { recursive: true });
      await Promise.all(slice.map((file) => copyFile(path.join(trainDir, name, file), path.join(shardDir, name, file))));
    }
    shards.push(shardDir);
  }
  return shards;
}

// ---------------------------------------------------------------------------------------
// The web app

async function newestMtime(target: string): Promise<number> {
  const info = await stat(target);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(target)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.endsWith('.test.ts')) continue;
    newest = Math.max(newest, await newestMtime(path.join(target, entry)));
  }
  return newest;
}

/**
 * The built web app for the relay to serve: apps/web/dist when it is newer than every
 * source it is built from (the web app and split-core, which it bundles), otherwise a fresh
 * build into `scratchDir` (which the caller removes). The shared dist is never rewritten: another
 * engineer's relay may be serving it while this runs.
 */
export async function builtWebApp(scratchDir: string): Promise<string> {
  const dist = path.join(REPO_ROOT, 'apps/web/dist');
  const sources = ['apps/web/src', 'apps/web/vite', 'apps/web/index.html', 'packages/split-core/src', 'vite.config.ts'].map((source) => path.join(REPO_ROOT, source));
  const newestSource = Math.max(...(await Promise.all(sources.map(newestMtime))));
  const builtAt = existsSync(path.join(dist, 'index.html')) ? (await stat(path.join(dist, 'index.html'))).mtimeMs : 0;
  if (builtAt > newestSource) return dist;
  const outDir = path.join(scratchDir, 'web');
  await run('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
  return outDir;
}

// ---------------------------------------------------------------------------------------
// The browser

/**
 * Debian's Chromium, never a downloaded one. WebGL is SwiftShader here, so pages pick wasm.
 * `extraArgs` e.g. --enable-unsafe-webgpu, which offers WebGPU on SwiftShader too.
 */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...extraArgs],
  });
}

/**
 * Chromium asks every new origin for /favicon.ico; the web app ships none, so the relay
 * answers 404. That is not an error of the page, so it is the one response not counted.
 */
const isFaviconRequest = (url: string): boolean => new URL(url).pathname === '/favicon.ico';

/** Errors a page reports on its own: uncaught exceptions, console errors (page and worker), failed requests. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    const url = message.location().url;
    if (message.type() === 'error' && !(url !== '' && isFaviconRequest(url))) errors.push(`console: ${message.text()} (${url})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !isFaviconRequest(response.url())) errors.push(`HTTP ${response.status()} for ${response.url()}`);
  });
  return errors;
}

/**
 * Keeps a relay's log beside the screenshots, for whoever reads a failure. The throwaway
 * relay's researcher token is blanked: artifacts get copied around.
 */
export async function saveRelayLog(relay: RelayProcess, name: string): Promise<void> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await writeFile(path.join(ARTIFACTS_DIR, name), relay.output().replaceAll(relay.token || '\u0000', '<researcher token>'));
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// ---------------------------------------------------------------------------------------
// The Contribute page, as a clinician uses it

/** The exact integer behind a byte figure of the "what leaves this device" panel. */
export async function figureBytes(page: Page, label: string): Promise<number> {
  const raw = await page.getByLabel(label, { exact: true }).getAttribute('data-bytes');
  const bytes = Number(raw);
  if (raw === null || !Number.isInteger(bytes)) throw new Error(`the figure '${label}' carries no byte count (data-bytes=${raw})`);
  return bytes;
}

export async function figureText(page: Page, label: string): Promise<string> {
  return (await page.getByLabel(label, { exact: true }).innerText()).trim();
}

export interface PickedImages {
  trainCount: number;
  valCount: number;
}

/**
 * Opens the study (typing the code on the start page, or through the link the researcher
 * sent), picks the image folder through the real folder input and waits for the preview.
 */
export async function openStudyAndPickFolder(page: Page, relay: RelayProcess, joinCode: string, folder: string, how: 'typed' | 'link'): Promise<PickedImages> {
  if (how === 'typed') {
    await page.goto(`${relay.url}/`);
    await page.getByLabel('Join code').fill(joinCode);
    await page.getByRole('button', { name: 'Find study' }).click();
  } else {
    await page.goto(`${relay.url}/join/${joinCode}`);
  }
  return pickFolder(page, folder);
}

/** Picks the image folder through the real folder input on an opened study and waits for the preview. */
export async function pickFolder(page: Page, folder: string): Promise<PickedImages> {
  await page.getByLabel('Study details', { exact: true }).waitFor();
  await page.getByLabel('Image folder').setInputFiles(folder);
  const ready = page.getByText(/^Ready: [\d,]+ images for training and [\d,]+ kept on this device for validation\.$/);
  await ready.waitFor({ timeout: 60_000 });
  const match = /^Ready: ([\d,]+) images for training and ([\d,]+) kept/.exec(await ready.innerText());
  const count = (text: string | undefined): number => Number((text ?? '').replace(/,/g, ''));
  return { trainCount: count(match?.[1]), valCount: count(match?.[2]) };
}

/** Presses Join and waits until the relay has given this page a participant id. */
export async function joinAndWaitForId(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Join and start contributing' }).click();
  return waitFor(
    'the page to show its participant id',
    async () => {
      const id = await figureText(page, 'Participant').catch(() => '');
      return id !== '' && id !== '—' ? id : undefined;
    },
    60_000,
  );
}

// ---------------------------------------------------------------------------------------
// The relay's REST API, as a researcher uses it

export interface MetricRow {
  round: number;
  phase: 'train' | 'val';
  metrics: { accuracy?: number | null; loss?: number | null; auc?: number | null; count?: number; completed?: number; failed?: number; operatingPoint?: { threshold: number; balancedAccuracy: number }; thresholds?: { positives: number; negatives: number } };
}

export interface CreatedStudy {
  id: string;
  joinCode: string;
}

export function createStudy(relay: RelayProcess, config: Record<string, unknown>): Promise<CreatedStudy> {
  return api<CreatedStudy>(relay, 'POST', '/api/studies', config);
}

export async function startStudy(relay: RelayProcess, studyId: string): Promise<void> {
  await api(relay, 'POST', `/api/studies/${studyId}/control`, { action: 'start' });
}

export async function studyState(relay: RelayProcess, studyId: string): Promise<{ state: string; round: number }> {
  return api<{ state: string; round: number }>(relay, 'GET', `/api/studies/${studyId}`);
}

/** Waits for the last round; rejects early if a page shows an error meanwhile. */
export async function waitUntilFinished(relay: RelayProcess, studyId: string, pages: readonly Page[], timeoutMs: number): Promise<void> {
  await waitFor(
    `study ${studyId} to finish`,
    async () => {
      for (const page of pages) {
        const alert = page.getByRole('alert');
        if ((await alert.count()) > 0) throw new Error(`a clinician's page shows an error while training: ${(await alert.allInnerTexts()).join(' | ')}`);
      }
      return (await studyState(relay, studyId)).state === 'finished' ? true : undefined;
    },
    timeoutMs,
    1000,
  );
}

/** The study's aggregate validation rows, by round. */
export async function valMetrics(relay: RelayProcess, studyId: string): Promise<MetricRow[]> {
  const { metrics } = await api<{ metrics: MetricRow[] }>(relay, 'GET', `/api/studies/${studyId}/metrics`);
  return metrics.filter((row) => row.phase === 'val').sort((a, b) => a.round - b.round);
}

export async function trainMetrics(relay: RelayProcess, studyId: string): Promise<MetricRow[]> {
  const { metrics } = await api<{ metrics: MetricRow[] }>(relay, 'GET', `/api/studies/${studyId}/metrics`);
  return metrics.filter((row) => row.phase === 'train').sort((a, b) => a.round - b.round);
}

/** ||a - b|| / ||a|| over one variable's values (a missing value in b counts as NaN: the test fails). */
export function relativeDistance(a: model.NamedWeight, b: model.NamedWeight | undefined): number {
  let difference = 0;
  let norm = 0;
  a.values.forEach((value, i) => {
    difference += (value - (b?.values[i] ?? Number.NaN)) ** 2;
    norm += value * value;
  });
  return Math.sqrt(difference / norm);
}
