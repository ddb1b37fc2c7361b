// The booth demo under load, on this machine: K hospitals (workers) in one Chromium page,
// a real relay, and figures for the README and the schedule choice: time until every
// hospital joined, until the first round finished, per-round time, and how responsive the
// page's main thread stayed (animation-frame gaps, timer lag), plus any step the relay
// abandoned. Run:
//   npx tsx e2e/demo_booth_bench.ts --hospitals 16 --schedule round-robin --rounds 3
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { api, startRelayProcess, waitFor } from '../apps/relay-server/src/testing/relay_process';
import { cardSummaries, readFrameProbe, startDemo, startFrameProbe, type FrameStats } from './demo_support';
import { builtWebApp, collectPageErrors, launchChromium, REPO_ROOT, screenshot } from './support';

const { values } = parseArgs({
  options: {
    hospitals: { type: 'string', default: '16' },
    schedule: { type: 'string', default: 'round-robin' },
    rounds: { type: 'string', default: '3' },
    out: { type: 'string' },
  },
});
const hospitals = Number(values.hospitals);
const rounds = Number(values.rounds);
const schedule = values.schedule;

interface MetricRow {
  round: number;
  phase: 'train' | 'val';
  participantId?: string | null;
  metrics: { seconds?: number; completed?: number; failed?: number; accuracy?: number; loss?: number | null };
}

/** The probe's figures, with its stutters split into the start-up (until every hospital joined) and the training after it. */
function summarizeFrames(frames: FrameStats, joinedAtSeconds: number): Omit<FrameStats, 'slowFrames'> & Record<'whileStarting' | 'whileTraining', { over100ms: number; maxGapMs: number }> {
  const { slowFrames, ...rest } = frames;
  const part = (inPart: (atMs: number) => boolean): { over100ms: number; maxGapMs: number } => {
    const gaps = slowFrames.filter(([atMs]) => inPart(atMs)).map(([, gapMs]) => gapMs);
    return { over100ms: gaps.length, maxGapMs: Math.max(0, ...gaps) };
  };
  return { ...rest, whileStarting: part((atMs) => atMs <= joinedAtSeconds * 1000), whileTraining: part((atMs) => atMs > joinedAtSeconds * 1000) };
}

async function main(): Promise<void> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'demo-bench-'));
  const webDir = await builtWebApp(workDir);
  const relay = await startRelayProcess({ demo: true, args: ['--web-dir', webDir] });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors = collectPageErrors(page);
    await page.goto(`${relay.url}/demo`);
    await startFrameProbe(page);
    const started = performance.now();
    const study = await startDemo(page, hospitals, schedule);
    const since = (): number => Math.round(performance.now() - started) / 1000;
    const joinedAt = await waitFor(
      'every hospital to join',
      async () => {
        const cards = await cardSummaries(page, hospitals);
        return cards.every((card) => !/Waiting to start|Starting|Generating|Joining/.test(card.state)) ? since() : undefined;
      },
      600_000,
      250,
    );
    const roundAt: number[] = [];
    await waitFor(
      `${rounds} rounds`,
      async () => {
        const { round } = await api<{ round: number }>(relay, 'GET', `/api/studies/${study.studyId}`);
        while (roundAt.length < round) roundAt.push(since());
        return round >= rounds ? true : undefined;
      },
      3_600_000,
      250,
    );
    const frames = await readFrameProbe(page);
    await screenshot(page, `bench-demo-${hospitals}-${schedule}`);
    const { metrics } = await api<{ metrics: MetricRow[] }>(relay, 'GET', `/api/studies/${study.studyId}/metrics`);
    const train = metrics.filter((row) => row.phase === 'train' && !row.participantId).sort((a, b) => a.round - b.round);
    const val = metrics.filter((row) => row.phase === 'val' && !row.participantId).sort((a, b) => a.round - b.round);
    const relayProblems = relay
      .output()
      .split('\n')
      .filter((line) => /failed its round|timed out|abandon|step timeout/i.test(line));
    const result = {
      hospitals,
      schedule,
      cores: os.cpus().length,
      secondsUntilAllJoined: joinedAt,
      secondsUntilRound: roundAt,
      trainSecondsPerRound: train.map((row) => row.metrics.seconds),
      completedPerRound: train.map((row) => row.metrics.completed),
      failedPerRound: train.map((row) => row.metrics.failed),
      valAccuracy: val.map((row) => row.metrics.accuracy),
      mainThread: summarizeFrames(frames, joinedAt),
      relayProblems: relayProblems.slice(0, 20),
      pageErrors: errors,
    };
    console.info(JSON.stringify(result, null, 2));
    const out = values.out ?? path.join(REPO_ROOT, 'bench-results', `demo-booth-${hospitals}-${schedule}.json`);
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await browser.close();
    await relay.dispose();
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
