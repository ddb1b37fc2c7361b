import type { Socket } from 'socket.io';
import { protocol } from '@splitlearn/split-core';
import type { Logger } from '../logger';
import { dashboardRoom, type DashboardFeed } from './dashboard_feed';

// Dashboard viewers: validate, then answer from the feed (STYLE.md §3, §10). Viewing is
// read-only and needs only the study id; a refused message gets a typed error (in its ack,
// or as 'dashboard:error' when it has none) and changes nothing.

export type ViewerSocket = Socket<protocol.DashboardClientToServerEvents, protocol.DashboardServerToClientEvents>;

/** One viewer may follow a few studies side by side, not every study of the relay. */
export const MAX_WATCHED_STUDIES = 16;

const VIEWER_EVENTS = new Set<string>(['dashboard:watch', 'dashboard:unwatch']);

function error(code: protocol.RelayErrorCode, message: string, event: string): protocol.RelayError {
  return { code, message, event };
}

function watchedCount(socket: ViewerSocket): number {
  return [...socket.rooms].filter((room) => room.startsWith(dashboardRoom(''))).length;
}

export function attachViewerHandlers(socket: ViewerSocket, feed: DashboardFeed, log: Logger): void {
  const refuse = (relayError: protocol.RelayError): void => {
    log.debug('refused viewer message', { socket: socket.id, ...relayError });
    socket.emit('dashboard:error', relayError);
  };

  socket.onAny((event: string) => {
    if (!VIEWER_EVENTS.has(event)) refuse(error('bad-message', `unknown event '${event}': a dashboard viewer sends dashboard:watch or dashboard:unwatch`, event));
  });

  socket.on('dashboard:watch', (raw: unknown, ack: unknown) => {
    if (typeof ack !== 'function') return refuse(error('bad-message', 'dashboard:watch needs an acknowledgement callback (the snapshot comes back in it)', 'dashboard:watch'));
    const reply = ack as (reply: protocol.DashboardWatchReply) => void;
    const parsed = protocol.DashboardWatchSchema.safeParse(raw);
    if (!parsed.success) return reply({ ok: false, error: error('bad-message', 'dashboard:watch takes {"studyId": "<the study id from the dashboard link>"}', 'dashboard:watch') });
    const { studyId } = parsed.data;
    const room = dashboardRoom(studyId);
    if (!socket.rooms.has(room) && watchedCount(socket) >= MAX_WATCHED_STUDIES) {
      return reply({ ok: false, error: error('too-large', `one viewer watches at most ${MAX_WATCHED_STUDIES} studies: unwatch one first`, 'dashboard:watch') });
    }
    const snapshot = feed.snapshot(studyId);
    if (!snapshot) return reply({ ok: false, error: error('unknown-study', `no study ${studyId} on this relay: check the dashboard link (it ends with the study id)`, 'dashboard:watch') });
    // Joined in the same tick as the snapshot is read: no live event falls between the two.
    void socket.join(room);
    reply({ ok: true, snapshot });
  });

  socket.on('dashboard:unwatch', (raw: unknown) => {
    const parsed = protocol.DashboardWatchSchema.safeParse(raw);
    if (!parsed.success) return refuse(error('bad-message', 'dashboard:unwatch takes {"studyId": "<a watched study id>"}', 'dashboard:unwatch'));
    void socket.leave(dashboardRoom(parsed.data.studyId));
  });
}
