import type { RelaySocket } from './types';

export type EngineConnection = RelaySocket['conn'];

/**
 * Sets the largest WebSocket message this connection may send from now on; false when it
 * could not (the caller then checks each packet's size itself, after the fact).
 *
 * Why private internals: ws compares a message's declared length with its Receiver's
 * `_maxPayload` when the frame header arrives, before it buffers any of the payload, and
 * closes the connection (1009) when it is over. That is the only point where a 64 MiB
 * message from a socket that has not joined is refused without holding it in memory. ws
 * sets that limit once per connection (from socket.io's maxHttpBufferSize) and has no public
 * way to change it, and engine.io exposes the ws socket only as its transport's `socket`.
 * Checked against ws 8.23 / engine.io 6.6; anything else found on the way means "not supported".
 */
export function setWebSocketMessageLimit(connection: EngineConnection, bytes: number): boolean {
  const websocket: unknown = (connection.transport as unknown as { socket?: unknown }).socket;
  if (typeof websocket !== 'object' || websocket === null || !('_receiver' in websocket)) return false;
  const receiver: unknown = websocket._receiver;
  if (typeof receiver !== 'object' || receiver === null || !('_maxPayload' in receiver) || typeof receiver._maxPayload !== 'number') return false;
  (receiver as { _maxPayload: number })._maxPayload = bytes;
  return true;
}
