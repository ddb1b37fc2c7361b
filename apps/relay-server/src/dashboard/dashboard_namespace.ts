import { protocol } from '@splitlearn/split-core';
import type { Logger } from '../logger';
import type { RelayServer } from '../socket/types';
import { DashboardFeed, type DashboardNamespace, type DashboardSources } from './dashboard_feed';
import { attachViewerHandlers } from './viewer_handlers';

// The viewers' own socket.io namespace: a viewer socket never reaches the participant
// handlers (it cannot send a step frame) and participants never receive dashboard traffic.

export function attachDashboard(io: RelayServer, sources: DashboardSources, log: Logger): DashboardFeed {
  // socket.io types one event map per server; this namespace speaks the dashboard's own.
  const namespace = io.of(protocol.DASHBOARD_NAMESPACE) as unknown as DashboardNamespace;
  const feed = new DashboardFeed(namespace, sources);
  sources.registry.observe(feed);
  namespace.on('connection', (socket) => attachViewerHandlers(socket, feed, log));
  return feed;
}
