import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../../errors/index.ts';
import { EVENT_TYPES, fromEventRow } from '../../events/index.ts';
import type { EventQuery } from '../../store/types.ts';
import type { HttpDeps } from '../context.ts';

interface EventsQs {
  limit?: string;
  type?: string;
  account?: string;
  client?: string;
  since?: string;
}

function invalid(param: string, message: string): GatewayError {
  return new GatewayError('invalid_value', `${param}: ${message}`, { param });
}

/** The query of `GET /admin/events` as a store query; a bad value is a 400 naming the parameter. */
function eventQuery(q: EventsQs): EventQuery {
  for (const [param, v] of Object.entries(q)) if (typeof v !== 'string') throw invalid(param, 'give it once.');
  const limit = q.limit === undefined || q.limit === '' ? 100 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalid('limit', 'use a whole number from 1 to 1000.');
  if (q.type && !(EVENT_TYPES as readonly string[]).includes(q.type)) throw invalid('type', `one of ${EVENT_TYPES.join(', ')}.`);
  let since: number | undefined;
  if (q.since !== undefined && q.since !== '') {
    since = /^\d+$/.test(q.since) ? Number(q.since) : Date.parse(q.since);
    if (!Number.isFinite(since)) throw invalid('since', 'use an ISO date or epoch milliseconds.');
  }
  return { limit, type: q.type || undefined, account: q.account || undefined, client: q.client || undefined, since };
}

/**
 * `GET /admin/events`: newest first, from the durable store, so that it shows events from
 * before a restart and, on a shared PostgreSQL store, from every instance.
 */
export function registerEventRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: EventsQs }>('/events', async (req) => {
    const query = eventQuery(req.query);
    // Events this instance emitted a moment ago may still be on their way to the store.
    await deps.events.flush();
    const rows = await deps.store.events.list(query);
    return { object: 'list', data: rows.map(fromEventRow) };
  });
}
