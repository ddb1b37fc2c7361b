import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { protocol } from '@splitlearn/split-core';
import { metricsCsv } from '../dashboard/metrics_csv';
import type { StudyRegistry } from '../studies/study_registry';
import type { StudyRuntime } from '../studies/study_runtime';
import { jsonBody, textBody } from './body';
import { sendCsv } from './csv';
import { HttpError } from './errors';
import type { ResearcherGuard } from './researcher_auth';

// Studies over REST: researchers create and control them (researcher token); anyone with a
// study id may read its public state and metrics (read-only viewers).

/** A table of labels (patient id, label) for a study whose server holds them: one line per patient, so generous. */
const MAX_LABELS_BYTES = 32 * 1024 * 1024;

const ControlSchema = z.object({ action: z.enum(['start', 'pause', 'resume', 'stop']) });

type StudyParams = { Params: { studyId: string } };

export interface StudyRouteContext {
  registry: StudyRegistry;
  requireResearcher: ResearcherGuard;
  /** The dashboard's view of a study's rounds (metrics.csv). */
  dashboard: { rounds(studyId: string): protocol.DashboardRound[] };
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
}

export function studyRoutes(app: FastifyInstance, { registry, requireResearcher, dashboard }: StudyRouteContext): void {
  const researcher = { onRequest: requireResearcher };

  /** Read-only routes answer from storage: a finished study stays readable after a restart, when no runtime is loaded for it. */
  const storedStudy = (studyId: string): void => {
    if (!registry.studyInfo(studyId)) throw new HttpError(404, `no study ${studyId}`);
  };
  /** Routes that change a running study; a stored study without a runtime is a finished one. */
  const runningStudy = (studyId: string, whenFinished: string): StudyRuntime => {
    const study = registry.get(studyId);
    if (study) return study;
    storedStudy(studyId);
    throw new HttpError(409, registry.unrestoredReason(studyId) ?? whenFinished);
  };

  app.get('/api/studies', researcher, () => ({ studies: registry.list() }));

  app.post('/api/studies', researcher, async (request, reply) => reply.code(201).send(registry.create(jsonBody(request.body))));

  app.route({
    method: ['PUT', 'PATCH', 'DELETE'],
    url: '/api/studies',
    handler: (request) => {
      throw new HttpError(405, `${request.method} is not allowed on /api/studies`);
    },
  });

  app.get<StudyParams>('/api/studies/:studyId', (request) => {
    storedStudy(request.params.studyId);
    return registry.publicInfo(request.params.studyId);
  });

  app.get<StudyParams>('/api/studies/:studyId/metrics', (request) => {
    storedStudy(request.params.studyId);
    return { metrics: registry.metrics(request.params.studyId) };
  });

  app.get<StudyParams>('/api/studies/:studyId/metrics.csv', (request, reply) => {
    const { studyId } = request.params;
    storedStudy(studyId);
    return sendCsv(reply, `study-${studyId}-metrics.csv`, metricsCsv(dashboard.rounds(studyId)));
  });

  app.patch<StudyParams>('/api/studies/:studyId', researcher, (request) => {
    const study = runningStudy(request.params.studyId, 'the study is finished; its settings can no longer change');
    const change = protocol.StudyConfigChangeSchema.safeParse(jsonBody(request.body));
    if (!change.success) {
      throw new HttpError(400, `body must be {"schedule"?: "round-robin" | "splitfed-v1" | "splitfed-v2", "codec"?: "fp32" | "fp16" | "int8"}, at least one; only these change while a study runs (${describeIssues(change.error)})`);
    }
    if (study.state === 'finished') throw new HttpError(409, 'the study is finished; its settings can no longer change');
    const config = registry.reconfigure(study.id, change.data);
    return { config, appliesFromRound: study.nextRoundToStart };
  });

  app.post<StudyParams>('/api/studies/:studyId/control', researcher, (request) => {
    const parsed = ControlSchema.safeParse(jsonBody(request.body));
    if (!parsed.success) throw new HttpError(400, 'body must be {"action": "start" | "pause" | "resume" | "stop"}');
    // Stopping a finished study changes nothing, and says so.
    if (parsed.data.action === 'stop' && !registry.get(request.params.studyId) && !registry.unrestoredReason(request.params.studyId)) {
      storedStudy(request.params.studyId);
      return { state: 'finished' };
    }
    const study = runningStudy(request.params.studyId, 'the study is finished; create a new one to train again');
    return { state: registry.control(study.id, parsed.data.action) };
  });

  // A vertical study whose server holds the labels: the researcher's CSV (text/csv) of the
  // study's id column and label column; ?idColumn= when the table names it differently.
  app.put<StudyParams & { Querystring: { idColumn?: string } }>('/api/studies/:studyId/labels', { ...researcher, bodyLimit: MAX_LABELS_BYTES }, (request) => {
    const study = runningStudy(request.params.studyId, 'the study is finished; its labels are fixed');
    const idColumn = typeof request.query.idColumn === 'string' ? request.query.idColumn : undefined;
    return registry.setServerLabels(study.id, textBody(request.body), idColumn);
  });

  // Join codes live in storage: a finished study's can still be read and revoked.
  app.post<StudyParams>('/api/studies/:studyId/join-code/revoke', researcher, (request) => {
    storedStudy(request.params.studyId);
    return { joinCode: registry.revokeJoinCode(request.params.studyId) };
  });

  app.get<StudyParams>('/api/studies/:studyId/join-code', researcher, (request) => {
    storedStudy(request.params.studyId);
    return { joinCode: registry.joinCode(request.params.studyId) };
  });
}
