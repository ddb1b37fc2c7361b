import type { FastifyInstance } from 'fastify';
import type { StudyRegistry } from '../studies/study_registry';

/** GET /api/health: for load balancers and the tests; answers whatever the other limits say. */
export function healthRoutes(app: FastifyInstance, registry: StudyRegistry): void {
  app.get('/api/health', () => ({ ok: true, studies: registry.list().length }));
}
