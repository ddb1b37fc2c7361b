import type { protocol } from '@splitlearn/split-core/pure';

// The clients table's rules, apart from React: a stable row order (rows must not jump while
// a hundred clients report several times a second), the status wording and the counts above
// the table.

type DashboardClient = protocol.DashboardClient;
type ClientStatus = protocol.ClientStatus;

export const STATUS_TEXT: Record<ClientStatus, string> = {
  training: 'Training',
  waiting: 'Waiting for its turn',
  idle: 'Idle',
  disconnected: 'Disconnected',
};

export function clientName(client: Pick<DashboardClient, 'label' | 'participantId'>): string {
  const label = client.label?.trim();
  return label ? label : client.participantId;
}

/** By name, then id: the order never depends on status or traffic, so rows stay put. */
export function sortClients(clients: readonly DashboardClient[]): DashboardClient[] {
  return [...clients].sort((a, b) => clientName(a).localeCompare(clientName(b), 'en', { numeric: true }) || a.participantId.localeCompare(b.participantId));
}

export function statusCounts(clients: readonly DashboardClient[]): Record<ClientStatus, number> {
  const counts: Record<ClientStatus, number> = { training: 0, waiting: 0, idle: 0, disconnected: 0 };
  for (const client of clients) counts[client.status] += 1;
  return counts;
}

export function statusSummary(clients: readonly DashboardClient[]): string {
  if (clients.length === 0) return 'No client has joined yet.';
  const counts = statusCounts(clients);
  const parts = (['training', 'waiting', 'idle', 'disconnected'] as const).filter((status) => counts[status] > 0).map((status) => `${counts[status]} ${status}`);
  return `${clients.length} ${clients.length === 1 ? 'client' : 'clients'}: ${parts.join(', ')}.`;
}

/** Whether two reports of a client would render the same row (so the row can skip rendering). */
export function sameClientRow(a: DashboardClient, b: DashboardClient): boolean {
  return (
    a.participantId === b.participantId &&
    a.label === b.label &&
    a.kind === b.kind &&
    a.backend === b.backend &&
    a.status === b.status &&
    a.trainCount === b.trainCount &&
    a.valCount === b.valCount &&
    a.samples === b.samples &&
    a.steps === b.steps &&
    a.bytesUp === b.bytesUp &&
    a.bytesDown === b.bytesDown
  );
}
