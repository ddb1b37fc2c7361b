import path from 'node:path';
import Database from 'better-sqlite3';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocol } from '@splitlearn/split-core';
import { api, startRelayProcess, waitFor, type RelayProcess } from './testing/relay_process';
import { mlpStudy } from './testing/demo_study';

// Who may hold a participant socket, and what it may do before joining (security findings
// reproduced against a running relay): one session per socket, a deadline to say hello, a
// small message limit until joined, an Origin check, per-address limits and a cap on a
// study's participants. Real relay processes, real socket.io clients; every wait is on
// something observable (an ack, an error, a disconnect, REST state), never on the clock.

const HELLO_TIMEOUT_MS = 5000;
const ATTACHMENT_TIMEOUT_MS = 3000;
const MAX_PARTICIPANTS = 2;
const TRUSTED_ORIGIN = 'http://trusted.example';

let relay: RelayProcess;

beforeAll(async () => {
  relay = await startRelayProcess({
    args: [
      '--hello-timeout-ms', String(HELLO_TIMEOUT_MS),
      // The connection guard's attachment deadline is the step timeout.
      '--step-timeout-ms', String(ATTACHMENT_TIMEOUT_MS),
      '--max-participants-per-study', String(MAX_PARTICIPANTS),
      '--allowed-origin', TRUSTED_ORIGIN,
    ],
  });
});

afterAll(async () => {
  if (process.env.RELAY_TEST_LOG) console.log(relay?.output());
  await relay?.dispose();
});

type Options = Partial<ManagerOptions & SocketOptions>;

function connect(target: RelayProcess, options: Options = {}): Promise<Socket> {
  const socket = io(target.url, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

function hello(joinCode: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { protocolVersion: protocol.PROTOCOL_VERSION, joinCode, client: { kind: 'node', backend: 'test' }, data: { trainCount: 64, valCount: 0, classCounts: {} }, ...extra };
}

function emitHello(socket: Socket, payload: unknown): Promise<protocol.HelloReply> {
  return new Promise((resolve) => socket.emit('participant:hello', payload, resolve));
}

function nextError(socket: Socket): Promise<protocol.RelayError> {
  return new Promise((resolve) => socket.once('relay:error', resolve));
}

function disconnected(socket: Socket): Promise<string> {
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
}

/** Which of the outcomes happens first. */
function first<K extends string>(outcomes: Record<K, Promise<unknown>>): Promise<K> {
  return Promise.race(Object.entries(outcomes).map(([name, outcome]) => (outcome as Promise<unknown>).then(() => name as K)));
}

async function createStudy(name: string): Promise<{ id: string; joinCode: string }> {
  return api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', mlpStudy(name));
}

async function connectedParticipants(studyId: string): Promise<number> {
  return (await api<{ participants: number }>(relay, 'GET', `/api/studies/${studyId}`)).participants;
}

function participantRows(studyId: string): number {
  const db = new Database(path.join(relay.dataDir, 'relay.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS count FROM participants WHERE study_id = ?').get(studyId) as { count: number }).count;
  } finally {
    db.close();
  }
}

describe('one participant session per socket', () => {
  it('refuses a second hello on a joined socket, creating nothing; the one session is marked disconnected when the socket goes', async () => {
    const study = await createStudy('one session per socket');
    const socket = await connect(relay);
    try {
      const joined = await emitHello(socket, hello(study.joinCode));
      expect(joined.ok).toBe(true);
      const again = await emitHello(socket, hello(study.joinCode));
      expect(again).toMatchObject({ ok: false, error: { code: 'wrong-state', event: 'participant:hello', message: expect.stringMatching(/open a new connection/) as unknown } });
      expect(await connectedParticipants(study.id)).toBe(1);
      expect(participantRows(study.id)).toBe(1);
    } finally {
      socket.close();
    }
    // A ghost left 'ready' by the second hello would keep the count above zero.
    await waitFor('the participant to be marked disconnected', async () => ((await connectedParticipants(study.id)) === 0 ? true : undefined), 30_000);
  });

  it('lets only one of two hellos sent at once join', async () => {
    const study = await createStudy('hellos at once');
    const socket = await connect(relay);
    try {
      const replies = await Promise.all([emitHello(socket, hello(study.joinCode)), emitHello(socket, hello(study.joinCode))]);
      expect(replies.filter((reply) => reply.ok)).toHaveLength(1);
      expect(replies.find((reply) => !reply.ok)).toMatchObject({ error: { code: 'wrong-state' } });
      expect(participantRows(study.id)).toBe(1);
    } finally {
      socket.close();
    }
  });

  it('takes a hello again on the same socket after a withdrawal', async () => {
    const study = await createStudy('withdraw then hello');
    const socket = await connect(relay);
    try {
      const first = await emitHello(socket, hello(study.joinCode));
      if (!first.ok) throw new Error(first.error.message);
      const withdrawn = await new Promise<protocol.AckReply>((resolve) => socket.emit('participant:withdraw', resolve));
      expect(withdrawn.ok).toBe(true);
      const second = await emitHello(socket, hello(study.joinCode));
      if (!second.ok) throw new Error(second.error.message);
      expect(second.participantId).not.toBe(first.participantId);
      expect(await connectedParticipants(study.id)).toBe(1);
    } finally {
      socket.close();
    }
  });
});

describe('before a participant joins', () => {
  it('disconnects a socket that says no hello in time, telling it why first', async () => {
    const socket = await connect(relay);
    try {
      const error = nextError(socket);
      const reason = disconnected(socket);
      expect(await error).toMatchObject({ code: 'unauthorized', event: 'participant:hello', message: expect.stringMatching(new RegExp(`no participant:hello within ${HELLO_TIMEOUT_MS / 1000} s`)) as unknown });
      expect(await reason).toBe('io server disconnect');
    } finally {
      socket.close();
    }
  });

  it('closes, without answering, a socket whose JSON message is over the pre-join limit', async () => {
    const socket = await connect(relay);
    try {
      const outcome = first({ answered: emitHello(socket, hello('x'.repeat(1024 * 1024))), closed: disconnected(socket) });
      expect(await outcome).toBe('closed');
      expect((await api<{ ok: boolean }>(relay, 'GET', '/api/health')).ok).toBe(true);
    } finally {
      socket.close();
    }
  });

  it('closes a socket whose binary attachment is over the pre-join limit', async () => {
    const socket = await connect(relay);
    try {
      const error = nextError(socket);
      const outcome = first({ answered: error, closed: disconnected(socket) });
      socket.emit('step:frame', { studyId: 'x', round: 0, step: 0, seq: 0, kind: 'activations', phase: 'train' }, new Uint8Array(128 * 1024));
      expect(await outcome).toBe('closed');
    } finally {
      socket.close();
    }
  });

  it('still answers small messages before joining, and applies the study’s own limit once joined', async () => {
    const study = await createStudy('limits after joining');
    const socket = await connect(relay);
    try {
      const header = { studyId: study.id, round: 0, step: 0, seq: 0, kind: 'activations', phase: 'train' };
      let error = nextError(socket);
      socket.emit('step:frame', header, new Uint8Array(8));
      expect(await error).toMatchObject({ code: 'unauthorized', event: 'step:frame' });
      expect((await emitHello(socket, hello(study.joinCode))).ok).toBe(true);
      // Over the pre-join limit and the study's, under the transport's: refused, not cut off.
      error = nextError(socket);
      socket.emit('step:frame', header, new Uint8Array(1024 * 1024));
      expect(await error).toMatchObject({ code: 'too-large' });
      expect(socket.connected).toBe(true);
    } finally {
      socket.close();
    }
  });

  it('closes a connection whose announced binary attachments do not arrive', async () => {
    const study = await createStudy('attachments that never come');
    const socket = await connect(relay);
    try {
      expect((await emitHello(socket, hello(study.joinCode))).ok).toBe(true);
      const reason = disconnected(socket);
      // A socket.io binary event declaring two attachments (socket.io-parser encoding), then only one of them.
      const engine = socket.io.engine;
      engine.send(`52-["step:frame",{"studyId":"${study.id}"},{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`);
      engine.send(new Uint8Array(16));
      expect(await reason).toBe('transport close');
      // The relay's log comes through a pipe, in no fixed order with the socket's close.
      await waitFor('the relay to log why', () => (/1 binary attachment\(s\) announced by the last message did not arrive/.test(relay.output()) ? true : undefined), 30_000);
    } finally {
      socket.close();
    }
  });
});

describe('origin check', () => {
  it('refuses a browser socket from another origin, and admits its own origin, listed origins and clients without an Origin', async () => {
    await expect(connect(relay, { extraHeaders: { Origin: 'http://evil.example' } })).rejects.toThrow();
    await waitFor('the relay to log the refusal', () => (/refused a socket from another origin.*evil\.example/.test(relay.output()) ? true : undefined), 30_000);
    for (const origin of [relay.url, TRUSTED_ORIGIN, undefined]) {
      const socket = await connect(relay, origin ? { extraHeaders: { Origin: origin } } : {});
      expect(socket.connected).toBe(true);
      socket.close();
    }
  });
});

describe('participants per study', () => {
  it('refuses a new participant beyond the cap and still takes back one that resumes', async () => {
    const study = await createStudy('capped');
    const sockets: Socket[] = [];
    try {
      const identities: { participantId: string; resumeToken: string }[] = [];
      for (let i = 0; i < MAX_PARTICIPANTS; i += 1) {
        const socket = await connect(relay);
        sockets.push(socket);
        const reply = await emitHello(socket, hello(study.joinCode));
        if (!reply.ok) throw new Error(reply.error.message);
        identities.push({ participantId: reply.participantId, resumeToken: reply.resumeToken });
      }
      const extra = await connect(relay);
      sockets.push(extra);
      expect(await emitHello(extra, hello(study.joinCode))).toMatchObject({ ok: false, error: { code: 'wrong-state', message: expect.stringMatching(/takes no more/) as unknown } });
      expect(participantRows(study.id)).toBe(MAX_PARTICIPANTS);
      // The first participant comes back on a new connection (its old one is replaced).
      const returning = await connect(relay);
      sockets.push(returning);
      expect(await emitHello(returning, hello(study.joinCode, { ...identities[0] }))).toMatchObject({ ok: true, participantId: identities[0]?.participantId });
    } finally {
      for (const socket of sockets) socket.close();
    }
  });
});

describe('a study’s own invitation limits', () => {
  it('admits at most the study’s maxParticipants, under the relay’s cap, and refuses newcomers once its invitation has ended while one who joined comes back', async () => {
    const sockets: Socket[] = [];
    try {
      const limited = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', mlpStudy('one participant', { maxParticipants: 1 }));
      const only = await connect(relay);
      sockets.push(only);
      expect(await emitHello(only, hello(limited.joinCode))).toMatchObject({ ok: true });
      const second = await connect(relay);
      sockets.push(second);
      expect(await emitHello(second, hello(limited.joinCode))).toMatchObject({ ok: false, error: { code: 'wrong-state', message: expect.stringMatching(/has its 1 participants and takes no more/) as unknown } });
      expect(participantRows(limited.id)).toBe(1);

      // An invitation a few seconds long: a participant joins within it.
      const endsAt = Date.now() + 4000;
      const timed = await api<{ id: string; joinCode: string }>(relay, 'POST', '/api/studies', mlpStudy('invitation ends', { inviteExpiresAt: endsAt }));
      const early = await connect(relay);
      sockets.push(early);
      const joined = await emitHello(early, hello(timed.joinCode));
      if (!joined.ok) throw new Error(joined.error.message);
      // The invitation's end is the observable fact here: the relay and this test share the clock.
      await waitFor('the invitation to end', () => (Date.now() > endsAt ? true : undefined), 10_000, 100);
      const late = await connect(relay);
      sockets.push(late);
      expect(await emitHello(late, hello(timed.joinCode))).toMatchObject({ ok: false, error: { code: 'wrong-state', message: expect.stringMatching(new RegExp(`invitation ended on ${new Date(endsAt).toISOString()}: ask the researcher for a new one`)) as unknown } });
      const back = await connect(relay);
      sockets.push(back);
      expect(await emitHello(back, hello(timed.joinCode, { participantId: joined.participantId, resumeToken: joined.resumeToken }))).toMatchObject({ ok: true, participantId: joined.participantId });
      expect(participantRows(timed.id)).toBe(1);
    } finally {
      for (const socket of sockets) socket.close();
    }
  });

  it('refuses an invitation that has already ended, and a limit below the clients the study needs, at their fields', async () => {
    const refused = (body: unknown) => fetch(`${relay.url}/api/studies`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${relay.token}` }, body: JSON.stringify(body) }).then(async (response) => ({ status: response.status, body: (await response.json()) as { issues?: { path: unknown[]; message: string }[] } }));
    const past = await refused(mlpStudy('ended already', { inviteExpiresAt: Date.now() - 1000 }));
    expect(past.status).toBe(400);
    expect(past.body.issues).toEqual([{ path: ['inviteExpiresAt'], message: expect.stringMatching(/which has passed: give a time to come/) as unknown }]);
    const tooFew = await refused(mlpStudy('too few', { minClients: 3, maxParticipants: 2 }));
    expect(tooFew.status).toBe(400);
    expect(tooFew.body.issues).toEqual([{ path: ['maxParticipants'], message: expect.stringMatching(/needs 3 clients to start/) as unknown }]);
  });
});

describe('per-address limits', () => {
  const MAX_CONNECTIONS = 3;
  const MAX_HELLOS = 4;
  let limited: RelayProcess;

  beforeAll(async () => {
    // A long hello deadline: the connections held open to reach the limit never say hello.
    limited = await startRelayProcess({ args: ['--max-connections-per-address', String(MAX_CONNECTIONS), '--max-hellos-per-minute', String(MAX_HELLOS), '--hello-timeout-ms', '600000'] });
  });

  afterAll(async () => {
    if (process.env.RELAY_TEST_LOG) console.log(limited?.output());
    await limited?.dispose();
  });

  it('refuses a connection over the limit with a clear error and closes it; a freed place is taken again', async () => {
    const open: Socket[] = [];
    try {
      for (let i = 0; i < MAX_CONNECTIONS; i += 1) open.push(await connect(limited));
      const refused = io(limited.url, { transports: ['websocket'], reconnection: false, forceNew: true });
      const closed = new Promise<void>((resolve) => refused.io.once('close', () => resolve()));
      const error = await new Promise<Error & { data?: unknown }>((resolve) => refused.once('connect_error', resolve));
      expect(error.message).toMatch(/too many connections from your address/);
      expect(error.data).toMatchObject({ code: 'wrong-state' });
      await closed;
      refused.close();
      // The dashboard's namespace refuses it the same way.
      const viewer = io(`${limited.url}${protocol.DASHBOARD_NAMESPACE}`, { transports: ['websocket'], reconnection: false, forceNew: true });
      const viewerError = await new Promise<Error>((resolve) => viewer.once('connect_error', resolve));
      viewer.close();
      expect(viewerError.message).toMatch(/too many connections from your address/);
      open.pop()?.close();
      // The relay counts the closed connection out when it sees it close: try until it has.
      const again = await waitFor('a connection to be admitted again', () => connect(limited).catch(() => undefined), 30_000);
      open.push(again);
      expect(again.connected).toBe(true);
    } finally {
      for (const socket of open) socket.close();
    }
  });

  it('refuses hellos over the per-address rate and closes the connection', async () => {
    // Every connection of the previous test is closed: wait until the relay has counted them out.
    const socket = await waitFor('a connection to be admitted', () => connect(limited).catch(() => undefined), 30_000);
    try {
      for (let i = 0; i < MAX_HELLOS; i += 1) expect(await emitHello(socket, hello('NOSUCHCODE'))).toMatchObject({ ok: false, error: { code: 'unknown-study' } });
      const reason = disconnected(socket);
      expect(await emitHello(socket, hello('NOSUCHCODE'))).toMatchObject({ ok: false, error: { code: 'wrong-state', message: expect.stringMatching(/too many participant:hello from your address/) as unknown } });
      expect(await reason).toBe('io server disconnect');
    } finally {
      socket.close();
    }
  });
});
