import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DemoBooth } from '../studies/demo_studies';
import { BoothRequestSchema } from '../studies/demo_studies';
import { jsonBody, mediaType } from './body';
import { HttpError } from './errors';
import { LIMITS } from './rate_limits';

// POST /api/demo {hospitals: 2..16, schedule?} -> 201 {studyId, joinCode, config}: the
// conference booth's study. No token (the booth has no researcher), so it is off unless the
// relay runs with --demo, it takes only JSON from the relay's own pages (a form or a script
// on another site cannot post here: a JSON body needs a CORS preflight the relay never
// grants, and the Origin check refuses the rest), and it is rate-limited per address. Each
// new booth study deletes the previous one.

const OFF = 'the booth demo is off on this relay: restart it with --demo (npm start -- --demo)';

/** The host an Origin header names, or undefined when it names none ("null" from a sandboxed page or a file). */
function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

function refuseForeignRequests(request: FastifyRequest): void {
  const origin = request.headers.origin;
  // Browsers send Origin with every POST; scripts and curl send none and are not a CSRF vector.
  if (origin !== undefined && originHost(origin) !== request.headers.host?.toLowerCase()) {
    throw new HttpError(403, `the booth demo only takes requests from the relay's own pages: this one came from ${origin}, not from ${request.headers.host ?? 'this relay'}; open the booth at this relay's /demo`);
  }
  if (mediaType(request.headers['content-type']) !== 'application/json') {
    throw new HttpError(415, 'POST /api/demo takes a JSON body: send Content-Type: application/json with {"hospitals": 2..16, "schedule"?: ...}');
  }
}

export function demoRoutes(app: FastifyInstance, rotation: DemoBooth | undefined): void {
  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/api/demo',
    config: { rateLimit: LIMITS.boothStudies },
    // Before the body is read: a refused request costs nothing more.
    preParsing: (request, _reply, _payload, done) => {
      try {
        if (!rotation) throw new HttpError(404, OFF);
        if (request.method !== 'POST') throw new HttpError(405, `${request.method} is not allowed on /api/demo: POST {"hospitals": 2..16, "schedule"?: ...}`);
        refuseForeignRequests(request);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    handler: async (request, reply) => {
      if (!rotation) throw new HttpError(404, OFF);
      const parsed = BoothRequestSchema.safeParse(jsonBody(request.body));
      if (!parsed.success) {
        const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
        throw new HttpError(400, `body must be {"hospitals": 2..16, "schedule"?: "round-robin" | "splitfed-v1" | "splitfed-v2"} (${issues})`);
      }
      return reply.code(201).send(await rotation.start(parsed.data));
    },
  });
}
