// Helpers for the booth demo's browser test and benchmark: the demo page as a visitor uses
// it (found by role and label), and a probe of how responsive the page's main thread stays
// while its hospitals train.
import type { Page } from 'playwright-core';
import { waitFor } from '../apps/relay-server/src/testing/relay_process';

export interface DemoStudyCreated {
  studyId: string;
  joinCode: string;
  config: Record<string, unknown>;
}

/** Picks K and the schedule, presses Start (or Reset) and returns what POST /api/demo answered. */
export async function startDemo(page: Page, hospitals: number, schedule?: string): Promise<DemoStudyCreated> {
  await page.getByRole('combobox', { name: 'Hospitals', exact: true }).selectOption(String(hospitals));
  if (schedule !== undefined) await page.getByRole('combobox', { name: 'Schedule', exact: true }).selectOption(schedule);
  const created = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/demo' && response.request().method() === 'POST');
  const start = page.getByRole('button', { name: /^(Start the demo|Reset)$/ });
  await start.click();
  const response = await created;
  if (response.status() !== 201) throw new Error(`POST /api/demo answered ${response.status()}: ${await response.text()}`);
  return (await response.json()) as DemoStudyCreated;
}

export function hospitalCard(page: Page, index: number): ReturnType<Page['getByRole']> {
  return page.getByRole('article', { name: `Hospital ${index + 1}`, exact: true });
}

/** A card's figure, as its label reads ("Local loss", "Step", ...). */
export async function cardFact(page: Page, index: number, label: string): Promise<string> {
  return (await hospitalCard(page, index).getByLabel(label, { exact: true }).innerText()).trim();
}

export interface CardSummary {
  state: string;
  round: string;
  roundsTrained: number;
  step: string;
  loss: string;
}

export async function cardSummaries(page: Page, hospitals: number): Promise<CardSummary[]> {
  return Promise.all(
    Array.from({ length: hospitals }, async (_, index) => ({
      state: await cardFact(page, index, 'State'),
      round: await cardFact(page, index, 'Round'),
      roundsTrained: Number(await cardFact(page, index, 'Rounds trained')),
      step: await cardFact(page, index, 'Step'),
      loss: await cardFact(page, index, 'Local loss'),
    })),
  );
}

/** Waits until every card says its hospital trained at least `rounds` rounds. */
export async function waitForCardsTrained(page: Page, hospitals: number, rounds: number, timeoutMs: number): Promise<CardSummary[]> {
  return waitFor(
    `all ${hospitals} hospitals to train ${rounds} round(s)`,
    async () => {
      const cards = await cardSummaries(page, hospitals);
      if (cards.some((card) => card.state === 'Stopped')) throw new Error(`a hospital stopped: ${JSON.stringify(cards)}`);
      return cards.every((card) => card.roundsTrained >= rounds) ? cards : undefined;
    },
    timeoutMs,
    500,
  );
}

// ---------------------------------------------------------------------------------------
// Main-thread responsiveness

export interface FrameStats {
  frames: number;
  seconds: number;
  /** Gaps between animation frames, in ms. */
  maxGapMs: number;
  p99GapMs: number;
  gapsOver100ms: number;
  /** How late a 50 ms timer fired, worst case: the delay a click would wait for. */
  maxTimerLagMs: number;
  /** [ms since the probe started, gap in ms] of each gap over 100 ms: when the page stuttered. */
  slowFrames: [number, number][];
}

/**
 * Records animation-frame gaps and timer lag on the page's main thread. A string, not a
 * function: tsx's transform names inner functions with a helper the page does not have.
 */
const FRAME_PROBE = `(() => {
  const probe = { gaps: [], lags: [], slow: [], started: performance.now(), stop: false };
  globalThis.__frameProbe = probe;
  let last = performance.now();
  const frame = (now) => {
    probe.gaps.push(now - last);
    if (now - last > 100) probe.slow.push([Math.round(now - probe.started), Math.round(now - last)]);
    last = now;
    if (!probe.stop) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  let expected = performance.now() + 50;
  const tick = () => {
    const now = performance.now();
    probe.lags.push(now - expected);
    expected = now + 50;
    if (!probe.stop) setTimeout(tick, 50);
  };
  setTimeout(tick, 50);
})()`;

export async function startFrameProbe(page: Page): Promise<void> {
  await page.evaluate(FRAME_PROBE);
}

export async function readFrameProbe(page: Page): Promise<FrameStats> {
  return page.evaluate(() => {
    const probe = (globalThis as unknown as { __frameProbe: { gaps: number[]; lags: number[]; slow: [number, number][]; started: number; stop: boolean } }).__frameProbe;
    probe.stop = true;
    const gaps = [...probe.gaps].sort((a, b) => a - b);
    return {
      frames: gaps.length,
      seconds: (performance.now() - probe.started) / 1000,
      maxGapMs: Math.round(gaps.at(-1) ?? 0),
      p99GapMs: Math.round(gaps[Math.floor(gaps.length * 0.99)] ?? 0),
      gapsOver100ms: gaps.filter((gap) => gap > 100).length,
      maxTimerLagMs: Math.round(Math.max(0, ...probe.lags)),
      slowFrames: probe.slow.slice(0, 200),
    };
  });
}
