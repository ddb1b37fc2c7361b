import { z } from 'zod';
import { SCHEDULE_NAMES, TOPOLOGY_NAMES, type ScheduleName, type TopologyName } from '@splitlearn/split-core/pure';
import type { WorkerError } from '../../worker/messages';

// The relay's booth-demo route. No token: it only ever creates the demo study (on the
// generated dataset, already training, waiting for `hospitals` clients), and creating one
// deletes the previous booth study.
//   POST /api/demo {hospitals: 2..16, schedule?}  ->  201 {studyId, joinCode, config}
//                                                     404 unless the relay runs with --demo

export const DEMO_PATH = '/api/demo';

/** The booth offers every schedule split-core has. */
export const DEMO_SCHEDULES = SCHEDULE_NAMES;
export type DemoSchedule = ScheduleName;

const count = z.number().int().nonnegative();

/** The part of the demo study's configuration the page shows; unknown fields pass through. */
const DemoStudySchema = z.object({
  studyId: z.string().min(1).max(128),
  joinCode: z.string().min(1).max(64),
  config: z.looseObject({
    name: z.string(),
    model: z.string(),
    topology: z.enum(TOPOLOGY_NAMES as [TopologyName, ...TopologyName[]]),
    schedule: z.string(),
    rounds: count,
    batchSize: count,
    minClients: count.optional(),
    maxStepsPerRound: count.optional(),
  }),
});
export type DemoStudy = z.infer<typeof DemoStudySchema>;

const ErrorReplySchema = z.object({ error: z.union([z.string(), z.object({ message: z.string() })]) });

export type DemoStartResult = { ok: true; study: DemoStudy } | { ok: false; error: WorkerError };

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

async function readJson(response: Response): Promise<unknown> {
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

export async function startDemoStudy(request: { hospitals: number; schedule?: DemoSchedule }, origin: string, fetchImpl: Fetch = fetch): Promise<DemoStartResult> {
  let response: Response;
  try {
    response = await fetchImpl(`${origin}${DEMO_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(request) });
  } catch (error) {
    return { ok: false, error: { code: 'relay-unreachable', message: `no answer from ${origin} (${error instanceof Error ? error.message : String(error)}): is the relay running (npm start)?` } };
  }
  const body = await readJson(response);
  if (response.ok) {
    const parsed = DemoStudySchema.safeParse(body);
    if (parsed.success) return { ok: true, study: parsed.data };
    return { ok: false, error: { code: 'protocol-mismatch', message: `the relay described the demo study in a form this page does not understand (${z.prettifyError(parsed.error)})` } };
  }
  if (response.status === 404) {
    return { ok: false, error: { code: 'relay-error', message: 'this relay runs without the booth demo: restart it with `npm start -- --demo`' } };
  }
  const relayError = ErrorReplySchema.safeParse(body);
  const detail = relayError.success ? (typeof relayError.data.error === 'string' ? relayError.data.error : relayError.data.error.message) : `${response.status} ${response.statusText}`;
  return { ok: false, error: { code: 'relay-error', message: `the relay could not start the demo: ${detail}` } };
}
