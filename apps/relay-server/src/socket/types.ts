import type { Server, Socket } from 'socket.io';
import type { protocol } from '@splitlearn/split-core';

export interface SocketData {
  participantId?: string;
  studyId?: string;
}

export type RelayServer = Server<protocol.ClientToServerEvents, protocol.ServerToClientEvents, Record<string, never>, SocketData>;
export type RelaySocket = Socket<protocol.ClientToServerEvents, protocol.ServerToClientEvents, Record<string, never>, SocketData>;
