import { protocol, study as studyLib } from '@splitlearn/split-core';
import type { Logger } from '../logger';
import type { StudyRuntime } from '../studies/study_runtime';
import type { ParticipantAdmission } from './admission';
import type { RelaySocket } from './types';

// Participant events: validate, then hand over to the study runtime (STYLE.md §3, §10).
// Everything that arrives is `unknown` until a schema accepts it; a rejected message gets
// a typed 'relay:error' (or an error reply to its ack) and changes nothing.
//
// One participant per socket: a socket that has joined cannot say hello again (it would
// leave its first session behind, still 'ready', for every round to wait on). It may after
// withdrawing. A participant that rejoins does so on a new connection, which replaces its
// old one (StudyRuntime.addSession).

export interface ParticipantDirectory {
  studyByJoinCode(joinCode: string): StudyRuntime | undefined;
  studyById(studyId: string): StudyRuntime | undefined;
  /** Creates the participant record; returns its id and a resume token (shown once). */
  register(study: StudyRuntime, hello: protocol.Hello): { participantId: string; resumeToken: string };
  /** True when the token belongs to that participant of that study. */
  resume(study: StudyRuntime, participantId: string, resumeToken: string, hello: protocol.Hello): boolean;
  withdraw(study: StudyRuntime, participantId: string): void;
  /** Largest accepted step frame for the study. */
  maxFrameBytes(study: StudyRuntime): number;
}

function isBinary(payload: unknown): payload is Uint8Array | ArrayBuffer {
  return payload instanceof Uint8Array || payload instanceof ArrayBuffer;
}

function error(code: protocol.RelayErrorCode, message: string, event: string): protocol.RelayError {
  return { code, message, event };
}

export interface ParticipantLimits {
  /** New participants a study takes (those already in it may always rejoin). */
  maxParticipantsPerStudy: number;
}

export function attachParticipantHandlers(socket: RelaySocket, directory: ParticipantDirectory, log: Logger, admission: ParticipantAdmission, limits: ParticipantLimits): void {
  const reject = (relayError: protocol.RelayError): void => {
    log.debug('refused participant message', { socket: socket.id, ...relayError });
    socket.emit('relay:error', relayError);
  };
  const current = (): { study: StudyRuntime; participantId: string } | undefined => {
    const { studyId, participantId } = socket.data;
    const study = studyId ? directory.studyById(studyId) : undefined;
    return study && participantId ? { study, participantId } : undefined;
  };

  admission.participantConnected(socket);
  /** Set while a hello waits for the rate limiter: a second one meanwhile must not join too. */
  let helloPending = false;

  socket.on('participant:hello', (raw: unknown, ack: unknown) => {
    if (typeof ack !== 'function') return reject(error('bad-message', 'participant:hello needs an acknowledgement callback', 'participant:hello'));
    const reply = ack as (reply: protocol.HelloReply) => void;
    if (socket.data.participantId || helloPending) {
      return reply({ ok: false, error: error('wrong-state', 'this connection has already joined a study (or is joining one): to join again, open a new connection', 'participant:hello') });
    }
    helloPending = true;
    void admission
      .takeHello(socket)
      .then((refusal) => {
        helloPending = false;
        if (!socket.connected) return;
        if (!refusal) return answerHello(raw, reply);
        reply({ ok: false, error: refusal });
        socket.disconnect(true);
      })
      .catch((failure: unknown) => {
        helloPending = false;
        log.error('hello failed', { socket: socket.id, error: failure instanceof Error ? failure.message : String(failure) });
        reply({ ok: false, error: error('internal', 'the relay could not take this hello: try again', 'participant:hello') });
      });
  });

  const answerHello = (raw: unknown, reply: (reply: protocol.HelloReply) => void): void => {
    const parsed = protocol.HelloSchema.safeParse(raw);
    if (!parsed.success) return reply({ ok: false, error: error('bad-message', `malformed hello: ${parsed.error.issues[0]?.message ?? 'invalid'}`, 'participant:hello') });
    const hello = parsed.data;
    if (hello.protocolVersion !== protocol.PROTOCOL_VERSION) {
      return reply({ ok: false, error: error('unsupported-protocol', `this relay speaks protocol ${protocol.PROTOCOL_VERSION}, the client ${hello.protocolVersion}: reload the page or update the client`, 'participant:hello') });
    }
    const study = directory.studyByJoinCode(hello.joinCode);
    if (!study) return reply({ ok: false, error: error('unknown-study', 'no study has this join code (or it was revoked): check the code with the researcher', 'participant:hello') });
    if (study.state === 'finished') return reply({ ok: false, error: error('wrong-state', 'this study has finished and takes no more participants', 'participant:hello') });
    // The hand-off is sealed with a key only participants hold: one without it could not open what it is handed.
    const { handoffKeyCheck } = study.config;
    if (handoffKeyCheck && hello.handoffKeyCheck === undefined) {
      return reply({ ok: false, error: error('unauthorized', 'this study’s hand-off is end-to-end encrypted with a study key, and none was given: open the researcher’s full invite link (the key follows #key= in it) or enter the key they gave you', 'participant:hello') });
    }
    if (handoffKeyCheck && hello.handoffKeyCheck !== handoffKeyCheck) {
      return reply({ ok: false, error: error('unauthorized', 'the study key given is not this study’s: check the invite link or the key with the researcher', 'participant:hello') });
    }
    const partyProblem = studyLib.partyProblem(study.config, hello.party) ?? study.partyTaken(hello.party, hello.participantId);
    if (partyProblem) return reply({ ok: false, error: error('wrong-state', partyProblem, 'participant:hello') });
    let identity: { participantId: string; resumeToken: string };
    if (hello.participantId && hello.resumeToken) {
      if (!directory.resume(study, hello.participantId, hello.resumeToken, hello)) {
        return reply({ ok: false, error: error('unauthorized', 'the saved participant identity is not valid for this study: clear it and join again', 'participant:hello') });
      }
      identity = { participantId: hello.participantId, resumeToken: hello.resumeToken };
    } else {
      // Only a newcomer is held to the invitation: one who joined may come back after it ends.
      const { inviteExpiresAt, maxParticipants } = study.config;
      if (inviteExpiresAt !== undefined && Date.now() > inviteExpiresAt) {
        return reply({ ok: false, error: error('wrong-state', `this study's invitation ended on ${new Date(inviteExpiresAt).toISOString()}: ask the researcher for a new one`, 'participant:hello') });
      }
      // Counts this run's participants, disconnected ones included (they hold a place to come back to).
      const limit = Math.min(limits.maxParticipantsPerStudy, maxParticipants ?? Infinity);
      if (study.sessions.size >= limit) {
        return reply({ ok: false, error: error('wrong-state', `this study has its ${limit} participants and takes no more: ask the researcher`, 'participant:hello') });
      }
      identity = directory.register(study, hello);
    }
    socket.data.studyId = study.id;
    socket.data.participantId = identity.participantId;
    admission.joined(socket);
    reply({ ok: true, ...identity, study: study.info() });
    void study.addSession({
      participantId: identity.participantId,
      socket,
      kind: hello.client.kind,
      backend: hello.client.backend,
      label: hello.client.label,
      trainCount: hello.data.trainCount,
      valCount: hello.data.valCount,
      party: hello.party,
      aligned: false,
      status: 'ready',
      epochId: undefined,
      stepsDone: 0,
      lastSeen: Date.now(),
    });
    log.info('participant joined', { study: study.id, participant: identity.participantId, kind: hello.client.kind, backend: hello.client.backend, train: hello.data.trainCount });
  };

  socket.on('step:frame', (rawHeader: unknown, payload: unknown) => {
    const joined = current();
    if (!joined) return reject(error('unauthorized', 'say participant:hello with a valid join code before sending steps', 'step:frame'));
    const header = protocol.StepHeaderSchema.safeParse(rawHeader);
    if (!header.success) return reject(error('bad-message', `malformed step header: ${header.error.issues[0]?.message ?? 'invalid'}`, 'step:frame'));
    if (!isBinary(payload)) return reject(error('bad-message', 'a step frame carries its tensor as a binary attachment', 'step:frame'));
    const bytes = payload instanceof Uint8Array ? payload : new Uint8Array(payload);
    const limit = directory.maxFrameBytes(joined.study);
    if (bytes.byteLength > limit) return reject(error('too-large', `step frame of ${bytes.byteLength} bytes is over this study's ${limit}-byte limit`, 'step:frame'));
    const refusal = joined.study.routeFrame(joined.participantId, header.data, bytes);
    if (refusal) reject(refusal);
  });

  socket.on('gradients:sync', (rawHeader: unknown, payload: unknown, ack: unknown) => {
    const reply = typeof ack === 'function' ? (ack as (reply: { ok: true; bundle: Uint8Array } | { ok: false; error: protocol.RelayError }) => void) : () => undefined;
    const refuse = (relayError: protocol.RelayError): void => reply({ ok: false, error: relayError });
    const joined = current();
    if (!joined) return refuse(error('unauthorized', 'join a study first', 'gradients:sync'));
    const header = protocol.GradientsHeaderSchema.safeParse(rawHeader);
    if (!header.success) return refuse(error('bad-message', `malformed gradients header: ${header.error.issues[0]?.message ?? 'invalid'}`, 'gradients:sync'));
    if (payload !== null && !isBinary(payload)) return refuse(error('bad-message', 'gradients travel as one binary bundle (or null without a batch)', 'gradients:sync'));
    const bytes = payload === null ? undefined : payload instanceof Uint8Array ? payload : new Uint8Array(payload);
    const limit = directory.maxFrameBytes(joined.study);
    if (bytes && bytes.byteLength > limit) return refuse(error('too-large', `gradient bundle of ${bytes.byteLength} bytes is over this study's ${limit}-byte limit`, 'gradients:sync'));
    joined.study.syncGradients(joined.participantId, header.data, bytes).then(
      (bundle) => reply({ ok: true, bundle }),
      (reason: unknown) => refuse(error('bad-message', reason instanceof Error ? reason.message : String(reason), 'gradients:sync')),
    );
  });

  socket.on('participant:status', (raw: unknown) => {
    const joined = current();
    if (!joined) return reject(error('unauthorized', 'join a study first', 'participant:status'));
    const parsed = protocol.ParticipantStatusSchema.safeParse(raw);
    if (!parsed.success) return reject(error('bad-message', 'status must be ready or paused', 'participant:status'));
    joined.study.setParticipantStatus(joined.participantId, parsed.data.status);
  });

  socket.on('participant:withdraw', (ack: unknown) => {
    const reply = typeof ack === 'function' ? (ack as (reply: protocol.AckReply) => void) : () => undefined;
    const joined = current();
    if (!joined) return reply({ ok: false, error: error('unauthorized', 'join a study first', 'participant:withdraw') });
    joined.study.removeSession(joined.participantId);
    directory.withdraw(joined.study, joined.participantId);
    socket.data.participantId = undefined;
    socket.data.studyId = undefined;
    admission.left(socket);
    log.info('participant withdrew', { study: joined.study.id });
    reply({ ok: true });
  });

  socket.on('disconnect', (reason) => {
    const joined = current();
    if (joined) {
      joined.study.markDisconnected(joined.participantId, socket.id);
      admission.left(socket);
      log.info('participant disconnected', { study: joined.study.id, participant: joined.participantId, reason });
    }
  });
}
