import type { FastifyInstance } from 'fastify';
import { artifacts, backends, model } from '@splitlearn/split-core';
import type { MetricRecord } from '../storage/metrics';
import type { StudyRegistry } from '../studies/study_registry';
import { HttpError } from './errors';
import type { ResearcherGuard } from './researcher_auth';

// The researcher's copy of the trained server segment, in the tfjs layers format, served so
// that tf.loadLayersModel(`${relay}/api/studies/${id}/export/server/model.json`,
// { requestInit: { headers: { Authorization: 'Bearer ...' } } }) loads it directly:
//
//   GET /api/studies/:id/export/server/model.json          the best round's segment (the
//                                                           study's best-round metric; the
//                                                           latest before any validation)
//   GET /api/studies/:id/export/server/model.json?round=latest   the latest checkpoint's
//   GET /api/studies/:id/export/server/weights-round<N>.bin  its weights (N from model.json)
//
// The weights file names the checkpoint's round, so a round finishing between the two
// requests cannot pair one round's model.json with the next round's weights. Client
// segments are not served: they belong to the clients, which export their own.

const MODEL_JSON = 'model.json';

const WEIGHTS_FILE = /^weights-round(0|[1-9][0-9]{0,15})\.bin$/;

const weightsFileOf = (round: number): string => `weights-round${round}.bin`;

// The relay's main thread runs no model, but rebuilding one to serialize needs a tfjs
// backend: wasm, as in the segment workers (the cpu backend would print tfjs's "install
// tfjs-node" banner into the relay's log on first use).
let backendReady: Promise<unknown> | undefined;

/** The study's pooled validation after the checkpoint's last round, when it was recorded; whether it is the best round, and its operating point. */
function validationOf(records: readonly MetricRecord[], trainedRounds: number, best: ReturnType<StudyRegistry['bestRound']>): artifacts.SegmentMetadata['validation'] {
  const row = records.find((record) => record.phase === 'val' && record.participantId === null && record.round === trainedRounds - 1);
  const { accuracy, loss, auc, count, weights, operatingPoint } = row?.metrics ?? {};
  if (!row || typeof accuracy !== 'number' || typeof count !== 'number') return undefined;
  const point = operatingPoint as { threshold: number; sensitivity: number; specificity: number; balancedAccuracy: number } | undefined;
  return {
    round: row.round,
    accuracy,
    loss: loss ?? null,
    auc: auc ?? null,
    count,
    ...(weights ? { weights } : {}),
    ...(best ? { best: best.round === row.round, metric: best.metric } : {}),
    ...(point ? { operatingPoint: { threshold: point.threshold, sensitivity: point.sensitivity, specificity: point.specificity, balancedAccuracy: point.balancedAccuracy } } : {}),
  };
}

function route(studyId: string): string {
  return `/api/studies/${studyId}/export/server/${MODEL_JSON}`;
}

/** The server segment's files: model.json (of the best round, or the latest with `which`), or the weights of the checkpoint it names. */
async function segmentExport(registry: StudyRegistry, studyId: string, rest: readonly string[], which: 'best' | 'latest'): Promise<{ modelJson: unknown } | { weights: Uint8Array }> {
  const [segment, file, ...extra] = rest;
  const round = file === undefined ? undefined : WEIGHTS_FILE.exec(file)?.[1];
  if (segment !== 'server' || extra.length > 0 || (file !== MODEL_JSON && round === undefined)) {
    throw new HttpError(404, `no such export: the server segment is at ${route(studyId)} (client segments stay with the clients, which export their own)`);
  }
  const stored = await registry.checkpointOf(studyId, round === undefined ? which : Number(round));
  if (!stored) throw new HttpError(404, `no study ${studyId}`);
  const { checkpoint } = stored;
  if (!checkpoint) {
    throw new HttpError(
      404,
      round === undefined
        ? `study ${studyId} has no checkpoint yet: the server segment can be exported once its first round is done`
        : `there is no round-${round} checkpoint (the relay keeps the last few): fetch ${route(studyId)} again`,
    );
  }
  const weights = [...checkpoint.blobs.keys()]
    .filter((name) => name.startsWith('server-segment'))
    .sort()
    .map((name) => model.decodeWeights(checkpoint.blobs.get(name) as Uint8Array));
  backendReady ??= backends.initBackend('wasm');
  await backendReady;
  const [files] = await artifacts.roleSegmentFiles({
    study: { id: studyId, config: stored.config },
    role: 'server',
    weights,
    trainedRounds: checkpoint.round,
    validation: validationOf(registry.metrics(studyId), checkpoint.round, stored.best),
    weightsFile: () => weightsFileOf(checkpoint.round),
  });
  // Every horizontal topology the relay runs (vanilla, U-shaped) has one server segment.
  if (!files) throw new HttpError(500, `study ${studyId}'s checkpoint holds no server segment`);
  return file === MODEL_JSON ? { modelJson: files.modelJson } : { weights: files.weightData };
}

/** GET /api/studies/:id/export/<rest>, researcher only; from storage, so a finished study exports after a restart too. */
export function exportRoutes(app: FastifyInstance, registry: StudyRegistry, requireResearcher: ResearcherGuard): void {
  app.get<{ Params: { studyId: string; '*': string }; Querystring: { round?: string } }>('/api/studies/:studyId/export/*', { onRequest: requireResearcher }, async (request, reply) => {
    const { studyId, '*': rest } = request.params;
    const which = request.query.round ?? 'best';
    if (which !== 'best' && which !== 'latest') throw new HttpError(400, `round=${which}: ask for round=best (the default: the round of the best validation) or round=latest`);
    const exported = await segmentExport(registry, studyId, rest.split('/').filter(Boolean), which);
    void reply.header('cache-control', 'no-store');
    if ('modelJson' in exported) return exported.modelJson;
    return reply.type('application/octet-stream').send(Buffer.from(exported.weights.buffer, exported.weights.byteOffset, exported.weights.byteLength));
  });
}
