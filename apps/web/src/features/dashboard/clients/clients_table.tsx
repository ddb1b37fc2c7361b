import { memo, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { protocol } from '@splitlearn/split-core/pure';
import { formatBytes } from '../../../lib/format';
import { formatInteger, formatRelativeTime } from '../dashboard_format';
import { clientName, sameClientRow, sortClients, STATUS_TEXT, statusSummary } from './client_rows';

// Every client of the study. Reports arrive several times a second for up to hundreds of
// clients, so a row re-renders only when what it shows changed (memo on its fields and its
// "last seen" text), and "last seen" ticks once a second for the whole table.

type DashboardClient = protocol.DashboardClient;

function useSecondTick(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

interface RowProps {
  client: DashboardClient;
  lastSeen: string;
}

const ClientRow = memo(
  function ClientRow({ client, lastSeen }: RowProps): ReactNode {
    return (
      <tr data-participant={client.participantId}>
        <th scope="row">
          {clientName(client)}
          {client.label !== null && client.label.trim() !== '' && <span className="client-id">{client.participantId}</span>}
        </th>
        <td>
          <span className={`status-badge status-${client.status}`}>{STATUS_TEXT[client.status]}</span>
        </td>
        <td>{client.kind === 'browser' ? 'Browser' : 'Node'}</td>
        <td>{client.backend}</td>
        <td className="number">
          {formatInteger(client.trainCount)} / {formatInteger(client.valCount)}
        </td>
        <td className="number">{formatInteger(client.samples)}</td>
        <td className="number">{formatInteger(client.steps)}</td>
        <td className="number" data-bytes={client.bytesUp}>
          {formatBytes(client.bytesUp)}
        </td>
        <td className="number" data-bytes={client.bytesDown}>
          {formatBytes(client.bytesDown)}
        </td>
        <td>{lastSeen}</td>
      </tr>
    );
  },
  (before, after) => before.lastSeen === after.lastSeen && sameClientRow(before.client, after.client),
);

/** `live`: the table is in view, so "last seen" ticks (out of view it would only cost layout). */
export function ClientsTable({ clients, live = true }: { clients: readonly DashboardClient[]; live?: boolean }): ReactNode {
  const now = useSecondTick(live);
  const sorted = useMemo(() => sortClients(clients), [clients]);
  return (
    <>
      <p role="status">{statusSummary(clients)}</p>
      {sorted.length > 0 && (
        <div className="table-scroll">
          <table className="clients-table" aria-label="Clients">
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Status</th>
                <th scope="col">Kind</th>
                <th scope="col">Backend</th>
                <th scope="col" className="number">
                  Data (train / val)
                </th>
                <th scope="col" className="number">
                  Samples trained
                </th>
                <th scope="col" className="number">
                  Steps
                </th>
                <th scope="col" className="number">
                  Bytes up
                </th>
                <th scope="col" className="number">
                  Bytes down
                </th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((client) => (
                <ClientRow key={client.participantId} client={client} lastSeen={formatRelativeTime(client.lastSeen, now)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
