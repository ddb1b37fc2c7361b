import type { protocol } from '@splitlearn/split-core';
import type { WorkerError } from './messages';

// The relay's error codes -> the few situations the page explains to a clinician.

export function fromRelayError(error: Pick<protocol.RelayError, 'code' | 'message'>): WorkerError {
  switch (error.code) {
    case 'unknown-study':
      return { code: 'unknown-study', message: error.message };
    case 'unsupported-protocol':
      return { code: 'protocol-mismatch', message: error.message };
    case 'wrong-state':
      return { code: 'wrong-state', message: error.message };
    default:
      return { code: 'relay-error', message: `${error.code}: ${error.message}` };
  }
}

export function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
