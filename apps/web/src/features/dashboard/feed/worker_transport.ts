import type { FeedClock, FeedTransport } from './dashboard_feed';
import type { PageToFeed } from './feed_messages';

// The page's ends of the feed: the worker that owns the socket, and the browser's frame clock.

export function createWorkerTransport(): FeedTransport {
  const worker = new Worker(new URL('./feed_worker.ts', import.meta.url), { type: 'module' });
  return {
    send: (message: PageToFeed) => worker.postMessage(message),
    onMessage: (listener) => worker.addEventListener('message', (event: MessageEvent<unknown>) => listener(event.data)),
    onFailure: (listener) => worker.addEventListener('error', (event) => listener(event.message || 'the dashboard feed worker could not be loaded')),
    close: () => worker.terminate(),
  };
}

export const browserClock: FeedClock = {
  requestFrame: (callback) => {
    // A hidden tab gets no frames; fall back to a timer so the store keeps up and the
    // page is current when the tab is shown again.
    if (document.visibilityState === 'hidden') setTimeout(callback, 250);
    else requestAnimationFrame(callback);
  },
  now: () => Date.now(),
  monotonic: () => performance.now(),
  later: (ms, callback) => void setTimeout(callback, ms),
};
