// What the benchmark runs inside the page (added before the app's own scripts): frame times
// from requestAnimationFrame deltas, long animation frames (Chromium's LoAF entries), and the
// dashboard's 'dashboard:point-drawn' User Timing measures, whose detail holds the delay from
// the relay's sentAt to the point drawn by every chart. Collected only between start() and stop().

export interface ProbeResult {
  frameDeltas: number[];
  delays: number[];
  longAnimationFrames: number[];
}

declare global {
  interface Window {
    __dashboardProbe?: { start(): void; stop(): ProbeResult };
  }
}

/** Serialised into the page by Playwright: must not reference anything outside itself. */
export function installProbe(): void {
  let recording = false;
  let last = 0;
  let result: ProbeResult = { frameDeltas: [], delays: [], longAnimationFrames: [] };
  const tick = (now: number): void => {
    if (recording && last > 0) result.frameDeltas.push(now - last);
    last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  new PerformanceObserver((list) => {
    if (!recording) return;
    for (const entry of list.getEntries()) {
      if (entry.name !== 'dashboard:point-drawn') continue;
      const detail = (entry as PerformanceMeasure).detail as { delayMs?: unknown } | null;
      if (typeof detail?.delayMs === 'number') result.delays.push(detail.delayMs);
    }
  }).observe({ type: 'measure' });
  try {
    new PerformanceObserver((list) => {
      if (recording) for (const entry of list.getEntries()) result.longAnimationFrames.push(entry.duration);
    }).observe({ type: 'long-animation-frame' });
  } catch {
    // Older Chromium: no LoAF; the rAF deltas still say it.
  }
  window.__dashboardProbe = {
    start: () => {
      result = { frameDeltas: [], delays: [], longAnimationFrames: [] };
      recording = true;
      last = 0;
    },
    stop: () => {
      recording = false;
      return result;
    },
  };
}
