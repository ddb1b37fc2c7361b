import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors';

// Request bodies. Every body arrives as text (up to the route's bodyLimit: 64 KiB unless a
// route says otherwise) whatever its Content-Type, as the relay always accepted; routes that
// take JSON parse it with jsonBody, and an empty body is an empty object. A route that must
// insist on a media type (POST /api/demo) checks it itself.

export const MAX_JSON_BYTES = 64 * 1024;

export function acceptBodiesAsText(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
}

export function jsonBody(body: unknown): unknown {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

export function textBody(body: unknown): string {
  return typeof body === 'string' ? body : '';
}

/** The media type without parameters, lower-cased ('' when absent). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
