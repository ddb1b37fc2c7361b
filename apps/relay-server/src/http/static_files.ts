import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

// Serves the built web app. Every response is cross-origin isolated (COOP/COEP) so that
// browsers allow SharedArrayBuffer, which the multithreaded wasm backend needs.

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

async function fileIfExists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Serves `webDir`; unknown paths without an extension get index.html (client-side routes). */
export async function serveStatic(request: IncomingMessage, response: ServerResponse, webDir: string): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://relay');
  const decoded = decodeURIComponent(url.pathname);
  const resolved = path.resolve(webDir, `.${decoded}`);
  if (!resolved.startsWith(path.resolve(webDir))) {
    response.writeHead(403, ISOLATION_HEADERS).end('forbidden');
    return;
  }
  let file = resolved;
  if (!(await fileIfExists(file))) {
    if (path.extname(decoded) !== '') {
      response.writeHead(404, { ...ISOLATION_HEADERS, 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    file = path.join(webDir, 'index.html');
    if (!(await fileIfExists(file))) {
      response
        .writeHead(503, { ...ISOLATION_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' })
        .end(`The web app is not built (${file} is missing): run \`npm run build:web\`, or start the relay with \`npm start\`, which builds it.`);
      return;
    }
  }
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  // Hashed assets never change; the HTML must be revalidated so a new build is picked up.
  const cache = file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
  response.writeHead(200, { ...ISOLATION_HEADERS, 'Content-Type': type, 'Cache-Control': cache });
  createReadStream(file).pipe(response);
}
