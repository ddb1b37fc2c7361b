// Errors the relay sends back instead of silently dropping a message (STYLE.md §10). Each
// carries what the user or developer should do next in `message`.

export type RelayErrorCode =
  /** The message did not match its schema. */
  | 'bad-message'
  /** The client speaks another protocol version: reload the page or update the client. */
  | 'unsupported-protocol'
  /** No study with that join code, or the code was revoked. */
  | 'unknown-study'
  /** A researcher action without a valid token, or a participant action from another participant. */
  | 'unauthorized'
  /** Over the size limit set from the study's largest tensor. */
  | 'too-large'
  /** A step frame already received (same sequence number). */
  | 'duplicate'
  /** A step frame ahead of the expected sequence number, or for another round or step. */
  | 'out-of-order'
  /** The study is not in a state that allows this (e.g. joining a finished study). */
  | 'wrong-state'
  /** The step was abandoned (peer vanished or timed out). */
  | 'step-abandoned'
  | 'internal';

export interface RelayError {
  code: RelayErrorCode;
  message: string;
  /** The event that caused it, when there is one. */
  event?: string;
}
