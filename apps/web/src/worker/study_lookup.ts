import { network, type protocol } from '@splitlearn/split-core';
import type { WorkerError } from './messages';
import { fromRelayError } from './relay_errors';

// The study behind a join code (split-core's REST lookup, the one the Node client uses too),
// with its failures put in the words the page explains to a clinician.

export type LookupResult = { ok: true; study: protocol.StudyInfo } | { ok: false; error: WorkerError };

export function toWorkerError(failure: network.LookupFailure): WorkerError {
  switch (failure.reason) {
    case 'unreachable':
      return { code: 'relay-unreachable', message: failure.message };
    case 'protocol-mismatch':
      return { code: 'protocol-mismatch', message: failure.message };
    case 'refused':
      return fromRelayError(failure.error);
  }
}

export async function lookupStudy(joinCode: string, origin: string): Promise<LookupResult> {
  const result = await network.lookupStudy(origin, joinCode);
  return result.ok ? result : { ok: false, error: toWorkerError(result.failure) };
}
