import { useEffect, useRef, useState, type RefObject } from 'react';
import type { DashboardFeed, FeedState } from './feed/dashboard_feed';

// For parts of the page that change faster than anyone reads them (the clients table: a
// hundred rows, reported several times a second): re-render at most every `minIntervalMs`
// (the caller passes a longer one while the part is scrolled out of view). Measured: the
// table's layout was the dashboard's largest main-thread cost at ten updates a second.

export function useInView(ref: RefObject<Element | null>, rootMargin = '200px 0px'): boolean {
  const [inView, setInView] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new IntersectionObserver((entries) => {
      const entry = entries[entries.length - 1];
      if (entry) setInView(entry.isIntersecting);
    }, { rootMargin });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, rootMargin]);
  return inView;
}

/** `select` must be stable (defined outside the component) and return the same value for unchanged state. */
export function useGatedSlice<T>(feed: DashboardFeed, select: (state: FeedState) => T, minIntervalMs: number): T {
  const [value, setValue] = useState(() => select(feed.getState()));
  const lastApplied = useRef(0);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const apply = (): void => {
      timer = undefined;
      lastApplied.current = performance.now();
      setValue(select(feed.getState()));
    };
    const onChange = (): void => {
      if (timer !== undefined) return;
      const wait = lastApplied.current + minIntervalMs - performance.now();
      if (wait <= 0) apply();
      else timer = setTimeout(apply, wait);
    };
    // A new interval (coming into view) or a new feed: catch up with what changed meanwhile.
    onChange();
    const unsubscribe = feed.subscribe(onChange);
    return () => {
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [feed, select, minIntervalMs]);
  return value;
}
