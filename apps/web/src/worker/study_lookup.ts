import { protocol } from '@splitlearn/split-core';
import { z } from 'zod';
import type { WorkerError } from './messages';
import { describeFailure, fromRelayError } from './relay_errors';

// Before joining, the page needs the study's classes and input shape to check the
// clinician's images, and its split to say what will leave the device; joining itself
// (participant:hello) already needs the sample counts. So the study is looked up first, by
// join code, over the relay's REST API:
//   GET /api/join/<code>  ->  200 { protocolVersion, study: StudyInfo }
//                             404 { error: { code: 'unknown-study', message } }
// Any answer that is not the relay's JSON (a proxy's 502, a connection refused) means the
// relay is unreachable.

export const LOOKUP_PATH = '/api/join/';

const LookupReplySchema = z.object({ protocolVersion: z.number().int().optional(), study: protocol.StudyInfoSchema });
const ErrorReplySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export type LookupResult = { ok: true; study: protocol.StudyInfo } | { ok: false; error: WorkerError };

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

async function readJson(response: Response): Promise<unknown> {
  if (!(response.headers.get('content-type') ?? '').includes('application/json')) return undefined;
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

export async function lookupStudy(joinCode: string, origin: string, fetchImpl: Fetch = fetch): Promise<LookupResult> {
  const url = `${origin}${LOOKUP_PATH}${encodeURIComponent(joinCode.trim())}`;
  let response: Response;
  try {
    response = await fetchImpl(url, { headers: { accept: 'application/json' } });
  } catch (error) {
    return { ok: false, error: { code: 'relay-unreachable', message: `no answer from ${origin} (${describeFailure(error)})` } };
  }
  const body = await readJson(response);
  if (response.ok) {
    const reply = LookupReplySchema.safeParse(body);
    if (!reply.success) {
      return { ok: false, error: { code: 'protocol-mismatch', message: `the relay described the study in a form this page does not understand (${z.prettifyError(reply.error)})` } };
    }
    if (reply.data.protocolVersion !== undefined && reply.data.protocolVersion !== protocol.PROTOCOL_VERSION) {
      return { ok: false, error: { code: 'protocol-mismatch', message: `the relay speaks protocol version ${reply.data.protocolVersion}, this page version ${protocol.PROTOCOL_VERSION}` } };
    }
    return { ok: true, study: reply.data.study };
  }
  const relayError = ErrorReplySchema.safeParse(body);
  if (relayError.success) return { ok: false, error: fromRelayError({ ...relayError.data.error, code: relayError.data.error.code as protocol.RelayErrorCode }) };
  if (response.status === 404) return { ok: false, error: { code: 'unknown-study', message: `no study answers to the code "${joinCode.trim()}"` } };
  return { ok: false, error: { code: 'relay-unreachable', message: `${origin} answered ${response.status} ${response.statusText} instead of the relay` } };
}
