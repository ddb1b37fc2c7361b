import type { IncomingMessage } from 'node:http';

/**
 * The address the per-address limits count a connection against. Behind a reverse proxy
 * every peer is the proxy, so with `trustProxy` the last X-Forwarded-For entry (the address
 * the proxy itself saw; earlier entries are whatever the client claimed) names the client.
 */
export function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  const peer = request.socket.remoteAddress ?? 'unknown';
  if (!trustProxy) return peer;
  const forwarded = request.headers['x-forwarded-for'];
  const chain = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').map((entry) => entry.trim()).filter(Boolean);
  return chain.at(-1) ?? peer;
}
