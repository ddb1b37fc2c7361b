import type { IncomingMessage, ServerResponse } from 'node:http';
import { BoothRequestSchema, type DemoBooth } from '../studies/demo_studies';
import { HttpError, readJson, sendJson } from './json';

// POST /api/demo {hospitals: 2..16, schedule?} -> 201 {studyId, joinCode, config}: the
// conference booth's study. No token (the booth has no researcher), but it only ever creates
// a demo study on generated data, and each one finishes the previous one.

export async function handleDemo(request: IncomingMessage, response: ServerResponse, booth: DemoBooth | undefined): Promise<void> {
  if (!booth) throw new HttpError(404, 'the booth demo is off on this relay (it was started with --no-demo): restart it without --no-demo');
  if (request.method !== 'POST') throw new HttpError(405, `${request.method ?? ''} is not allowed on /api/demo: POST {"hospitals": 2..16, "schedule"?: ...}`);
  const parsed = BoothRequestSchema.safeParse(await readJson(request));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
    throw new HttpError(400, `body must be {"hospitals": 2..16, "schedule"?: "round-robin" | "splitfed-v1" | "splitfed-v2"} (${issues})`);
  }
  sendJson(response, 201, booth.start(parsed.data));
}
