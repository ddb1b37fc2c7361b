import type { Logger } from '../logger';
import { setWebSocketMessageLimit, type EngineConnection } from './ws_message_limit';

// What one engine.io connection may send, before and after a participant joins on it.
//
// The transport limit (socket.io's maxHttpBufferSize, 64 MiB by default) is server-wide and
// sized for tensor frames. Before a participant has joined there is nothing legitimate to
// send but a hello (well under 1 KiB), so a connection starts with a small limit and gets the
// transport's only while a participant is joined on it. Measured before this guard: six
// sockets that never joined grew the relay by 475 MB with 64 MiB messages, and a 30 MB JSON
// hello held the event loop for 0.67 s while socket.io parsed it.
//
// socket.io's parser keeps a binary event's attachments until all it declared (10 at most)
// have arrived; a peer that declares them and sends only some would have them kept as long
// as its connection lives. The guard closes a connection whose attachments are not all there
// within `attachmentTimeoutMs` of their header.

export interface ConnectionGuardLimits {
  /** Largest message (JSON packet or one binary attachment) before a participant joins. */
  preJoinMessageBytes: number;
  /** The transport's limit, for a connection with a joined participant. */
  joinedMessageBytes: number;
  attachmentTimeoutMs: number;
}

/** socket.io packet types whose attachments follow as separate binary messages (BINARY_EVENT, BINARY_ACK). */
const BINARY_PACKET_TYPES = new Set(['5', '6']);
/** socket.io-parser refuses more; the digits are read only that far. */
const MAX_ATTACHMENT_DIGITS = 6;

function messageSize(data: unknown): number {
  if (typeof data === 'string') return data.length;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

/** How many attachments a socket.io packet's header declares (`51-["event",...]`), 0 for none. */
function declaredAttachments(encoded: string): number {
  if (!BINARY_PACKET_TYPES.has(encoded.charAt(0))) return 0;
  const dash = encoded.indexOf('-', 1);
  if (dash < 2 || dash > 1 + MAX_ATTACHMENT_DIGITS) return 0;
  const count = Number(encoded.slice(1, dash));
  return Number.isInteger(count) && count > 0 ? count : 0;
}

export class ConnectionGuard {
  private joinedSockets = 0;
  private limit: number;
  private pendingAttachments = 0;
  private attachmentTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connection: EngineConnection,
    private readonly limits: ConnectionGuardLimits,
    private readonly log: Logger,
    private readonly address: string,
  ) {
    this.limit = limits.preJoinMessageBytes;
    if (!setWebSocketMessageLimit(connection, this.limit)) {
      log.warn('cannot limit WebSocket messages before they are buffered (ws internals changed?): checking each message after it arrives instead', { address });
    }
    connection.on('packet', (packet: unknown) => this.inspect(packet));
    connection.once('close', () => clearTimeout(this.attachmentTimer));
  }

  /** A participant joined on this connection: it may send messages up to the transport's limit. */
  joined(): void {
    this.joinedSockets += 1;
    if (this.joinedSockets === 1) this.setLimit(this.limits.joinedMessageBytes);
  }

  /** A participant left (withdrew, or its namespace socket went) but the connection stays. */
  left(): void {
    this.joinedSockets = Math.max(0, this.joinedSockets - 1);
    if (this.joinedSockets === 0) this.setLimit(this.limits.preJoinMessageBytes);
  }

  private setLimit(bytes: number): void {
    this.limit = bytes;
    setWebSocketMessageLimit(this.connection, bytes);
  }

  // engine.io emits 'packet' before it hands a message to socket.io: closing the connection
  // here (synchronously) detaches socket.io's decoder, so an oversized message is never parsed.
  private inspect(packet: unknown): void {
    if (typeof packet !== 'object' || packet === null || !('type' in packet) || packet.type !== 'message') return;
    const data = 'data' in packet ? packet.data : undefined;
    // Characters, not bytes, for a string: a fallback that is never stricter than the limit
    // (the WebSocket receiver, when reachable, already measured bytes).
    const size = messageSize(data);
    if (size > this.limit) {
      this.close(`a ${size}-byte message is over this connection's ${this.limit}-byte limit${this.joinedSockets === 0 ? ' (say participant:hello first)' : ''}`);
      return;
    }
    if (typeof data === 'string') {
      const declared = declaredAttachments(data);
      if (declared > 0) this.expectAttachments(declared);
    } else if (this.pendingAttachments > 0) {
      this.pendingAttachments -= 1;
      if (this.pendingAttachments === 0) clearTimeout(this.attachmentTimer);
    }
  }

  private expectAttachments(count: number): void {
    this.pendingAttachments = count;
    clearTimeout(this.attachmentTimer);
    this.attachmentTimer = setTimeout(() => {
      if (this.pendingAttachments > 0) this.close(`${this.pendingAttachments} binary attachment(s) announced by the last message did not arrive within ${this.limits.attachmentTimeoutMs} ms`);
    }, this.limits.attachmentTimeoutMs);
  }

  private close(reason: string): void {
    this.log.warn('closed a connection', { address: this.address, reason });
    clearTimeout(this.attachmentTimer);
    // Discard: nothing queued for this peer is worth waiting for.
    this.connection.close(true);
  }
}
