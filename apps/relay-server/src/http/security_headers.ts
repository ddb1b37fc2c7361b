import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

// Headers on every response, API and static alike.
//
// Cross-origin isolation (COOP same-origin + COEP require-corp, and CORP same-origin on
// what the relay serves) lets the web app use SharedArrayBuffer, which tfjs's wasm backend
// needs; a response without them breaks the page's workers.
//
// The Content-Security-Policy allows what the web app does and nothing else: scripts and
// module workers from the relay itself, WebAssembly compilation ('wasm-unsafe-eval', not
// 'unsafe-eval'), fetch and the socket.io websocket to the same origin, images from the
// relay and from blob:/data: URLs (thumbnails of the clinician's own files, the favicon).
// React sets styles through the CSSOM, which CSP does not restrict, so no inline styles.
// No 'upgrade-insecure-requests': the relay is reached over plain HTTP on a hospital's LAN.
// No HSTS either: whoever terminates TLS in front of the relay decides that for the domain.

export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
} as const;

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        workerSrc: ["'self'"],
        connectSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: { policy: 'require-corp' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    strictTransportSecurity: false,
  });
}
