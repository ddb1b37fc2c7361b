import { useEffect, useState } from 'react';
import type { PageToStudiesFeed } from './studies_feed_messages';
import { INITIAL_FEED_STATE, nextFeedState, type StudiesFeedState } from './studies_feed_state';

/** Follows the relay's studies live with the researcher token ('' follows nothing). */
export function useStudiesFeed(token: string): StudiesFeedState {
  const [state, setState] = useState<StudiesFeedState>(INITIAL_FEED_STATE);
  useEffect(() => {
    setState(INITIAL_FEED_STATE);
    if (token === '') return;
    const worker = new Worker(new URL('./studies_feed_worker.ts', import.meta.url), { type: 'module' });
    worker.addEventListener('message', (event: MessageEvent<unknown>) => setState((state) => nextFeedState(state, event.data)));
    worker.addEventListener('error', (event) => setState((state) => ({ ...state, problem: `the console's feed could not run (${event.message || 'its worker did not load'}): reload the page` })));
    const follow: PageToStudiesFeed = { type: 'follow', token, origin: location.origin };
    worker.postMessage(follow);
    return () => worker.terminate();
  }, [token]);
  return state;
}
