import { describe, expect, it } from 'vitest';
import type { protocol } from '@splitlearn/split-core/pure';
import { INITIAL_FEED_STATE, nextFeedState } from './studies_feed_state';

const study: protocol.ConsoleStudy = {
  id: 's1',
  name: 'chest x-rays',
  state: 'open',
  round: 0,
  rounds: 5,
  joinCode: 'ABCD-EFGH',
  participants: 0,
  createdAt: 1,
  config: { topology: 'u-shaped', schedule: 'splitfed-v2' },
};

describe('the console feed state', () => {
  it('takes each list whole, goes live and back, and clears a malformed-message problem with the next good list', () => {
    let state = nextFeedState(INITIAL_FEED_STATE, { type: 'connection', status: 'live' });
    expect(state).toEqual({ status: 'live' });
    state = nextFeedState(state, { type: 'studies', studies: [study], sentAt: 2 });
    expect(state.studies).toEqual([study]);
    state = nextFeedState(state, { type: 'bad-message', detail: 'studies.0.round: expected number' });
    expect(state.problem).toMatch(/cannot read \(studies\.0\.round: expected number\)/);
    expect(state.studies).toEqual([study]);
    state = nextFeedState(state, { type: 'connection', status: 'reconnecting', detail: 'transport close' });
    expect(state).toMatchObject({ status: 'reconnecting', detail: 'transport close' });
    state = nextFeedState(state, { type: 'studies', studies: [{ ...study, participants: 1 }], sentAt: 3 });
    expect(state.problem).toBeUndefined();
    expect(state.studies?.[0]?.participants).toBe(1);
    state = nextFeedState(state, { type: 'connection', status: 'live' });
    expect(state.detail).toBeUndefined();
  });

  it('records a refusal, and whether the token was the reason', () => {
    expect(nextFeedState(INITIAL_FEED_STATE, { type: 'refused', message: 'this needs the researcher token', token: true })).toEqual({ status: 'refused', detail: 'this needs the researcher token', tokenRefused: true });
    expect(nextFeedState(INITIAL_FEED_STATE, { type: 'refused', message: 'too many wrong researcher tokens', token: false }).tokenRefused).toBe(false);
  });

  it('refuses what the worker should never post, keeping the list', () => {
    const state = nextFeedState({ status: 'live', studies: [study] }, { type: 'studies', studies: [{ ...study, state: 'exploded' }], sentAt: 1 });
    expect(state.studies).toEqual([study]);
    expect(state.problem).toMatch(/should not have/);
  });
});
