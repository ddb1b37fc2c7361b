import type { protocol } from '@splitlearn/split-core/pure';

// The researcher's REST calls (create studies, control, reconfigure, join codes,
// export), with failures turned into what the researcher should do next. The token travels
// only in the Authorization header.

export type ControlAction = 'start' | 'pause' | 'resume' | 'stop';
export type StudyState = 'open' | 'training' | 'paused' | 'finished';

export interface StudyChange {
  schedule?: string;
  codec?: string;
}

/** A refused field of a study, as the relay names it (`path` into the configuration). */
export interface FieldIssue {
  path: (string | number)[];
  message: string;
}

export class StudyApiError extends Error {
  override readonly name = 'StudyApiError';
  constructor(
    message: string,
    readonly status: number | null,
    /** Where the relay refused a study: each field's message. */
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
  }
}

/** The field issues of a refused study's reply (`{error, issues: [{path, message}]}`). */
export function fieldIssues(body: unknown): FieldIssue[] {
  if (typeof body !== 'object' || body === null || !('issues' in body) || !Array.isArray(body.issues)) return [];
  return (body.issues as unknown[]).flatMap((issue) => {
    if (typeof issue !== 'object' || issue === null || !('path' in issue) || !('message' in issue)) return [];
    const { path, message } = issue;
    if (!Array.isArray(path) || typeof message !== 'string') return [];
    return [{ path: path.filter((part): part is string | number => typeof part === 'string' || typeof part === 'number'), message }];
  });
}

/** The actions that make sense in a state (the relay refuses the others anyway). */
export function availableActions(state: StudyState): ControlAction[] {
  switch (state) {
    case 'open':
      return ['start', 'stop'];
    case 'training':
      return ['pause', 'stop'];
    case 'paused':
      return ['resume', 'stop'];
    case 'finished':
      return [];
  }
}

/** The relay's error text from a JSON body: `{error: "..."}` or `{error: {code, message}}`. */
export function relayErrorText(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error: unknown = body.error;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') return error.message;
  return undefined;
}

/** What went wrong and what to do, for a failed request (`what` completes "Could not …"). */
export function explainFailure(what: string, status: number, body: unknown): string {
  const relay = relayErrorText(body);
  if (status === 401 || status === 403) {
    return `Could not ${what}: this needs the researcher token. Paste the token the relay printed when it first started into “Researcher token” (it is kept in this browser tab only).`;
  }
  if (status === 404) return `Could not ${what}: the relay answered 404 (${relay ?? 'not found'}). The study may have been deleted, or this relay is older than the dashboard.`;
  if (status >= 500) return `Could not ${what}: the relay failed (${status}${relay ? `: ${relay}` : ''}). Try again; if it keeps failing, check the relay's log.`;
  return `Could not ${what}: ${relay ?? `the relay answered ${status}`}.`;
}

async function bodyOf(response: Response): Promise<unknown> {
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

export interface StudyApi {
  control(action: ControlAction): Promise<void>;
  change(change: StudyChange): Promise<void>;
  /** GETs a researcher-only file (export). */
  download(path: string): Promise<Blob>;
}

type Request = (what: string, path: string, init: RequestInit) => Promise<Response>;

/** A researcher's request to the relay's API: the token in the header, failures explained. */
function researcherRequest(token: string, fetchImpl: typeof fetch): Request {
  return async (what, path, init) => {
    if (token.trim() === '') throw new StudyApiError(explainFailure(what, 401, undefined), 401);
    let response: Response;
    try {
      response = await fetchImpl(`/api/studies${path}`, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token.trim()}` } });
    } catch (error) {
      throw new StudyApiError(`Could not ${what}: the relay could not be reached (${error instanceof Error ? error.message : String(error)}). Check the connection and try again.`, null);
    }
    if (!response.ok) {
      const body = await bodyOf(response);
      throw new StudyApiError(explainFailure(what, response.status, body), response.status, fieldIssues(body));
    }
    return response;
  };
}

/** A study as the relay lists it for its researcher (REST and the console's feed alike). */
export type ListedStudy = protocol.ConsoleStudy;

export interface ConsoleApi {
  /** Creates a study; a refusal carries the fields it concerns (StudyApiError.issues). */
  create(config: unknown): Promise<ListedStudy>;
  /** Revokes the study's join code and issues a new one; anyone who has not joined needs the new code. */
  reissueJoinCode(studyId: string): Promise<string>;
}

export function createConsoleApi(token: string, fetchImpl: typeof fetch = (input, init) => fetch(input, init)): ConsoleApi {
  const request = researcherRequest(token, fetchImpl);
  const json = { 'Content-Type': 'application/json' };
  return {
    async create(config) {
      return (await (await request('create the study', '', { method: 'POST', headers: json, body: JSON.stringify(config) })).json()) as ListedStudy;
    },
    async reissueJoinCode(studyId) {
      return ((await (await request('issue a new join code', `/${encodeURIComponent(studyId)}/join-code/revoke`, { method: 'POST' })).json()) as { joinCode: string }).joinCode;
    },
  };
}

export function createStudyApi(studyId: string, token: string, fetchImpl: typeof fetch = (input, init) => fetch(input, init)): StudyApi {
  const study = `/${encodeURIComponent(studyId)}`;
  const send = researcherRequest(token, fetchImpl);
  const request: Request = (what, path, init) => send(what, `${study}${path}`, init);
  return {
    async control(action) {
      await request(`${action} the study`, '/control', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ action }) });
    },
    async change(change) {
      await request('change the schedule or codec', '', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(change) });
    },
    async download(path) {
      const response = await request('download the server segment', path, { method: 'GET' });
      return response.blob();
    },
  };
}
