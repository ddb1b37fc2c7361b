import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

// One line per request, at debug: at info, the booth's and the dashboards' polling would
// drown what the relay has to say. Stream errors and the rest keep Fastify's levels.

export class DebugRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (error) request.log.debug({ ...line, error: error.message }, 'request errored');
    else request.log.debug(line, 'request');
  }

  override routeNotFound(request: FastifyRequest): void {
    request.log.debug({ method: request.method, url: request.url }, 'no route');
  }
}
