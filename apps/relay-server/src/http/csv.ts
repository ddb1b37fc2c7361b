import type { ServerResponse } from 'node:http';
import { ISOLATION_HEADERS } from './static_files';

/** A CSV download: the browser saves it as `fileName` instead of showing it. */
export function sendCsv(response: ServerResponse, fileName: string, body: string): void {
  response.writeHead(200, {
    ...ISOLATION_HEADERS,
    'Content-Type': 'text/csv; charset=utf-8; header=present',
    'Content-Disposition': `attachment; filename="${fileName.replace(/[^\w.-]/g, '_')}"`,
    'Cache-Control': 'no-store',
  });
  response.end(body);
}
