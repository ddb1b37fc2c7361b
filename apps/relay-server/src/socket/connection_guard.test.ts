import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../logger';
import { ConnectionGuard } from './connection_guard';
import type { EngineConnection } from './ws_message_limit';

// The guard on a stand-in engine.io connection: with the ws receiver reachable (the limit is
// set where ws checks frame headers) and without it (each packet is checked as it arrives).

const LIMITS = { preJoinMessageBytes: 128, joinedMessageBytes: 1024, attachmentTimeoutMs: 1000 };

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };

function fakeConnection(receiver?: { _maxPayload: number }): { connection: EngineConnection; emitter: EventEmitter; close: ReturnType<typeof vi.fn> } {
  const emitter = new EventEmitter();
  const close = vi.fn();
  const connection = Object.assign(emitter, { transport: receiver ? { socket: { _receiver: receiver } } : {}, close });
  return { connection: connection as unknown as EngineConnection, emitter, close };
}

const message = (data: unknown) => ({ type: 'message', data });

afterEach(() => {
  vi.useRealTimers();
});

describe('ConnectionGuard', () => {
  it('sets the WebSocket receiver’s limit: small until a participant joins, the transport’s while one is joined', () => {
    const receiver = { _maxPayload: 1 << 26 };
    const { connection } = fakeConnection(receiver);
    const guard = new ConnectionGuard(connection, LIMITS, silent, '127.0.0.1');
    expect(receiver._maxPayload).toBe(128);
    guard.joined();
    expect(receiver._maxPayload).toBe(1024);
    guard.left();
    expect(receiver._maxPayload).toBe(128);
  });

  it('without the receiver, closes the connection on a packet over the limit before socket.io sees it', () => {
    const { connection, emitter, close } = fakeConnection();
    const guard = new ConnectionGuard(connection, LIMITS, silent, '127.0.0.1');
    emitter.emit('packet', message('x'.repeat(128)));
    emitter.emit('packet', message(new Uint8Array(128)));
    expect(close).not.toHaveBeenCalled();
    guard.joined();
    emitter.emit('packet', message('x'.repeat(1000)));
    expect(close).not.toHaveBeenCalled();
    guard.left();
    emitter.emit('packet', message(new Uint8Array(129)));
    expect(close).toHaveBeenCalledWith(true);
  });

  it('closes a connection whose announced attachments do not all arrive in time, and leaves one whose do', () => {
    vi.useFakeTimers();
    const complete = fakeConnection();
    new ConnectionGuard(complete.connection, LIMITS, silent, '127.0.0.1');
    complete.emitter.emit('packet', message('52-["step:frame",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]'));
    complete.emitter.emit('packet', message(new Uint8Array(4)));
    complete.emitter.emit('packet', message(new Uint8Array(4)));
    const partial = fakeConnection();
    new ConnectionGuard(partial.connection, LIMITS, silent, '127.0.0.1');
    partial.emitter.emit('packet', message('62-0[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]'));
    partial.emitter.emit('packet', message(new Uint8Array(4)));
    vi.advanceTimersByTime(LIMITS.attachmentTimeoutMs);
    expect(complete.close).not.toHaveBeenCalled();
    expect(partial.close).toHaveBeenCalledWith(true);
  });

  it('ignores heartbeats and plain events', () => {
    vi.useFakeTimers();
    const { connection, emitter, close } = fakeConnection();
    new ConnectionGuard(connection, LIMITS, silent, '127.0.0.1');
    emitter.emit('packet', { type: 'pong' });
    emitter.emit('packet', message('2["participant:status",{"status":"ready"}]'));
    vi.advanceTimersByTime(10 * LIMITS.attachmentTimeoutMs);
    expect(close).not.toHaveBeenCalled();
  });
});
