import { z } from 'zod';
import type { RelayError, RelayErrorCode } from '../protocol/errors';
import { StudyInfoSchema, type StudyInfo } from '../protocol/messages';
import { PROTOCOL_VERSION } from '../protocol/version';

// What a join code leads to, asked before any data is committed: a client needs the study's
// classes and input shape to check its images, and its split to say what will leave the
// device, before it can say hello (which carries the sample counts). Browsers and the Node
// client both ask the relay's REST API:
//   GET /api/join/<code>  ->  200 { protocolVersion, study: StudyInfo }
//                             404 { error: { code: 'unknown-study', message } }
// An answer that is not the relay's JSON (a proxy's 502, a refused connection) means the
// relay is unreachable.

export const LOOKUP_PATH = '/api/join/';

/** Why a lookup failed: no relay answered, it speaks another protocol, or it refused. */
export type LookupFailure = { reason: 'unreachable'; message: string } | { reason: 'protocol-mismatch'; message: string } | { reason: 'refused'; error: RelayError };

export type LookupResult = { ok: true; study: StudyInfo } | { ok: false; failure: LookupFailure };

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

const LookupReplySchema = z.object({ protocolVersion: z.number().int().optional(), study: StudyInfoSchema });
const ErrorReplySchema = z.object({ error: z.object({ code: z.string().max(64), message: z.string().max(2000) }) });

async function readJson(response: Response): Promise<unknown> {
  if (!(response.headers.get('content-type') ?? '').includes('application/json')) return undefined;
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

/** Looks a join code up at the relay serving `origin` (e.g. http://localhost:8080). */
export async function lookupStudy(origin: string, joinCode: string, fetchImpl: Fetch = fetch): Promise<LookupResult> {
  const base = origin.replace(/\/+$/, '');
  const url = `${base}${LOOKUP_PATH}${encodeURIComponent(joinCode.trim())}`;
  let response: Response | undefined;
  // The lookup is a GET: one retry on a fresh connection covers a kept-alive connection the
  // relay closed just as the request went out; a relay that is really down fails both.
  for (let attempt = 1; response === undefined; attempt++) {
    try {
      response = await fetchImpl(url, { headers: { accept: 'application/json' } });
    } catch (error) {
      if (attempt < 2) continue;
      return { ok: false, failure: { reason: 'unreachable', message: `no answer from ${base} (${error instanceof Error ? error.message : String(error)})` } };
    }
  }
  const body = await readJson(response);
  if (response.ok) {
    const reply = LookupReplySchema.safeParse(body);
    if (!reply.success) {
      return { ok: false, failure: { reason: 'protocol-mismatch', message: `the relay described the study in a form this client does not understand (${z.prettifyError(reply.error)})` } };
    }
    if (reply.data.protocolVersion !== undefined && reply.data.protocolVersion !== PROTOCOL_VERSION) {
      return { ok: false, failure: { reason: 'protocol-mismatch', message: `the relay speaks protocol version ${reply.data.protocolVersion}, this client version ${PROTOCOL_VERSION}` } };
    }
    return { ok: true, study: reply.data.study };
  }
  const relayError = ErrorReplySchema.safeParse(body);
  if (relayError.success) {
    const { code, message } = relayError.data.error;
    if (code === 'unsupported-protocol') return { ok: false, failure: { reason: 'protocol-mismatch', message } };
    return { ok: false, failure: { reason: 'refused', error: { code: code as RelayErrorCode, message } } };
  }
  if (response.status === 404) return { ok: false, failure: { reason: 'refused', error: { code: 'unknown-study', message: `no study answers to the code "${joinCode.trim()}"` } } };
  return { ok: false, failure: { reason: 'unreachable', message: `${base} answered ${response.status} ${response.statusText} instead of the relay` } };
}
