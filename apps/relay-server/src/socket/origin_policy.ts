import type { IncomingMessage } from 'node:http';

// WebSockets are not covered by CORS: any page a clinician visits could open a socket to the
// relay from their browser (cross-site WebSocket hijacking) and use their network position.
// Browsers always send Origin with the handshake, so a browser socket is admitted only from
// the relay's own origin (as the Host header names it) or one the operator lists. Node
// clients send no Origin and are admitted: they hold a join code, and no browser is involved.

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An origin as browsers spell it (`https://host[:port]`), or undefined when it is not one (including "null"). */
export function normalizeOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

function hostOf(value: string, withScheme: boolean): { host: string; hostname: string } | undefined {
  try {
    const url = new URL(withScheme ? value : `http://${value}`);
    return { host: url.host.toLowerCase(), hostname: url.hostname.toLowerCase() };
  } catch {
    return undefined;
  }
}

/** Why a socket.io handshake with these headers is refused, or undefined when it is allowed. */
export function originRefusal(headers: IncomingMessage['headers'], allowedOrigins: ReadonlySet<string>): string | undefined {
  const origin = headers.origin;
  if (origin === undefined) return undefined;
  const normalized = normalizeOrigin(origin);
  if (normalized && allowedOrigins.has(normalized)) return undefined;
  const from = normalized ? hostOf(normalized, true) : undefined;
  const own = headers.host ? hostOf(headers.host, false) : undefined;
  // The scheme is not compared: behind a TLS-terminating proxy the page is https and the relay sees http.
  if (from && own && from.host === own.host) return undefined;
  // A relay reached on loopback is a developer's or a booth laptop's; the Vite dev server
  // proxies its sockets from another port (changeOrigin rewrites Host, not Origin).
  if (from && own && LOOPBACK_HOSTS.has(from.hostname) && LOOPBACK_HOSTS.has(own.hostname)) return undefined;
  return `sockets from pages on ${origin} are not accepted by this relay: open the relay's own page, or ask its operator to allow that origin (--allowed-origin)`;
}
