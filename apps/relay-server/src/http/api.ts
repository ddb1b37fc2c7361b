import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { protocol } from '@splitlearn/split-core';
import { metricsCsv } from '../dashboard/metrics_csv';
import type { DemoBooth } from '../studies/demo_studies';
import type { StudyRegistry } from '../studies/study_registry';
import { sendCsv } from './csv';
import { handleDemo } from './demo_route';
import { sendSegmentExport } from './export';
import { bearerToken, HttpError, readJson, readText, sendJson } from './json';

// The REST API: researchers create and control studies (researcher token), anyone with a
// study id may read its public state and metrics (read-only viewers).

/** A table of labels (patient id, label) for a study whose server holds them: one line per patient, so generous. */
const MAX_LABELS_BYTES = 32 * 1024 * 1024;

const ControlSchema = z.object({ action: z.enum(['start', 'pause', 'resume', 'stop']) });

export interface ApiContext {
  registry: StudyRegistry;
  verifyResearcher(token: string | undefined): boolean;
  /** The dashboard's view of a study's rounds (metrics.csv). */
  dashboard: { rounds(studyId: string): protocol.DashboardRound[] };
  /** The booth demo; absent when the relay runs with --no-demo. */
  demo?: DemoBooth | undefined;
}

function requireResearcher(request: IncomingMessage, context: ApiContext): void {
  if (!context.verifyResearcher(bearerToken(request))) {
    throw new HttpError(401, 'this needs the researcher token: send it as "Authorization: Bearer <token>" (it was printed when the relay first started)');
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
}

/** Handles /api/*; returns false when the path is not an API route. */
export async function handleApi(request: IncomingMessage, response: ServerResponse, context: ApiContext): Promise<boolean> {
  const url = new URL(request.url ?? '/', 'http://relay');
  if (!url.pathname.startsWith('/api/')) return false;
  const parts = url.pathname.split('/').filter(Boolean).slice(1);
  const method = request.method ?? 'GET';
  try {
    if (parts[0] === 'health' && method === 'GET') {
      sendJson(response, 200, { ok: true, studies: context.registry.list().length });
      return true;
    }
    if (parts[0] === 'join' && parts[1] && method === 'GET') {
      // What a join code leads to, for the contribute page before any data is committed.
      const study = context.registry.studyByJoinCode(decodeURIComponent(parts[1]));
      if (!study) sendJson(response, 404, { error: { code: 'unknown-study', message: 'no study has this join code (or it was revoked): check the code with the researcher' } });
      else sendJson(response, 200, { protocolVersion: protocol.PROTOCOL_VERSION, study: study.info() });
      return true;
    }
    if (parts[0] === 'demo' && !parts[1]) {
      await handleDemo(request, response, context.demo);
      return true;
    }
    if (parts[0] !== 'studies') throw new HttpError(404, `no API route ${method} ${url.pathname}`);
    const [, studyId, sub, subsub] = parts;
    if (!studyId) {
      if (method === 'GET') {
        requireResearcher(request, context);
        sendJson(response, 200, { studies: context.registry.list() });
        return true;
      }
      if (method === 'POST') {
        requireResearcher(request, context);
        const created = context.registry.create(await readJson(request));
        sendJson(response, 201, created);
        return true;
      }
      throw new HttpError(405, `${method} is not allowed on /api/studies`);
    }
    if (sub === 'export' && method === 'GET') {
      // Before the runtime lookup: a finished study is exported from storage after a restart.
      requireResearcher(request, context);
      await sendSegmentExport(response, context.registry, studyId, parts.slice(3));
      return true;
    }
    if (sub === 'metrics.csv' && method === 'GET') {
      // Read-only like /metrics, and from storage: a finished study's history stays downloadable.
      if (!context.registry.studyInfo(studyId)) throw new HttpError(404, `no study ${studyId}`);
      sendCsv(response, `study-${studyId}-metrics.csv`, metricsCsv(context.dashboard.rounds(studyId)));
      return true;
    }
    // Read-only routes answer from storage: a finished study stays readable after a restart,
    // when no runtime is loaded for it.
    if ((!sub || sub === 'metrics') && method === 'GET') {
      if (!context.registry.studyInfo(studyId)) throw new HttpError(404, `no study ${studyId}`);
      if (!sub) sendJson(response, 200, context.registry.publicInfo(studyId));
      else sendJson(response, 200, { metrics: context.registry.metrics(studyId) });
      return true;
    }
    const study = context.registry.get(studyId);
    if (!study) throw new HttpError(404, `no study ${studyId}`);
    if (!sub && method === 'PATCH') {
      requireResearcher(request, context);
      const change = protocol.StudyConfigChangeSchema.safeParse(await readJson(request));
      if (!change.success) throw new HttpError(400, `body must be {"schedule"?: "round-robin" | "splitfed-v1" | "splitfed-v2", "codec"?: "fp32" | "fp16" | "int8"}, at least one; only these change while a study runs (${describeIssues(change.error)})`);
      if (study.state === 'finished') throw new HttpError(409, 'the study is finished; its settings can no longer change');
      const config = context.registry.reconfigure(studyId, change.data);
      sendJson(response, 200, { config, appliesFromRound: study.nextRoundToStart });
      return true;
    }
    if (sub === 'control' && method === 'POST') {
      requireResearcher(request, context);
      const parsed = ControlSchema.safeParse(await readJson(request));
      if (!parsed.success) throw new HttpError(400, 'body must be {"action": "start" | "pause" | "resume" | "stop"}');
      sendJson(response, 200, { state: context.registry.control(studyId, parsed.data.action) });
      return true;
    }
    if (sub === 'labels' && !subsub && method === 'PUT') {
      // A vertical study whose server holds the labels: the researcher's CSV (text/csv) of
      // the study's id column and label column; ?idColumn= when the table names it differently.
      requireResearcher(request, context);
      const idColumn = url.searchParams.get('idColumn') ?? undefined;
      sendJson(response, 200, context.registry.setServerLabels(studyId, await readText(request, MAX_LABELS_BYTES), idColumn));
      return true;
    }
    if (sub === 'join-code' && subsub === 'revoke' && method === 'POST') {
      requireResearcher(request, context);
      sendJson(response, 200, { joinCode: context.registry.revokeJoinCode(studyId) });
      return true;
    }
    if (sub === 'join-code' && !subsub && method === 'GET') {
      requireResearcher(request, context);
      sendJson(response, 200, { joinCode: context.registry.joinCode(studyId) });
      return true;
    }
    throw new HttpError(404, `no API route ${method} ${url.pathname}`);
  } catch (error) {
    if (error instanceof HttpError) sendJson(response, error.status, { error: error.message });
    else if (error instanceof z.ZodError) sendJson(response, 400, { error: `invalid study: ${error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ')}` });
    else sendJson(response, 400, { error: error instanceof Error ? error.message : String(error) });
    return true;
  }
}
