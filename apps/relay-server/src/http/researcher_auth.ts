import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors';
import { LIMITS } from './rate_limits';

// The researcher token check, as an onRequest hook of the routes that need it: it runs before
// the body is read, so a caller without the token cannot make the relay read 32 MiB of labels.
//
// Failed attempts are counted per address; once an address has used up its budget, every
// researcher request from it is refused with 429 until the window ends, even one carrying
// the right token. Telling a right token from a wrong one is exactly the scrypt work the
// limit is there to cap, and a researcher who typed the token wrong 20 times in a minute
// can wait for the Retry-After it is given. Successful checks are not counted, and routes
// without the token (health, join lookups, viewers) are not affected.

export type VerifyResearcher = (token: string | undefined) => Promise<boolean>;

export type ResearcherGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

export function researcherGuard(app: FastifyInstance, verify: VerifyResearcher): ResearcherGuard {
  const failures = app.createRateLimit(LIMITS.failedResearcherTokens);
  return async (request, reply) => {
    const budget = await failures(request, { increment: false });
    if (!budget.isAllowed && budget.remaining === 0) {
      void reply.header('retry-after', String(budget.ttlInSeconds));
      throw new HttpError(
        429,
        `too many wrong researcher tokens from this address (${budget.max} a minute): researcher requests from it are refused for ${budget.ttlInSeconds} s more, even with the right token`,
      );
    }
    if (await verify(bearerToken(request))) return;
    await failures(request);
    throw new HttpError(401, 'this needs the researcher token: send it as "Authorization: Bearer <token>" (it was printed when the relay first started)');
  };
}
