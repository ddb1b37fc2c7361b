import { describe, expect, it } from 'vitest';
import { DashboardFeed, FRAME_BUDGET_MS, MIN_REDRAW_INTERVAL_MS, OUT_OF_VIEW_REDRAW_MS, type ChartSink, type FeedTransport, type FrameChange } from './dashboard_feed';
import type { FeedToPage, PageToFeed } from './feed_messages';
import type { LatencySample } from './draw_latency';
import { toRoundRow } from './round_row';
import { relayClient, relayRound, studyInfo } from './test_support';

function harness() {
  let listener: (data: unknown) => void = () => {};
  let failure: (message: string) => void = () => {};
  const sent: PageToFeed[] = [];
  const frames: (() => void)[] = [];
  let now = 10_000;
  let monotonic = 0;
  const transport: FeedTransport = {
    send: (message) => sent.push(message),
    onMessage: (next) => (listener = next),
    onFailure: (next) => (failure = next),
    close: () => {},
  };
  const latency: LatencySample[] = [];
  let timers: { at: number; callback: () => void }[] = [];
  const feed = new DashboardFeed(
    transport,
    { requestFrame: (callback) => frames.push(callback), now: () => now, monotonic: () => monotonic, later: (ms, callback) => timers.push({ at: monotonic + ms, callback }) },
    (sample) => latency.push(sample),
  );
  return {
    feed,
    sent,
    latency,
    deliver: (message: FeedToPage | Record<string, unknown>) => listener(message),
    fail: (message: string) => failure(message),
    /** Runs the pending animation frame; returns how many were pending. */
    frame: () => {
      const pending = frames.splice(0);
      for (const callback of pending) callback();
      return pending.length;
    },
    advance: (ms: number) => (now += ms),
    /** Time spent on the main thread (a chart's draw). */
    spend: (ms: number) => (monotonic += ms),
    /** Lets time pass: due timers run. */
    wait: (ms: number) => {
      monotonic += ms;
      const due = timers.filter((timer) => timer.at <= monotonic);
      timers = timers.filter((timer) => timer.at > monotonic);
      for (const timer of due) timer.callback();
    },
  };
}

/** A chart that records what the feed asks of it; draw() reports it drew the newest round. */
function chart(feed: DashboardFeed, chartId: string, options: { showing?: boolean; onDraw?: () => void } = {}) {
  const record = { invalidations: [] as FrameChange[], draws: 0, showing: options.showing ?? true };
  const sink: ChartSink = {
    isShowing: () => record.showing,
    invalidate: (change) => record.invalidations.push(change),
    draw: () => {
      record.draws += 1;
      options.onDraw?.();
      const last = feed.store.lastRound;
      if (last !== undefined) feed.chartDrawn(chartId, last);
    },
  };
  return { record, detach: feed.attachChart(chartId, sink) };
}

const snapshot = (rounds: number[], sentAt = 9_000): FeedToPage => ({
  type: 'snapshot',
  study: studyInfo(),
  rows: rounds.map((round) => toRoundRow(relayRound(round), true)),
  latest: null,
  clients: [relayClient('p-a')],
  sentAt,
});

const liveRound = (round: number, sentAt: number): FeedToPage => ({ type: 'round', row: toRoundRow(relayRound(round), true), latest: { round, metrics: relayRound(round).val! }, sentAt });

describe('DashboardFeed', () => {
  it('asks the worker to watch the study', () => {
    const { feed, sent } = harness();
    feed.start('study-1', 'http://relay');
    expect(sent).toEqual([{ type: 'watch', studyId: 'study-1', origin: 'http://relay' }]);
  });

  it('applies a burst of messages in one frame: one store merge, one chart update, one React notification', () => {
    const { feed, deliver, frame, wait } = harness();
    const { record } = chart(feed, 'loss');
    frame();
    wait(MIN_REDRAW_INTERVAL_MS);
    let notified = 0;
    feed.subscribe(() => (notified += 1));
    deliver(snapshot([0, 1, 2]));
    deliver(liveRound(3, 9_500));
    deliver(liveRound(4, 9_600));
    expect(feed.store.length).toBe(0);
    expect(frame()).toBe(1);
    expect(feed.store.rounds).toEqual([0, 1, 2, 3, 4]);
    expect(record.invalidations).toHaveLength(1);
    expect(record.draws).toBe(2);
    expect(notified).toBe(1);
    expect(feed.getState().progress).toEqual({ rounds: 5, lastRound: 4, snapshotLoaded: true });
    expect(feed.getState().latest?.round).toBe(4);
    expect(frame()).toBe(0);
  });

  it('marks the best round by the study\'s metric as rounds arrive: the earliest of equals, and a later one only when it does better', () => {
    const { feed, deliver, frame } = harness();
    const withAuc = (round: number, auc: number, loss = 0.7): ReturnType<typeof toRoundRow> => toRoundRow(relayRound(round, { val: { ...(relayRound(round).val as NonNullable<ReturnType<typeof relayRound>['val']>), auc, loss } }), true);
    deliver({ type: 'snapshot', study: studyInfo(), rows: [withAuc(0, 0.8), withAuc(1, 0.93), withAuc(2, 0.93)], latest: null, clients: [], sentAt: 9_000 });
    frame();
    expect(feed.getState().best).toEqual({ round: 1, metric: 'auc' });
    deliver({ type: 'round', row: withAuc(3, 0.91), latest: null, sentAt: 9_100 });
    frame();
    expect(feed.getState().best).toEqual({ round: 1, metric: 'auc' });
    deliver({ type: 'round', row: withAuc(4, 0.95), latest: null, sentAt: 9_200 });
    frame();
    expect(feed.getState().best).toEqual({ round: 4, metric: 'auc' });
    // A study that picks by validation loss: the lowest wins.
    const byLoss = harness();
    const study = studyInfo();
    byLoss.deliver({ type: 'snapshot', study: { ...study, config: { ...study.config, bestRoundMetric: 'loss' } }, rows: [withAuc(0, 0.9, 0.5), withAuc(1, 0.95, 0.6)], latest: null, clients: [], sentAt: 9_000 });
    byLoss.frame();
    expect(byLoss.feed.getState().best).toEqual({ round: 0, metric: 'loss' });
  });

  it('does not notify React for rounds alone when its coarse state is unchanged', () => {
    const { feed, deliver, frame } = harness();
    deliver(snapshot([0]));
    frame();
    const before = feed.getState();
    deliver({ type: 'round', row: toRoundRow(relayRound(0), true), latest: null, sentAt: 9_900 });
    frame();
    // Round 0 again: same count and last round, so the state object is the same one.
    expect(feed.getState()).toBe(before);
  });

  it('measures from sentAt to the draw of every chart', () => {
    const { feed, deliver, frame, advance, latency } = harness();
    chart(feed, 'loss', { onDraw: () => advance(20) });
    chart(feed, 'auc', { onDraw: () => advance(5) });
    deliver(snapshot([0, 1], 1_000));
    deliver(liveRound(2, 9_950));
    frame();
    // Snapshot rounds are history, not live points: only the live round is measured, once both charts drew it.
    expect(latency).toEqual([{ round: 2, delayMs: 75 }]);
  });

  it('keeps the newest clients table and study when an older snapshot arrives after a live update', () => {
    const { feed, deliver, frame } = harness();
    deliver({ type: 'clients', clients: [relayClient('p-a', { status: 'training' })], sentAt: 9_500 });
    deliver({ type: 'study', study: studyInfo({ state: 'paused' }), sentAt: 9_500 });
    deliver(snapshot([0], 9_000));
    frame();
    expect(feed.getState().clients[0]?.status).toBe('training');
    expect(feed.getState().study?.state).toBe('paused');
  });

  it('shows a refusal and stays refused', () => {
    const { feed, deliver, frame } = harness();
    deliver({ type: 'refused', error: { code: 'unknown-study', message: 'no study abc' } });
    deliver({ type: 'connection', status: 'reconnecting' });
    frame();
    expect(feed.getState()).toMatchObject({ connection: 'refused', refusal: { code: 'unknown-study' } });
  });

  it('turns malformed worker messages and worker failures into visible problems', () => {
    const { feed, deliver, fail, frame } = harness();
    deliver({ type: 'round', row: { round: -1 } });
    fail('could not load');
    frame();
    const problems = feed.getState().problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]?.title).toBe('Unexpected feed worker message');
    expect(problems[1]?.detail).toBe('could not load');
  });

  it('tells charts about a new client layout', () => {
    const { feed, deliver, frame } = harness();
    const { record } = chart(feed, 'client-up');
    deliver(snapshot([0]));
    frame();
    deliver(liveRound(1, 9_999));
    frame();
    expect(record.invalidations.map((change) => change.layoutChanged)).toEqual([true, false]);
  });

  it('spreads chart drawing over frames within the frame budget, oldest stale chart first', () => {
    const { feed, deliver, frame, spend, wait } = harness();
    const order: string[] = [];
    const charts = ['a', 'b', 'c'].map((chartId) => chart(feed, chartId, { onDraw: () => (order.push(chartId), spend(FRAME_BUDGET_MS - 3)) }));
    while (frame() > 0);
    wait(MIN_REDRAW_INTERVAL_MS);
    order.length = 0;
    deliver(snapshot([0, 1]));
    expect(frame()).toBe(1);
    // Two draws fill the budget: the third chart waits for the next frame.
    expect(order).toEqual(['a', 'b']);
    expect(frame()).toBe(1);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(frame()).toBe(0);
    expect(charts.map(({ record }) => record.draws)).toEqual([2, 2, 2]);
  });

  it('draws a chart at most every MIN_REDRAW_INTERVAL_MS, with everything that arrived meanwhile', () => {
    const { feed, deliver, frame, wait } = harness();
    const { record } = chart(feed, 'loss');
    frame();
    deliver(liveRound(0, 9_990));
    frame();
    deliver(liveRound(1, 9_995));
    frame();
    expect(record.draws).toBe(1);
    wait(MIN_REDRAW_INTERVAL_MS / 2);
    expect(frame()).toBe(0);
    wait(MIN_REDRAW_INTERVAL_MS / 2);
    expect(frame()).toBe(1);
    expect(record.draws).toBe(2);
    expect(record.invalidations).toHaveLength(2);
  });

  it('draws charts out of view only every OUT_OF_VIEW_REDRAW_MS, and at once when they come into view', () => {
    const { feed, deliver, frame, wait, latency } = harness();
    const hidden = chart(feed, 'hidden', { showing: false });
    const shown = chart(feed, 'shown');
    frame();
    wait(MIN_REDRAW_INTERVAL_MS);
    deliver(liveRound(0, 9_990));
    frame();
    expect([hidden.record.draws, shown.record.draws]).toEqual([1, 2]);
    // The point counts as drawn once the charts in view drew it.
    expect(latency).toHaveLength(1);
    wait(OUT_OF_VIEW_REDRAW_MS);
    frame();
    expect(hidden.record.draws).toBe(2);
    deliver(liveRound(1, 9_995));
    frame();
    expect(hidden.record.draws).toBe(2);
    hidden.record.showing = true;
    feed.chartVisibilityChanged('hidden', true);
    wait(MIN_REDRAW_INTERVAL_MS);
    frame();
    expect(hidden.record.draws).toBe(3);
  });

  it('draws a stale chart on demand (before a PNG export)', () => {
    const { feed, deliver, frame } = harness();
    const hidden = chart(feed, 'hidden', { showing: false });
    frame();
    deliver(liveRound(0, 9_990));
    frame();
    expect(hidden.record.draws).toBe(1);
    feed.drawNow('hidden');
    expect(hidden.record.draws).toBe(2);
    feed.drawNow('hidden');
    expect(hidden.record.draws).toBe(2);
  });

  it('forgets a detached chart', () => {
    const { feed, deliver, frame, latency } = harness();
    const slow = chart(feed, 'slow', { showing: true });
    chart(feed, 'fast');
    slow.record.showing = true;
    deliver(liveRound(0, 9_990));
    slow.detach();
    frame();
    expect(latency).toHaveLength(1);
    expect(slow.record.draws).toBe(0);
  });
});
