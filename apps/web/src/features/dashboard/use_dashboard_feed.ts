import { useEffect, useState, useSyncExternalStore } from 'react';
import { DashboardFeed, type FeedState } from './feed/dashboard_feed';
import type { LatencySample } from './feed/draw_latency';
import { browserClock, createWorkerTransport } from './feed/worker_transport';

// The dashboard's one subscription (STYLE.md §7): a feed per study, started with the page and
// stopped with it. Components read coarse state through useFeedSlice; charts subscribe to
// the feed directly and never go through React.

/** Name of the User Timing measure for each live point, from the relay's sentAt to drawn. */
export const POINT_DRAWN_MEASURE = 'dashboard:point-drawn';
/** Measures kept in the browser's timeline before the oldest are cleared (a long-open dashboard must not grow). */
const MAX_MEASURES = 5_000;
let measures = 0;

function recordLatency(sample: LatencySample): void {
  // A User Timing measure, so performance tooling (and the benchmark's PerformanceObserver)
  // sees it; the exact delay is in `detail`, the relay's clock being another one.
  try {
    const end = performance.now();
    performance.measure(POINT_DRAWN_MEASURE, { start: Math.max(0, end - sample.delayMs), end, detail: sample });
    measures += 1;
    if (measures >= MAX_MEASURES) {
      performance.clearMeasures(POINT_DRAWN_MEASURE);
      measures = 0;
    }
  } catch {
    // User Timing unavailable: the dashboard works without it.
  }
}

export function useDashboardFeed(studyId: string): DashboardFeed | undefined {
  const [feed, setFeed] = useState<DashboardFeed>();
  useEffect(() => {
    const created = new DashboardFeed(createWorkerTransport(), browserClock, recordLatency);
    created.start(studyId, window.location.origin);
    setFeed(created);
    return () => {
      created.dispose();
      setFeed(undefined);
    };
  }, [studyId]);
  return feed;
}

/** A slice of the feed's coarse state; the component re-renders only when that slice changes. */
export function useFeedSlice<T>(feed: DashboardFeed, select: (state: FeedState) => T): T {
  return useSyncExternalStore(feed.subscribe, () => select(feed.getState()));
}
