import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../context.ts';
import { registerAccountRoutes } from './admin-accounts.ts';
import { checkAdmin } from './admin-auth.ts';
import { registerEventRoutes } from './admin-events.ts';
import { registerKeyRoutes } from './admin-keys.ts';
import { registerUsageRoutes } from './admin-usage.ts';

/** `/admin/...`: the pool's live state, recent events, keys, accounts and usage reports. */
export function registerAdminRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.addHook('onRequest', async (req) => checkAdmin(req, deps.config.adminToken));

  app.get('/pool', async () => {
    const now = Date.now();
    const s = deps.scheduler.stats();
    return {
      accounts: deps.pool.list().map((a) => a.snapshot(now)),
      queue: s.queue,
      scheduler: { dispatched: s.dispatched, cpuMicrosPerRequest: s.cpuMicrosPerRequest },
      cache: deps.cache.stats(),
      cluster: deps.clusterStatus?.() ?? null,
    };
  });

  registerEventRoutes(app, deps);
  registerKeyRoutes(app, deps);
  registerAccountRoutes(app, deps);
  registerUsageRoutes(app, deps);
}
