import type { protocol } from '@splitlearn/split-core/pure';
import { StudiesFeedToPageSchema } from './studies_feed_messages';

// What the console knows from its feed: the latest list, whether it is live, and why the relay
// refused it or what arrived malformed. One pure step per message from the worker.

export interface StudiesFeedState {
  /** Undefined until the first list arrives. */
  studies?: protocol.ConsoleStudy[];
  status: 'connecting' | 'live' | 'reconnecting' | 'refused';
  /** Why it is reconnecting, or what the relay said when it refused. */
  detail?: string;
  /** The refusal was about the token itself: the researcher should sign in again. */
  tokenRefused?: boolean;
  /** A message that failed its schema (kept until the next good list). */
  problem?: string;
}

export const INITIAL_FEED_STATE: StudiesFeedState = { status: 'connecting' };

export function nextFeedState(state: StudiesFeedState, data: unknown): StudiesFeedState {
  const parsed = StudiesFeedToPageSchema.safeParse(data);
  if (!parsed.success) return { ...state, problem: `the console's feed sent a message it should not have (${parsed.error.issues[0]?.message ?? 'unreadable'}): reload the page` };
  const message = parsed.data;
  switch (message.type) {
    case 'studies': {
      const { problem: _dropped, ...rest } = state;
      return { ...rest, studies: message.studies };
    }
    case 'connection':
      return { ...state, status: message.status, detail: message.detail };
    case 'refused':
      return { ...state, status: 'refused', detail: message.message, tokenRefused: message.token };
    case 'bad-message':
      return { ...state, problem: `the relay sent a list of studies this page cannot read (${message.detail}): the relay may be of another version than this page` };
  }
}
