import { bestRound, type BestRoundMetric, type protocol, type RoundFigures } from '@splitlearn/split-core/pure';
import { DrawLatency, type LatencySample } from './draw_latency';
import { parseFeedToPage, type FeedToPage, type PageToFeed } from './feed_messages';
import type { LatestEvaluation, RoundRow } from './round_row';
import { SeriesStore } from './series_store';

// The dashboard's one subscription on the page. Messages from the feed worker are queued and
// applied once per animation frame: the rows go into the SeriesStore and the charts are marked
// stale; React never sees a point. Stale charts then redraw from the store (uPlot setData),
// time-sliced: each frame draws charts until FRAME_BUDGET_MS is spent and leaves the rest for
// the next frames, so a frame is never longer than about one chart's draw, however many
// charts and points there are (measured: eight charts of 10,000 rounds redrawn in one frame
// took 30-300 ms on a loaded two-core machine), and each chart at most every
// MIN_REDRAW_INTERVAL_MS. Charts out of view are drawn only every few seconds. React subscribes only to coarse state (study, clients table, latest
// confusion matrix, counts) through useSyncExternalStore, each component to its slice.

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'refused';

export interface FeedProblem {
  id: number;
  title: string;
  detail: string;
}

export interface FeedState {
  connection: ConnectionStatus;
  /** Why the connection is not live, when known. */
  connectionDetail: string | null;
  /** Set when the relay refused to show the study (unknown id): retrying will not help. */
  refusal: { code: string; message: string } | null;
  /** Messages that failed their schema, newest last (a few only). */
  problems: readonly FeedProblem[];
  study: protocol.StudyInfo | null;
  clients: readonly protocol.DashboardClient[];
  latest: LatestEvaluation | null;
  /** The study's best round so far by its best-round metric (the one exports default to); null before any validation. */
  best: { round: number; metric: BestRoundMetric } | null;
  /** Rounds drawn so far and the newest round. */
  progress: { rounds: number; lastRound: number | null; snapshotLoaded: boolean };
}

export const INITIAL_FEED_STATE: FeedState = {
  connection: 'connecting',
  connectionDetail: null,
  refusal: null,
  problems: [],
  study: null,
  clients: [],
  latest: null,
  best: null,
  progress: { rounds: 0, lastRound: null, snapshotLoaded: false },
};

/** What changed in one frame, for the charts. */
export interface FrameChange {
  /** The per-client series set changed: charts drawing them rebuild. */
  layoutChanged: boolean;
}

export interface ChartSink {
  /** Whether the chart is on screen: charts out of view wait until they are. */
  isShowing(): boolean;
  /** The store changed; draw() follows when the frame budget allows. */
  invalidate(change: FrameChange): void;
  /** Redraws now, synchronously (uPlot batch), so the frame budget sees its cost. */
  draw(): void;
}

export interface FeedTransport {
  send(message: PageToFeed): void;
  onMessage(listener: (data: unknown) => void): void;
  /** The worker itself failed (could not load, threw). */
  onFailure(listener: (message: string) => void): void;
  close(): void;
}

export interface FeedClock {
  /** Runs `callback` before the next paint (requestAnimationFrame in the page). */
  requestFrame(callback: () => void): void;
  /** Wall clock, comparable with the relay's `sentAt`. */
  now(): number;
  /** Monotonic milliseconds (performance.now in the page), for the frame budget. */
  monotonic(): number;
  /** Runs `callback` after `ms` milliseconds (setTimeout). */
  later(ms: number, callback: () => void): void;
}

const MAX_PROBLEMS = 5;
/** Chart drawing per frame stops once this much time is spent (at least one chart draws). */
export const FRAME_BUDGET_MS = 8;
/**
 * A chart redraws at most this often; points arriving faster are drawn together (a point
 * after a quiet spell draws at once). Every redraw also hands a new canvas to the
 * compositor, and on a loaded two-core machine that, more than the drawing, made frames miss.
 * Benchmark (apps/web/bench, ten updates a second, six charts of 10,000 rounds in view),
 * p95 frame time: with no limit 50 ms and 200 ms 33 ms at load ~9; 200 ms 33 ms and 400 ms
 * 17 ms at load ~4, where the delay p95 went from 230 to 420 ms, well inside the 1 s target.
 */
export const MIN_REDRAW_INTERVAL_MS = 400;
/** Charts out of view still catch up now and then (a full-page screenshot, a print), rarely enough to cost nothing. */
export const OUT_OF_VIEW_REDRAW_MS = 5_000;

export class DashboardFeed {
  readonly store = new SeriesStore();
  private state: FeedState = INITIAL_FEED_STATE;
  private readonly listeners = new Set<() => void>();
  private readonly charts = new Map<string, ChartSink>();
  /** Charts whose data changed since they last drew, oldest first (so every chart gets its turn). */
  private readonly stale = new Set<string>();
  private readonly lastDrawnAt = new Map<string, number>();
  private wakeScheduled = false;
  private readonly latency: DrawLatency;
  private queue: FeedToPage[] = [];
  private frameRequested = false;
  private disposed = false;
  private studySentAt = Number.NEGATIVE_INFINITY;
  private clientsSentAt = Number.NEGATIVE_INFINITY;
  private problemCount = 0;
  /** Every round's validation figures seen so far, for the best round. */
  private readonly figures = new Map<number, RoundFigures>();

  constructor(
    private readonly transport: FeedTransport,
    private readonly clock: FeedClock,
    onLatency: (sample: LatencySample) => void = () => {},
  ) {
    this.latency = new DrawLatency(() => clock.now(), onLatency);
    transport.onMessage((data) => this.receive(data));
    transport.onFailure((message) => this.enqueue({ type: 'bad-message', event: 'feed worker', detail: message }));
  }

  start(studyId: string, origin: string): void {
    this.transport.send({ type: 'watch', studyId, origin });
  }

  dispose(): void {
    this.disposed = true;
    this.transport.close();
    this.listeners.clear();
    this.charts.clear();
  }

  readonly getState = (): FeedState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** A chart draws from `store` when the feed says; returns its detach function. */
  attachChart(chartId: string, sink: ChartSink): () => void {
    this.charts.set(chartId, sink);
    this.stale.add(chartId);
    this.requestFrame();
    return () => {
      if (this.charts.get(chartId) !== sink) return;
      this.charts.delete(chartId);
      this.stale.delete(chartId);
      this.latency.forget(chartId);
    };
  }

  /** A chart came into view or went out of it. */
  chartVisibilityChanged(chartId: string, showing: boolean): void {
    // Points wait only for charts someone can see.
    if (!showing) this.latency.forget(chartId);
    else if (this.stale.has(chartId)) this.requestFrame();
  }

  /** Draws a chart now if it is behind the store (before saving it as a PNG). */
  drawNow(chartId: string): void {
    const sink = this.charts.get(chartId);
    if (!sink || !this.stale.has(chartId)) return;
    this.stale.delete(chartId);
    this.lastDrawnAt.set(chartId, this.clock.monotonic());
    sink.draw();
  }

  /** Called from a chart's uPlot draw hook. */
  chartDrawn(chartId: string, upToRound: number): void {
    this.latency.drawn(chartId, upToRound);
  }

  private receive(data: unknown): void {
    const parsed = parseFeedToPage(data);
    this.enqueue(parsed.ok ? parsed.message : { type: 'bad-message', event: 'feed worker message', detail: parsed.error });
  }

  private enqueue(message: FeedToPage): void {
    if (this.disposed) return;
    this.queue.push(message);
    this.requestFrame();
  }

  private requestFrame(): void {
    if (this.frameRequested || this.disposed) return;
    this.frameRequested = true;
    this.clock.requestFrame(() => this.flush());
  }

  /** Applies everything queued since the last frame. Public for tests. */
  flush(): void {
    this.frameRequested = false;
    if (this.disposed) return;
    const messages = this.queue;
    this.queue = [];
    const rows: RoundRow[] = [];
    const live: { round: number; sentAt: number }[] = [];
    let next = this.state;
    const patch = (change: Partial<FeedState>): void => {
      // Only a real change makes a new state object: React re-renders on identity.
      const current = next;
      if ((Object.keys(change) as (keyof FeedState)[]).every((key) => change[key] === current[key])) return;
      next = { ...next, ...change };
    };
    for (const message of messages) {
      switch (message.type) {
        case 'connection':
          if (next.refusal === null) patch({ connection: message.status, connectionDetail: message.detail ?? null });
          break;
        case 'refused':
          patch({ connection: 'refused', refusal: message.error, connectionDetail: message.error.message });
          break;
        case 'snapshot':
          rows.push(...message.rows);
          this.acceptStudy(message.study, message.sentAt, patch);
          this.acceptClients(message.clients, message.sentAt, patch);
          patch({ latest: newer(next.latest, message.latest), progress: { ...next.progress, snapshotLoaded: true } });
          break;
        case 'round':
          rows.push(message.row);
          live.push({ round: message.row.round, sentAt: message.sentAt });
          patch({ latest: newer(next.latest, message.latest) });
          break;
        case 'study':
          this.acceptStudy(message.study, message.sentAt, patch);
          break;
        case 'clients':
          this.acceptClients(message.clients, message.sentAt, patch);
          break;
        case 'bad-message':
          this.problemCount += 1;
          patch({ problems: [...next.problems, { id: this.problemCount, title: `Unexpected ${message.event}`, detail: message.detail }].slice(-MAX_PROBLEMS) });
          break;
      }
    }
    for (const row of rows) {
      if (row.valAccuracy !== null) this.figures.set(row.round, { round: row.round, auc: row.valAuc, accuracy: row.valAccuracy, loss: row.valLoss, sensitivity: row.valSensitivity, specificity: row.valSpecificity });
    }
    // The same rule as the relay's (split-core's), over the same figures: again only when they or the study's metric changed.
    const metric: BestRoundMetric = next.study?.config.bestRoundMetric ?? 'auc';
    if (rows.length > 0 || metric !== (next.best?.metric ?? 'auc')) {
      const best = bestRound([...this.figures.values()], metric);
      if (best !== next.best?.round || metric !== next.best?.metric) patch({ best: best === undefined ? null : { round: best, metric } });
    }
    let change: FrameChange | undefined;
    if (rows.length > 0) {
      const merged = this.store.merge(rows);
      change = { layoutChanged: merged.layoutChanged };
      const lastRound = this.store.lastRound ?? null;
      if (next.progress.rounds !== this.store.length || next.progress.lastRound !== lastRound) {
        patch({ progress: { ...next.progress, rounds: this.store.length, lastRound } });
      }
    }
    if (next !== this.state) {
      this.state = next;
      for (const listener of [...this.listeners]) listener();
    }
    if (change) {
      const showing = [...this.charts].filter(([, sink]) => sink.isShowing()).map(([chartId]) => chartId);
      for (const { round, sentAt } of live) this.latency.expect(round, sentAt, showing);
      for (const [chartId, sink] of this.charts) {
        sink.invalidate(change);
        // A chart already waiting keeps its place: the ones waiting longest draw first.
        this.stale.add(chartId);
      }
    }
    this.drawStaleCharts();
  }

  private drawStaleCharts(): void {
    const start = this.clock.monotonic();
    let waiting = false;
    let soonest = Number.POSITIVE_INFINITY;
    for (const chartId of [...this.stale]) {
      const sink = this.charts.get(chartId);
      if (!sink) {
        this.stale.delete(chartId);
        continue;
      }
      const now = this.clock.monotonic();
      const interval = sink.isShowing() ? MIN_REDRAW_INTERVAL_MS : OUT_OF_VIEW_REDRAW_MS;
      const readyAt = (this.lastDrawnAt.get(chartId) ?? Number.NEGATIVE_INFINITY) + interval;
      if (now < readyAt) {
        soonest = Math.min(soonest, readyAt);
        continue;
      }
      if (now - start >= FRAME_BUDGET_MS) {
        waiting = true;
        break;
      }
      this.stale.delete(chartId);
      this.lastDrawnAt.set(chartId, now);
      sink.draw();
    }
    if (waiting) this.requestFrame();
    else if (soonest !== Number.POSITIVE_INFINITY && !this.wakeScheduled) {
      this.wakeScheduled = true;
      this.clock.later(Math.max(0, soonest - this.clock.monotonic()), () => {
        this.wakeScheduled = false;
        this.requestFrame();
      });
    }
  }

  private acceptStudy(study: protocol.StudyInfo, sentAt: number, patch: (change: Partial<FeedState>) => void): void {
    if (sentAt < this.studySentAt) return;
    this.studySentAt = sentAt;
    patch({ study });
  }

  private acceptClients(clients: protocol.DashboardClient[], sentAt: number, patch: (change: Partial<FeedState>) => void): void {
    // The table is sent whole; an older one (a snapshot that overtook a live update) is stale.
    if (sentAt < this.clientsSentAt) return;
    this.clientsSentAt = sentAt;
    patch({ clients });
  }
}

function newer(current: LatestEvaluation | null, candidate: LatestEvaluation | null): LatestEvaluation | null {
  if (candidate === null) return current;
  if (current === null || candidate.round > current.round) return candidate;
  return current;
}
