import { alignment, protocol, type schedule } from '@splitlearn/split-core';
import type { WireLog } from '../socket/wire_log';
import type { ParticipantSession } from './participant_session';
import { ParticipantGoneError } from './network_federation';

// A vertical group's rows aligned over the participants' sockets: split-core's alignment
// coordinator runs its steps, this turns each into an acknowledged socket message. The relay
// forwards blinded points, sealed keys and tags it cannot read, and keeps only counts.

export interface NetworkAlignmentContext {
  studyId: string;
  session(participantId: string): ParticipantSession | undefined;
  ackTimeoutMs: number;
  wireLog?: WireLog;
}

const MAX_ROWS = 1_000_000;

/** A participant's socket whose acknowledgements time out. */
type TimedSocket = ReturnType<ParticipantSession['socket']['timeout']>;

function toBytes(payload: unknown, what: string): Uint8Array {
  if (payload instanceof Uint8Array) return payload;
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
  throw new Error(`${what} is not binary`);
}

/** The reply's payload when ok, else an error saying who failed and why. */
function okReply(reply: unknown, participantId: string, step: string): Record<string, unknown> {
  if (typeof reply !== 'object' || reply === null || !('ok' in reply)) throw new Error(`participant ${participantId} sent a malformed reply to ${step}`);
  if (reply.ok !== true) {
    const message = 'error' in reply && typeof reply.error === 'object' && reply.error !== null && 'message' in reply.error ? String(reply.error.message) : 'no reason given';
    throw new Error(`participant ${participantId} could not ${step}: ${message}`);
  }
  return reply;
}

/**
 * Aligns the rows of a group's members (in group order: party 0 of the alignment leads);
 * returns what the relay may know. `local`: the relay's own table of labels, where the
 * server holds them, which leads in front of the members.
 */
export async function alignGroup(context: NetworkAlignmentContext, group: schedule.TrainingGroup, local?: alignment.PsiParticipant): Promise<alignment.AlignmentOutcome> {
  const { studyId } = context;
  const member = (party: number): ParticipantSession => {
    const id = group.members[party] ?? '';
    const session = context.session(id);
    if (!session || session.status === 'disconnected') throw new ParticipantGoneError(id, 'alignment');
    return session;
  };
  const ask = async (party: number, event: string, send: (socket: TimedSocket) => Promise<unknown>): Promise<Record<string, unknown>> => {
    const session = member(party);
    const reply = await send(session.socket.timeout(context.ackTimeoutMs));
    session.lastSeen = Date.now();
    context.wireLog?.record(session.socket, `ack:${event}`, [reply]);
    return okReply(reply, session.participantId, event.replace('align:', ''));
  };
  const points = (payload: unknown, what: string, size: number): Uint8Array[] => alignment.unpackPoints(toBytes(payload, what), size, MAX_ROWS);
  const parties: alignment.AlignmentParties = {
    count: group.members.length,
    start: async (party) => {
      const reply = await ask(party, 'align:start', (socket) => socket.emitWithAck('align:start', { studyId, party, parties: group.members.length }));
      return { publicKey: toBytes(reply.publicKey, 'a public key'), points: points(reply.points, 'blinded ids', alignment.POINT_BYTES) };
    },
    seal: async (leader, keys) => {
      const reply = await ask(leader, 'align:seal', (socket) => socket.emitWithAck('align:seal', { studyId }, keys));
      if (!Array.isArray(reply.sealed)) throw new Error('the leading party sent no sealed keys');
      return reply.sealed.map((sealed) => toBytes(sealed, 'a sealed key'));
    },
    blind: async (party, list) => {
      const reply = await ask(party, 'align:blind', (socket) => socket.emitWithAck('align:blind', { studyId }, alignment.packPoints(list, alignment.POINT_BYTES)));
      return points(reply.points, 'blinded ids', alignment.POINT_BYTES);
    },
    tags: async (party, list, leaderKey, sealed) => {
      const reply = await ask(party, 'align:tags', (socket) => socket.emitWithAck('align:tags', { studyId }, alignment.packPoints(list, alignment.POINT_BYTES), leaderKey, sealed ?? null));
      return points(reply.tags, 'tags', alignment.TAG_BYTES);
    },
    intersect: async (party, tagSets) => {
      const reply = await ask(party, 'align:intersect', (socket) => socket.emitWithAck('align:intersect', { studyId }, tagSets.map((tags) => alignment.packPoints(tags, alignment.TAG_BYTES))));
      const done = protocol.AlignDoneSchema.parse(reply);
      const session = member(party);
      session.trainCount = done.train;
      session.valCount = done.val;
      session.aligned = true;
      return done.aligned;
    },
  };
  return alignment.alignParties(local ? alignment.withLocalLeader(local, parties) : parties);
}
