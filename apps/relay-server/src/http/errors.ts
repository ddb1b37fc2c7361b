import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Logger } from '../logger';
import { StudyConfigError } from '../studies/study_registry';

// One error reply for the whole HTTP surface: `{"error": "..."}` with a message that says
// what to do next. Route handlers throw; this turns what they throw into the reply.

export class HttpError extends Error {
  /** `body` replaces the usual `{"error": message}` for routes whose clients read a structured error. */
  constructor(
    readonly status: number,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
}

/** Fastify's own errors (body limits, unreadable bodies) and send's (static files) carry a status. */
function statusOf(error: unknown): number | undefined {
  const status = (error as Partial<FastifyError> | undefined)?.statusCode;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : undefined;
}

/**
 * An error reply replaces whatever the failed route had started to set: a static file's
 * headers (type, length, validators) must not describe the JSON that goes out instead.
 */
function replyWith(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  for (const header of ['content-length', 'content-type', 'content-disposition', 'etag', 'last-modified', 'accept-ranges']) reply.removeHeader(header);
  return reply.code(status).type('application/json; charset=utf-8').header('cache-control', 'no-store').send(body);
}

export function errorHandler(log: Logger): (error: unknown, request: FastifyRequest, reply: FastifyReply) => FastifyReply {
  return (error, request, reply) => {
    const api = isApiPath(request.url);
    const code = (error as Partial<FastifyError> | undefined)?.code;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof HttpError) return replyWith(reply, error.status, error.body ?? { error: error.message });
    // A refused study names the fields it concerns, so a form can show each message at its field.
    if (error instanceof z.ZodError) return replyWith(reply, 400, { error: `invalid study: ${describeIssues(error)}`, issues: error.issues.map((issue) => ({ path: issue.path.filter((part) => typeof part !== 'symbol'), message: issue.message })) });
    if (error instanceof StudyConfigError) return replyWith(reply, 400, { error: `invalid study: ${error.message}`, issues: [{ path: error.path, message: error.message }] });
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return replyWith(reply, 413, { error: `request body over ${request.routeOptions.bodyLimit ?? 0} bytes` });
    const status = statusOf(error);
    if (status !== undefined && status < 500) return replyWith(reply, status, { error: message });
    // Inside the API, what a study refuses (a bad config, a finished study) arrives as a plain
    // Error whose message is meant for the caller, as it always was.
    if (api && status === undefined) return replyWith(reply, 400, { error: message });
    log.error('request failed', { method: request.method, url: request.url, error: message, ...(code ? { code } : {}) });
    return replyWith(reply, status ?? 500, { error: 'internal error' });
  };
}
