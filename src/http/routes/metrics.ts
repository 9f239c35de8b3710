import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../context.ts';
import { checkAdmin } from './admin-auth.ts';

/** `GET /metrics`: Prometheus exposition text (see `Metrics` for the names and labels). */
export function registerMetricsRoute(app: FastifyInstance, deps: HttpDeps): void {
  const cfg = deps.config.metrics;
  if (!cfg.enabled) return;
  app.get('/metrics', async (req, reply) => {
    if (cfg.requireAdminToken) checkAdmin(req, deps.config.adminToken);
    const text = await deps.metrics.text();
    return reply.type(deps.metrics.contentType).send(text);
  });
}
