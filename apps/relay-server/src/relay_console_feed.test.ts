import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, protocol } from '@splitlearn/split-core';
import { connectNodeParticipant } from '@splitlearn/split-core/node';
import { LIMITS } from './http/rate_limits';
import { api, startRelayProcess, waitFor, type RelayProcess } from './testing/relay_process';
import { demoStudy } from './testing/demo_study';

// The researcher's console follows the relay live (issue 17): over the real relay process and
// real socket.io, a console socket with the researcher token gets the list of studies on
// connecting and again after each change (created, join code re-issued, a participant joined,
// started), each update parsed with the protocol's schema; without the token, or with a wrong
// one, it is refused in the connection with what to do, and an address that keeps guessing is
// refused for a while, as on the REST API.

type ConsoleSocket = Socket<protocol.ConsoleServerToClientEvents, protocol.ConsoleClientToServerEvents>;

let relay: RelayProcess;

beforeAll(async () => {
  await backends.initBackend('wasm');
  relay = await startRelayProcess();
});

afterAll(async () => {
  await relay.dispose();
});

/** A console socket that keeps every list it is sent, each checked against the protocol. */
function openConsole(token: string | undefined): { socket: ConsoleSocket; lists: protocol.ConsoleStudy[][]; problems: string[] } {
  const socket: ConsoleSocket = io(`${relay.url}${protocol.CONSOLE_NAMESPACE}`, { transports: ['websocket'], reconnection: false, ...(token === undefined ? {} : { auth: { token } }) });
  const lists: protocol.ConsoleStudy[][] = [];
  const problems: string[] = [];
  socket.on('console:studies', (update: unknown) => {
    const parsed = protocol.ConsoleStudiesUpdateSchema.safeParse(update);
    if (parsed.success) lists.push(parsed.data.studies);
    else problems.push(parsed.error.message);
  });
  return { socket, lists, problems };
}

/** The relay's refusal of a console connection: its message, and its reason when parsed with the protocol. */
function refusal(socket: ConsoleSocket): Promise<string> {
  return new Promise((resolve) =>
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      const reason = protocol.ConsoleRefusalSchema.safeParse(error.data);
      resolve(`${reason.success ? reason.data.reason : 'no reason'}: ${error.message}`);
    }),
  );
}

describe('the researcher console feed', () => {
  it('sends the list of studies on connecting and after each change, each parsed with the protocol', { timeout: 120_000 }, async () => {
    const console_ = openConsole(relay.token);
    const participants: Awaited<ReturnType<typeof connectNodeParticipant>>[] = [];
    try {
      await waitFor('the first list', () => console_.lists[0]);
      const latest = (id: string) => console_.lists.at(-1)?.find((study) => study.id === id);

      const created = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', demoStudy('console feed', { rounds: 1, maxStepsPerRound: 1, minClients: 1 }));
      expect((await waitFor('the new study in the list', () => latest(created.id))).joinCode).toBe(created.joinCode);
      expect(latest(created.id)).toMatchObject({ name: 'console feed', state: 'open', participants: 0, config: { topology: 'vanilla', schedule: 'round-robin' } });

      const { joinCode } = await api<{ joinCode: string }>(relay, 'POST', `/api/studies/${created.id}/join-code/revoke`);
      expect(joinCode).not.toBe(created.joinCode);
      await waitFor('the re-issued join code in the list', () => (latest(created.id)?.joinCode === joinCode ? true : undefined));

      participants.push(await connectNodeParticipant({ url: relay.url, joinCode, data: { source: 'demo', shard: { index: 0, count: 4 } }, backend: 'wasm', label: 'console-feed' }));
      await waitFor('the participant counted', () => (latest(created.id)?.participants === 1 ? true : undefined));

      await api(relay, 'POST', `/api/studies/${created.id}/control`, { action: 'start' });
      await waitFor('the study finished in the list', () => (latest(created.id)?.state === 'finished' ? true : undefined), 60_000);
      expect(latest(created.id)?.round).toBe(1);
      expect(console_.problems).toEqual([]);
      // The feed is the REST list, live: the last update equals what GET /api/studies answers.
      const listed = (await api<{ studies: protocol.ConsoleStudy[] }>(relay, 'GET', '/api/studies')).studies;
      expect(console_.lists.at(-1)).toEqual(listed);
    } finally {
      for (const participant of participants) participant.close();
      console_.socket.close();
    }
  });

  it('refuses a console without the token or with a wrong one, and an address that keeps guessing even with the right one', async () => {
    const missing = openConsole(undefined);
    expect(await refusal(missing.socket)).toMatch(/^token: this needs the researcher token: paste the token the relay printed/);
    missing.socket.close();
    // The missing token counted as one wrong guess; the budget is the REST API's.
    for (let attempt = 2; attempt <= LIMITS.failedResearcherTokens.max; attempt++) {
      const guessing = openConsole(`not-the-token-${attempt}`);
      expect(await refusal(guessing.socket)).toMatch(/^token: this needs the researcher token/);
      expect(guessing.lists).toEqual([]);
      guessing.socket.close();
    }
    const rightToken = openConsole(relay.token);
    expect(await refusal(rightToken.socket)).toMatch(/^rate: too many wrong researcher tokens from this address \(20 a minute\): try again in \d+ s/);
    rightToken.socket.close();
    expect(relay.output()).not.toContain('not-the-token');
  });
});
