import type { IncomingMessage } from 'node:http';
import type { ExtendedError } from 'socket.io';
import type { protocol } from '@splitlearn/split-core';
import type { Logger } from '../logger';
import { ConnectionCounter, HelloRateLimit } from './address_limits';
import { clientAddress } from './client_address';
import { ConnectionGuard, type ConnectionGuardLimits } from './connection_guard';
import { normalizeOrigin, originRefusal } from './origin_policy';
import type { RelayServer, RelaySocket } from './types';
import type { EngineConnection } from './ws_message_limit';

// Who may hold a socket on the relay, and for how long before saying who they are: the
// Origin check at the handshake, connections per address, the small message limit and the
// deadline until a participant joins, and hellos per address. The participant handlers
// report joins and leaves; everything else is wired to socket.io here.

/**
 * Largest message before a participant joins. A hello is under 1 KiB (its largest part, a
 * vertical party's class counts, is a few hundred bytes); 64 KiB leaves room for any honest
 * client and keeps what a socket that never joins can make the relay hold small.
 */
export const PRE_JOIN_MESSAGE_BYTES = 64 * 1024;

export interface AdmissionOptions extends ConnectionGuardLimits {
  /** A participant socket that has not joined within this is told why and disconnected. */
  helloTimeoutMs: number;
  maxConnectionsPerAddress: number;
  maxHellosPerMinute: number;
  /** Browser origins admitted besides the relay's own. */
  allowedOrigins: readonly string[];
  /** The last X-Forwarded-For entry names the client (a reverse proxy in front). */
  trustProxy: boolean;
}

/** What the participant handlers need from admission. */
export interface ParticipantAdmission {
  /** A participant socket connected: it has until the hello deadline to join. */
  participantConnected(socket: RelaySocket): void;
  /** Takes one hello from the socket's address; a refusal to send back when over the rate. */
  takeHello(socket: RelaySocket): Promise<protocol.RelayError | undefined>;
  /** A participant joined on this socket: its deadline is met and its connection may send tensors. */
  joined(socket: RelaySocket): void;
  /** The socket's participant withdrew or went; a socket still open must join again in time. */
  left(socket: RelaySocket): void;
}

interface ConnectionState {
  address: string;
  guard: ConnectionGuard;
  /** Set when the connection is over its address's limit: every namespace refuses it with this. */
  refusal?: string;
}

export class Admission implements ParticipantAdmission {
  private readonly connections = new WeakMap<EngineConnection, ConnectionState>();
  private readonly helloDeadlines = new WeakMap<RelaySocket, NodeJS.Timeout>();
  private readonly counter: ConnectionCounter;
  private readonly hellos: HelloRateLimit;
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    private readonly options: AdmissionOptions,
    private readonly log: Logger,
  ) {
    this.counter = new ConnectionCounter(options.maxConnectionsPerAddress);
    this.hellos = new HelloRateLimit(options.maxHellosPerMinute);
    this.allowedOrigins = new Set(options.allowedOrigins.flatMap((origin) => normalizeOrigin(origin) ?? []));
  }

  /** socket.io's `allowRequest`: runs before the handshake, so a refused page never gets a connection. */
  readonly allowRequest = (request: IncomingMessage, callback: (error: string | null | undefined, success: boolean) => void): void => {
    const refusal = originRefusal(request.headers, this.allowedOrigins);
    if (!refusal) return callback(null, true);
    this.log.warn('refused a socket from another origin', { origin: request.headers.origin, host: request.headers.host, address: clientAddress(request, this.options.trustProxy) });
    callback(refusal, false);
  };

  /** Wires the server's connections and namespaces (call before any namespace other than '/' is made). */
  attach(io: RelayServer): void {
    io.engine.on('connection', (connection: EngineConnection) => this.onConnection(connection));
    const refuseOverLimit = (socket: { conn: EngineConnection }, next: (error?: ExtendedError) => void): void => {
      const refusal = this.connections.get(socket.conn)?.refusal;
      if (!refusal) return next();
      const error: ExtendedError = new Error(refusal);
      error.data = { code: 'wrong-state', message: refusal } satisfies protocol.RelayError;
      next(error);
      // socket.io queues the CONNECT_ERROR on the next tick; close() sends what is queued first.
      setImmediate(() => socket.conn.close());
    };
    io.use(refuseOverLimit);
    io.on('new_namespace', (namespace) => namespace.use(refuseOverLimit));
  }

  participantConnected(socket: RelaySocket): void {
    this.startHelloDeadline(socket);
    socket.once('disconnect', () => clearTimeout(this.helloDeadlines.get(socket)));
  }

  async takeHello(socket: RelaySocket): Promise<protocol.RelayError | undefined> {
    const address = this.connections.get(socket.conn)?.address ?? socket.conn.remoteAddress;
    const waitSeconds = await this.hellos.take(address);
    if (waitSeconds === undefined) return undefined;
    this.log.warn('refused a hello over the rate limit', { address, perMinute: this.options.maxHellosPerMinute });
    return { code: 'wrong-state', message: `too many participant:hello from your address (over ${this.options.maxHellosPerMinute} a minute): try again in ${waitSeconds} s`, event: 'participant:hello' };
  }

  joined(socket: RelaySocket): void {
    clearTimeout(this.helloDeadlines.get(socket));
    this.helloDeadlines.delete(socket);
    this.connections.get(socket.conn)?.guard.joined();
  }

  left(socket: RelaySocket): void {
    this.connections.get(socket.conn)?.guard.left();
    if (socket.connected) this.startHelloDeadline(socket);
  }

  private onConnection(connection: EngineConnection): void {
    const address = clientAddress(connection.request, this.options.trustProxy);
    const state: ConnectionState = { address, guard: new ConnectionGuard(connection, this.options, this.log, address) };
    this.connections.set(connection, state);
    if (!this.counter.acquire(address)) {
      state.refusal = `too many connections from your address (over ${this.counter.limit} open at once): close other tabs or clients of this relay, or ask its operator to raise --max-connections-per-address`;
      this.log.warn('refused a connection over the per-address limit', { address, limit: this.counter.limit });
    }
    connection.once('close', () => this.counter.release(address));
  }

  private startHelloDeadline(socket: RelaySocket): void {
    clearTimeout(this.helloDeadlines.get(socket));
    const seconds = this.options.helloTimeoutMs / 1000;
    this.helloDeadlines.set(
      socket,
      setTimeout(() => {
        if (!socket.connected || socket.data.participantId) return;
        this.log.info('disconnected a socket that did not join in time', { socket: socket.id, address: this.connections.get(socket.conn)?.address, seconds });
        socket.emit('relay:error', { code: 'unauthorized', message: `no participant:hello within ${seconds} s of connecting: connect again and say participant:hello right away`, event: 'participant:hello' });
        // Closes the connection: a connection with nothing joined on it holds no participant.
        socket.disconnect(true);
      }, this.options.helloTimeoutMs),
    );
  }
}
