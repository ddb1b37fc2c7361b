import type { protocol } from '@splitlearn/split-core';
import type { Participant } from '../storage/participants';
import type { ClientTotals } from '../studies/client_ledger';
import type { ParticipantSession } from '../studies/participant_session';

// The clients table: every participant of the study that has not withdrawn, in join order.
// Who is connected comes from the running study's sessions; who took part before (another
// day, before a restart) from the participants table, shown as disconnected.

/** What the table needs of a running study. */
export interface LiveStudy {
  state: protocol.StudyState;
  sessions: ReadonlyMap<string, ParticipantSession>;
  ledger: { totals(participantId: string): ClientTotals };
}

export function clientStatus(session: ParticipantSession, studyState: protocol.StudyState): protocol.ClientStatus {
  if (session.status === 'disconnected') return 'disconnected';
  // In an epoch with the server: training, or scoring its validation split after a round.
  if (session.epochId !== undefined) return 'training';
  if (session.status === 'paused' || studyState !== 'training') return 'idle';
  return 'waiting';
}

const NO_TOTALS: ClientTotals = { steps: 0, samples: 0, bytesUp: 0, bytesDown: 0 };

function fromSession(session: ParticipantSession, live: LiveStudy): protocol.DashboardClient {
  return {
    participantId: session.participantId,
    label: session.label ?? null,
    kind: session.kind,
    backend: session.backend,
    status: clientStatus(session, live.state),
    trainCount: session.trainCount,
    valCount: session.valCount,
    ...live.ledger.totals(session.participantId),
    lastSeen: session.lastSeen,
  };
}

/**
 * `live` is the running study, if it runs; `storedTotals` are the participants' totals over
 * the stored rounds, used for those it does not know (a finished study after a restart).
 */
export function dashboardClients(stored: readonly Participant[], live: LiveStudy | undefined, storedTotals: ReadonlyMap<string, ClientTotals>): protocol.DashboardClient[] {
  const clients: protocol.DashboardClient[] = [];
  const listed = new Set<string>();
  for (const participant of stored) {
    if (participant.status === 'withdrawn') continue;
    listed.add(participant.id);
    const session = live?.sessions.get(participant.id);
    if (session && live) {
      clients.push(fromSession(session, live));
      continue;
    }
    clients.push({
      participantId: participant.id,
      label: participant.label,
      kind: participant.kind,
      backend: participant.backend,
      status: 'disconnected',
      trainCount: participant.trainCount,
      valCount: participant.valCount,
      ...(live ? live.ledger.totals(participant.id) : (storedTotals.get(participant.id) ?? NO_TOTALS)),
      lastSeen: participant.lastSeenAt,
    });
  }
  // A session always has a stored participant; this only guards against a row read too early.
  if (live) for (const session of live.sessions.values()) if (!listed.has(session.participantId)) clients.push(fromSession(session, live));
  return clients;
}
