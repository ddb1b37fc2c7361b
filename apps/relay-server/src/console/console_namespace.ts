import { RateLimiterMemory } from 'rate-limiter-flexible';
import { protocol } from '@splitlearn/split-core';
import type { VerifyResearcher } from '../http/researcher_auth';
import { LIMITS } from '../http/rate_limits';
import type { Logger } from '../logger';
import { clientAddress } from '../socket/client_address';
import type { RelayServer } from '../socket/types';
import type { StudyRegistry } from '../studies/study_registry';
import { StudiesFeed, type ConsoleNamespace } from './studies_feed';

// The researchers' console namespace: a socket presents the researcher token when it connects
// (`io('/console', { auth: { token } })`) and then only listens. A wrong token is refused in the
// connection itself. Wrong tokens are counted per address against the same budget as the REST
// API's (LIMITS.failedResearcherTokens); an address over it is refused without its token being
// checked, until the window ends, as on the REST side (http/researcher_auth.ts says why).

export const TOKEN_REFUSAL = 'this needs the researcher token: paste the token the relay printed when it first started (it is kept in this browser tab only)';

export function attachConsole(io: RelayServer, registry: StudyRegistry, verify: VerifyResearcher, options: { trustProxy: boolean }, log: Logger): StudiesFeed {
  // socket.io types one event map per server; this namespace speaks the console's own.
  const namespace = io.of(protocol.CONSOLE_NAMESPACE) as unknown as ConsoleNamespace;
  const feed = new StudiesFeed(namespace, registry);
  registry.observe(feed);
  const { max, timeWindow } = LIMITS.failedResearcherTokens;
  const failures = new RateLimiterMemory({ keyPrefix: 'console-token', points: max, duration: timeWindow / 1000 });

  async function admit(address: string, auth: unknown): Promise<{ message: string; data: protocol.ConsoleRefusal } | undefined> {
    const used = await failures.get(address);
    if (used && used.remainingPoints <= 0) {
      const seconds = Math.max(1, Math.ceil(used.msBeforeNext / 1000));
      return { message: `too many wrong researcher tokens from this address (${max} a minute): try again in ${seconds} s`, data: { reason: 'rate' } };
    }
    const token = typeof auth === 'object' && auth !== null && 'token' in auth && typeof auth.token === 'string' ? auth.token : undefined;
    if (await verify(token)) return undefined;
    // Over the budget consume() rejects: the next attempt is refused above.
    await failures.consume(address).catch(() => undefined);
    log.warn('refused a console connection: wrong or missing researcher token', { address });
    return { message: TOKEN_REFUSAL, data: { reason: 'token' } };
  }

  namespace.use((socket, next) => {
    admit(clientAddress(socket.request, options.trustProxy), socket.handshake.auth).then(
      (refusal) => next(refusal === undefined ? undefined : Object.assign(new Error(refusal.message), { data: refusal.data })),
      (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
    );
  });
  // A console only listens: anything it sends is dropped unanswered.
  namespace.on('connection', (socket) => socket.emit('console:studies', feed.snapshot()));
  return feed;
}
