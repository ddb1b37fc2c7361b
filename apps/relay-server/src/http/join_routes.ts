import type { FastifyInstance } from 'fastify';
import { protocol } from '@splitlearn/split-core';
import type { StudyRegistry } from '../studies/study_registry';
import { HttpError } from './errors';
import { LIMITS } from './rate_limits';

// GET /api/join/:code -> 200 {protocolVersion, study} | 404: what a join code leads to, for
// the contribute page and the Node client before any data is committed. A finished study
// answers like an unknown code (it takes nobody any more, and the code says no more about
// it). Limited per address: join codes are short enough that unlimited lookups would make
// guessing one a matter of patience.

const UNKNOWN_STUDY = { code: 'unknown-study', message: 'no study has this join code (or it was revoked): check the code with the researcher' } as const;

export function joinRoutes(app: FastifyInstance, registry: StudyRegistry): void {
  app.get<{ Params: { code: string } }>(
    '/api/join/:code',
    {
      config: {
        rateLimit: {
          ...LIMITS.joinLookups,
          // The lookup clients (split-core's lookupStudy) read a structured error: a code and a message.
          errorResponseBuilder: (_request, context) => {
            const message = `too many join-code lookups from this address (at most ${context.max} a minute): try again in ${context.after}`;
            return new HttpError(context.statusCode, message, { error: { code: 'unauthorized', message } });
          },
        },
      },
    },
    async (request, reply) => {
      const study = registry.studyByJoinCode(request.params.code);
      if (!study || study.state === 'finished') return reply.code(404).send({ error: UNKNOWN_STUDY });
      return { protocolVersion: protocol.PROTOCOL_VERSION, study: study.info() };
    },
  );
}
