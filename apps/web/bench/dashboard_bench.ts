// Benchmark (not a test): the dashboard under a large study. A synthetic relay
// (synthetic_dashboard.ts) sends a snapshot of 10,000 rounds with 100 clients, then 10
// updates a second (a round and the whole clients table); headless Chromium shows
// /dashboard/<id> and measures, in the page, frame times (requestAnimationFrame deltas,
// long animation frames) and the delay from each update's sentAt to its point drawn by every
// chart in view (the dashboard's 'dashboard:point-drawn' measures). Each run, in a fresh
// page, measures two views for --seconds each: the curves filling the window (six charts
// drawing) and the clients table in view (a hundred rows updating).
//
//   cd /work/main && npx tsx apps/web/bench/dashboard_bench.ts [--runs 3] [--seconds 30]
//       [--rounds 10000] [--clients 100] [--rate 10] [--web <built app dir>]
//
// Builds the web app into a temporary folder unless --web is given (the shared
// apps/web/dist is never rewritten). Writes bench-results/dashboard.json.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { installProbe, type ProbeResult } from './page_probe';
import { BENCH_STUDY_ID, startSyntheticRelay } from './synthetic_dashboard';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

interface Options {
  runs: number;
  seconds: number;
  rounds: number;
  clients: number;
  rate: number;
  web: string | undefined;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { runs: 3, seconds: 30, rounds: 10_000, clients: 100, rate: 10, web: undefined };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const raw = argv[i + 1];
    if (flag === '--web' && raw) {
      options.web = path.resolve(raw);
      continue;
    }
    const value = Number(raw);
    const key = flag?.replace(/^--/, '');
    if (!(key === 'runs' || key === 'seconds' || key === 'rounds' || key === 'clients' || key === 'rate') || !(value > 0)) {
      throw new Error(`unknown or invalid argument: ${flag ?? ''} ${raw ?? ''} (see the usage at the top of this file)`);
    }
    options[key] = value;
  }
  return options;
}

interface Stats {
  count: number;
  median: number;
  p95: number;
  max: number;
}

function stats(values: readonly number[]): Stats {
  if (values.length === 0) return { count: 0, median: Number.NaN, p95: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (quantile: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] as number;
  const round = (value: number): number => Math.round(value * 100) / 100;
  return { count: sorted.length, median: round(at(0.5)), p95: round(at(0.95)), max: round(sorted[sorted.length - 1] as number) };
}

type View = 'charts' | 'clients';
const VIEWS: readonly { view: View; heading: string }[] = [
  { view: 'charts', heading: 'Training curves' },
  { view: 'clients', heading: 'Clients' },
];

interface ViewResult {
  view: View;
  frameMs: Stats;
  /** Only while charts are in view: charts out of view do not hold points back. */
  delayMs: Stats;
  longAnimationFrameMs: Stats;
  chartsInView: number;
}

interface RunResult {
  run: number;
  /** From navigation to the first chart holding the whole snapshot. */
  msToHistoryDrawn: number;
  views: ViewResult[];
  pointsDrawn: number;
  consoleErrors: string[];
  loadAverage: number[];
}

async function measureView(page: Page, view: (typeof VIEWS)[number], seconds: number): Promise<ViewResult> {
  await page.getByRole('heading', { name: view.heading, exact: true }).evaluate((heading) => heading.scrollIntoView({ block: 'start' }));
  const chartsInView = await page.evaluate(
    () =>
      [...document.querySelectorAll('[data-chart]')].filter((chart) => {
        const box = chart.getBoundingClientRect();
        return box.bottom > 0 && box.top < window.innerHeight;
      }).length,
  );
  // Settle after the scroll (charts coming into view catch up).
  await page.waitForTimeout(1_000);
  await page.evaluate(() => window.__dashboardProbe?.start());
  await page.waitForTimeout(seconds * 1000);
  const result = await page.evaluate(() => window.__dashboardProbe?.stop() ?? ({ frameDeltas: [], delays: [], longAnimationFrames: [] } satisfies ProbeResult));
  return { view: view.view, frameMs: stats(result.frameDeltas), delayMs: stats(result.delays), longAnimationFrameMs: stats(result.longAnimationFrames), chartsInView };
}

async function measureRun(browser: Browser, url: string, options: Options, index: number): Promise<RunResult> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  // tsx compiles with esbuild's keepNames, whose __name helper does not exist in the page.
  await page.addInitScript({ content: `var __name = (target) => target;\n(${installProbe.toString()})();` });
  const started = Date.now();
  await page.goto(`${url}/dashboard/${BENCH_STUDY_ID}`);
  // The whole history is on screen when the first chart has drawn every snapshot round.
  await page.waitForFunction((rounds) => Number(document.querySelector<HTMLElement>('[data-chart="loss"]')?.dataset.points ?? 0) >= rounds, options.rounds, {
    timeout: 180_000,
    polling: 50,
  });
  const msToHistoryDrawn = Date.now() - started;
  await page.waitForTimeout(1_000);
  const views: ViewResult[] = [];
  for (const view of VIEWS) {
    views.push(await measureView(page, view, options.seconds));
    if (index === 0) {
      mkdirSync(path.join(REPO_ROOT, 'test-results', 'bench'), { recursive: true });
      await page.screenshot({ path: path.join(REPO_ROOT, 'test-results', 'bench', `dashboard-${view.view}.png`) });
    }
  }
  const pointsDrawn = await page.evaluate(() => Number(document.querySelector<HTMLElement>('[data-chart="loss"]')?.dataset.points ?? 0));
  await context.close();
  return { run: index + 1, msToHistoryDrawn, views, pointsDrawn, consoleErrors, loadAverage: loadavg().map((value) => Math.round(value * 100) / 100) };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const scratch = mkdtempSync(path.join(tmpdir(), 'dashboard-bench-'));
  try {
    let webDir = options.web;
    if (!webDir) {
      webDir = path.join(scratch, 'web');
      console.log(`building the web app into ${webDir} …`);
      await run('npx', ['vite', 'build', '--outDir', webDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
    }
    const relay = await startSyntheticRelay({ webDir, rounds: options.rounds, clients: options.clients, rate: options.rate });
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const loadBefore = loadavg().map((value) => Math.round(value * 100) / 100);
    const runs: RunResult[] = [];
    try {
      for (let index = 0; index < options.runs; index++) {
        const result = await measureRun(browser, relay.url, options, index);
        runs.push(result);
        console.log(`run ${result.run}: history drawn in ${result.msToHistoryDrawn} ms; load ${result.loadAverage.join(' ')}`);
        for (const view of result.views) {
          console.log(
            `  ${view.view.padEnd(7)} frame median ${view.frameMs.median} ms, p95 ${view.frameMs.p95} ms (${view.frameMs.count} frames); ` +
              `delay median ${view.delayMs.median} ms, p95 ${view.delayMs.p95} ms (${view.delayMs.count} points); long frames ${view.longAnimationFrameMs.count}; ${view.chartsInView} charts in view`,
          );
        }
      }
    } finally {
      await browser.close();
      await relay.close();
    }
    const of = (view: View, pick: (result: ViewResult) => Stats): Stats[] => runs.map((result) => pick(result.views.find((entry) => entry.view === view) as ViewResult));
    const summarize = (view: View) => ({
      frameMedianMs: stats(of(view, (result) => result.frameMs).map((entry) => entry.median)).median,
      frameP95WorstRunMs: Math.max(...of(view, (result) => result.frameMs).map((entry) => entry.p95)),
      delayMedianMs: stats(of(view, (result) => result.delayMs).map((entry) => entry.median)).median,
      delayP95WorstRunMs: Math.max(...of(view, (result) => result.delayMs).map((entry) => entry.p95)),
    });
    const charts = summarize('charts');
    const clients = summarize('clients');
    const summary = {
      charts,
      clients: { frameMedianMs: clients.frameMedianMs, frameP95WorstRunMs: clients.frameP95WorstRunMs },
      historyDrawnMedianMs: stats(runs.map((result) => result.msToHistoryDrawn)).median,
      targets: { frameP95Ms: 50, delayP95Ms: 1000 },
    };
    const met = charts.frameP95WorstRunMs < 50 && clients.frameP95WorstRunMs < 50 && charts.delayP95WorstRunMs < 1000;
    const report = {
      benchmark: 'dashboard',
      date: new Date().toISOString(),
      options: { ...options, web: options.web ?? 'fresh build' },
      snapshotJsonBytes: relay.lastSnapshotBytes(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 1e9), loadAverageBefore: loadBefore, chromium: browser.version() },
      summary: { ...summary, targetsMet: met },
      runs,
    };
    const outDir = path.join(REPO_ROOT, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'dashboard.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(
      `\nDashboard, ${options.rounds} rounds x ${options.clients} clients, ${options.rate} updates/s, ${runs.length} runs of ${options.seconds} s:\n` +
        `  curves in view:  frame median ${charts.frameMedianMs} ms, p95 (worst run) ${charts.frameP95WorstRunMs} ms (target < 50); ` +
        `delay median ${charts.delayMedianMs} ms, p95 (worst run) ${charts.delayP95WorstRunMs} ms (target < 1000)\n` +
        `  clients in view: frame median ${clients.frameMedianMs} ms, p95 (worst run) ${clients.frameP95WorstRunMs} ms (target < 50)\n` +
        `  history of ${(report.snapshotJsonBytes / 1e6).toFixed(1)} MB drawn in ${summary.historyDrawnMedianMs} ms (median)\n` +
        `  ${met ? 'targets met' : 'TARGETS MISSED'}; written to bench-results/dashboard.json`,
    );
    const errors = runs.flatMap((result) => result.consoleErrors);
    if (errors.length > 0) console.log(`console errors:\n  ${errors.join('\n  ')}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
