import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors';

// Per-address limits (the key is the peer address Fastify sees; behind a reverse proxy that
// is the proxy, so every client would share one budget). Each number is far above what a
// legitimate client of that route needs and far below what an attack needs:
//
// - Failed researcher tokens, 20 a minute. The token is 256 random bits, so guessing is
//   hopeless anyway; the limit caps the scrypt work (a few ms on libuv's pool per attempt)
//   one address can demand, and a researcher who mistyped gets many tries.
// - Join-code lookups, 120 a minute. A join code is 8 characters of [A-Z0-9] (41 bits):
//   at this rate one address needs ~10^8 hours per study found. The budget covers a booth
//   resetting 16 hospitals several times a minute, or a class behind one NAT address.
// - Booth studies, 10 a minute. Each one stops, deletes and creates a study with its own
//   segment worker; a visitor presses Reset far less often.

export const LIMITS = {
  failedResearcherTokens: { max: 20, timeWindow: 60_000 },
  joinLookups: { max: 120, timeWindow: 60_000 },
  boothStudies: { max: 10, timeWindow: 60_000 },
} as const;

export async function registerRateLimits(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    // Only the routes that name a limit are limited.
    global: false,
    errorResponseBuilder: (request, context) => new HttpError(context.statusCode, `too many requests from this address to ${request.routeOptions.url ?? request.url}: at most ${context.max} a minute; try again in ${context.after}`),
  });
}
