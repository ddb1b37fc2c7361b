import type { FastifyInstance } from 'fastify';
import { SegmentHost } from '../segments/segment_host';
import type { StudyRegistry } from '../studies/study_registry';

/**
 * GET /api/health: for load balancers, monitoring and the tests; answers whatever the other
 * limits say. `segmentWorkers` counts the threads holding studies' server segments: it falls
 * back as studies stop or finish (each thread holds ~100 MB).
 */
export function healthRoutes(app: FastifyInstance, registry: StudyRegistry): void {
  app.get('/api/health', () => ({ ok: true, studies: registry.list().length, segmentWorkers: SegmentHost.alive }));
}
