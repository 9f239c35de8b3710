import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.ts';
import type { HttpDeps } from '../context.ts';
import { registerAccountRoutes } from './admin-accounts.ts';
import { registerKeyRoutes } from './admin-keys.ts';
import { registerUsageRoutes } from './admin-usage.ts';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Admin routes need `Authorization: Bearer <adminToken>`; without an adminToken in the config they are off. */
function checkAdmin(req: FastifyRequest, token: string | undefined): void {
  if (!token) throw new GatewayError('invalid_api_key', 'The admin API is disabled: set adminToken in the config.');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m || !sameSecret(m[1], token)) throw new GatewayError('invalid_api_key', 'Incorrect admin token.');
}

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
    };
  });

  app.get<{ Querystring: { limit?: string } }>('/events', async (req) => {
    const limit = Math.min(1000, Math.max(1, Number(req.query.limit ?? 100) || 100));
    return { object: 'list', data: deps.events.list(limit) };
  });

  registerKeyRoutes(app, deps);
  registerAccountRoutes(app, deps);
  registerUsageRoutes(app, deps);
}
