import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/events';
import type { StudyInfo } from '../../protocol/messages';
import { JoinError, Participant, participantSocket, type ParticipantEvents } from '../../network/participant';
import { lookupStudy } from '../../network/study_lookup';
import { studyKeyProblem } from '../../privacy/study_key';
import { loadLocalData, type LocalData, type LocalDataOptions } from './local_data';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface NodeParticipant {
  participant: Participant;
  socket: ClientSocket;
  study: StudyInfo;
  data: LocalData;
  close(): void;
}

function connected(socket: ClientSocket, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(new Error(`cannot reach the relay at ${url}: ${error.message}`)));
  });
}

/** Connects a headless participant: looks the study up, loads local data for it, joins. */
export async function connectNodeParticipant(options: {
  url: string;
  joinCode: string;
  data: LocalDataOptions;
  label?: string;
  backend: string;
  events?: ParticipantEvents;
  receiveTimeoutMs?: number;
  /** Rejoin as a participant the relay already knows (its id and resume token from an earlier join). */
  resume?: { participantId: string; resumeToken: string };
  /** The study key, where the study's hand-off is encrypted. */
  studyKey?: string;
}): Promise<NodeParticipant> {
  const lookup = await lookupStudy(options.url, options.joinCode);
  if (!lookup.ok) {
    const { failure } = lookup;
    if (failure.reason === 'refused') throw new JoinError(failure.error);
    if (failure.reason === 'protocol-mismatch') throw new JoinError({ code: 'unsupported-protocol', message: `${failure.message}: update the client` });
    throw new Error(`cannot look the study up: ${failure.message}`);
  }
  const { study } = lookup;
  // Told before any data is read: without the study's key this client cannot take part.
  const keyProblem = await studyKeyProblem(study.config.handoffKeyCheck, options.studyKey);
  if (keyProblem) throw new JoinError({ code: 'unauthorized', message: keyProblem });
  // Before the socket opens: the relay disconnects a socket that has not said hello within
  // seconds (--hello-timeout-ms), and reading a large image folder takes longer than that.
  const data = await loadLocalData(study, options.data);
  const socket: ClientSocket = io(options.url, { transports: ['websocket'], reconnection: true });
  try {
    await connected(socket, options.url);
    const agentSocket = participantSocket(socket);
    const participant = new Participant(agentSocket, {
      joinCode: options.joinCode,
      train: data.train,
      val: data.val,
      ...(data.rows && options.data.party !== undefined ? { vertical: { party: options.data.party, rows: data.rows, labelled: data.labelled ?? false } } : options.data.party !== undefined ? { position: options.data.party } : {}),
      client: { kind: 'node', backend: options.backend, ...(options.label ? { label: options.label } : {}) },
      ...(options.receiveTimeoutMs ? { receiveTimeoutMs: options.receiveTimeoutMs } : {}),
      ...(options.studyKey ? { studyKey: options.studyKey } : {}),
      ...(options.events ? { events: options.events } : {}),
      ...(options.resume ? { resume: options.resume } : {}),
    });
    await participant.join();
    // After a dropped connection, say hello again as the same participant.
    socket.io.on('reconnect', () => {
      const identity = participant.identity;
      if (identity) void participant.join().catch(() => undefined);
    });
    return {
      participant,
      socket,
      study,
      data,
      close: () => {
        participant.dispose();
        socket.close();
      },
    };
  } catch (error) {
    socket.close();
    throw error;
  }
}
