import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress } from './client_address';

function request(remoteAddress: string, forwardedFor?: string): IncomingMessage {
  return { socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } } as unknown as IncomingMessage;
}

describe('clientAddress', () => {
  it('is the peer unless the proxy is trusted', () => {
    expect(clientAddress(request('10.0.0.5', '203.0.113.9'), false)).toBe('10.0.0.5');
  });

  it('behind a trusted proxy, is the address the proxy saw (the last entry), not what the client claimed', () => {
    expect(clientAddress(request('127.0.0.1', '198.51.100.1, 203.0.113.9'), true)).toBe('203.0.113.9');
    expect(clientAddress(request('127.0.0.1'), true)).toBe('127.0.0.1');
  });
});
