import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { DemoBooth } from '../studies/demo_studies';
import { pinoOf, type Logger } from '../logger';
import type { StudyRegistry } from '../studies/study_registry';
import { acceptBodiesAsText, MAX_JSON_BYTES } from './body';
import { demoRoutes } from './demo_routes';
import { errorHandler, HttpError, isApiPath } from './errors';
import { exportRoutes } from './export_routes';
import { healthRoutes } from './health_routes';
import { joinRoutes } from './join_routes';
import { registerRateLimits } from './rate_limits';
import { DebugRequestLog } from './request_log';
import { researcherGuard, type VerifyResearcher } from './researcher_auth';
import { ISOLATION_HEADERS, registerSecurityHeaders } from './security_headers';
import { staticRoutes } from './static_routes';
import { studyRoutes, type StudyRouteContext } from './study_routes';

// The relay's HTTP surface on Fastify: the REST API under /api, the built web app for every
// other GET. socket.io shares the port through app.server (see server.ts).

export interface HttpContext {
  registry: StudyRegistry;
  verifyResearcher: VerifyResearcher;
  dashboard: StudyRouteContext['dashboard'];
  /** The booth demo; absent unless the relay runs with --demo. */
  booth?: DemoBooth | undefined;
  webDir: string;
}

/** The Fastify instance and its server, without routes yet: socket.io attaches to app.server before they are added. */
export function createHttpApp(log: Logger, options: { trustProxy: boolean }): FastifyInstance {
  const httpLog = log.child('http');
  const app = Fastify({
    loggerInstance: pinoOf(httpLog),
    // The per-address limits count request.ip. Behind a reverse proxy (--trust-proxy) that is
    // the last X-Forwarded-For entry, the one the proxy itself saw, as for the sockets.
    trustProxy: options.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    logController: new DebugRequestLog(),
    // Keep idle HTTP connections longer than clients do. Node's default (5 s) is barely above
    // undici's (fetch's) own idle timeout, so on a busy machine a client could reuse a
    // connection the relay had just closed, and a request would fail with 'fetch failed'
    // (seen in a loaded test run). Clients time idle connections out first from the hint this sends.
    keepAliveTimeout: 65_000,
    http: { headersTimeout: 66_000 },
    bodyLimit: MAX_JSON_BYTES,
    // As the relay always did: /api/studies/ is /api/studies.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // A URL that is not valid percent-encoding is the client's mistake: a 400, not an error in the log.
    frameworkErrors: (error, _request, frameworkReply) => {
      const reply = frameworkReply as FastifyReply;
      const body = { error: error.code === 'FST_ERR_BAD_URL' ? 'the URL is not valid percent-encoding' : error.message };
      void reply
        .headers(ISOLATION_HEADERS)
        .code(error.statusCode ?? 400)
        .send(body);
    },
    forceCloseConnections: true,
    // loggerInstance makes the instance's type generic over pino's Logger; the routes need only Fastify's own logger interface.
  }) as unknown as FastifyInstance;
  acceptBodiesAsText(app);
  app.setErrorHandler(errorHandler(httpLog));
  app.setNotFoundHandler((request, reply) => {
    if (isApiPath(request.url)) return reply.code(404).send({ error: `no API route ${request.method} ${request.url.split('?')[0] ?? ''}` });
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply.code(405).send({ error: `${request.method} is not allowed here` });
    return reply.code(404).type('text/plain; charset=utf-8').send('not found');
  });
  app.addHook('onSend', async (request, reply) => {
    if (isApiPath(request.url) && !reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
  });
  return app;
}

export async function registerHttpRoutes(app: FastifyInstance, context: HttpContext): Promise<void> {
  await registerSecurityHeaders(app);
  await registerRateLimits(app);
  const requireResearcher = researcherGuard(app, context.verifyResearcher);
  healthRoutes(app, context.registry);
  joinRoutes(app, context.registry);
  demoRoutes(app, context.booth);
  studyRoutes(app, { registry: context.registry, requireResearcher, dashboard: context.dashboard });
  exportRoutes(app, context.registry, requireResearcher);
  app.all('/api/*', (request) => {
    throw new HttpError(404, `no API route ${request.method} ${request.url.split('?')[0] ?? ''}`);
  });
  await staticRoutes(app, context.webDir);
}
