import { describe, expect, it } from 'vitest';
import { relayClient } from '../feed/test_support';
import { clientName, sameClientRow, sortClients, statusSummary } from './client_rows';

describe('client rows', () => {
  it('orders rows by name with numbers in numeric order, whatever their status', () => {
    const clients = [relayClient('p-3', { label: 'Hospital 10' }), relayClient('p-1', { label: 'Hospital 2', status: 'training' }), relayClient('p-2', { label: null })];
    expect(sortClients(clients).map(clientName)).toEqual(['Hospital 2', 'Hospital 10', 'p-2']);
  });

  it('summarises statuses', () => {
    expect(statusSummary([])).toBe('No client has joined yet.');
    expect(statusSummary([relayClient('a', { status: 'training' }), relayClient('b'), relayClient('c'), relayClient('d', { status: 'disconnected' })])).toBe(
      '4 clients: 1 training, 2 waiting, 1 disconnected.',
    );
  });

  it('sees a row as unchanged when only lastSeen moved', () => {
    const client = relayClient('a');
    expect(sameClientRow(client, { ...client, lastSeen: client.lastSeen + 1_000 })).toBe(true);
    expect(sameClientRow(client, { ...client, bytesUp: 1 })).toBe(false);
  });
});
