import type { FastifyInstance, FastifyReply } from 'fastify';
import { GatewayError } from '../../errors/index.ts';
import { USAGE_GROUPS, type UsageGroupBy, type UsageRow } from '../../store/types.ts';
import type { HttpDeps } from '../context.ts';

interface UsageQs {
  group_by?: string;
  from?: string;
  to?: string;
  client?: string;
  format?: string;
  limit?: string;
}

/** A time from the query: ISO date/time or epoch ms. */
function time(v: string | undefined, fallback: number, param: string): number {
  if (v === undefined || v === '') return fallback;
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new GatewayError('invalid_value', `${param}: use an ISO date or epoch milliseconds.`, { param });
  return t;
}

function range(q: UsageQs): { from: number; to: number; client?: string } {
  const now = Date.now();
  const startOfDay = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
  return { from: time(q.from, startOfDay, 'from'), to: time(q.to, now + 1, 'to'), client: q.client || undefined };
}

function csvCell(v: unknown): string {
  const s = String(v ?? '');
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Rows of objects as CSV with a header line. */
export function toCsv(rows: ReadonlyArray<Record<string, unknown>>): string {
  if (rows.length === 0) return '';
  const cols = Object.keys(rows[0]);
  return `${[cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\n')}\n`;
}

function send(reply: FastifyReply, format: string | undefined, name: string, rows: Array<Record<string, unknown>>) {
  if (format === 'csv') {
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(toCsv(rows));
  }
  return { object: 'list', data: rows };
}

function usd(nano: number): number {
  return Math.round(nano) / 1e9;
}

/** `/admin/usage`: totals grouped by client, model, account or day; `/admin/usage/rows`: the ledger itself. JSON or CSV. */
export function registerUsageRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get<{ Querystring: UsageQs }>('/usage', async (req, reply) => {
    const groupBy = (req.query.group_by ?? 'client') as UsageGroupBy;
    if (!USAGE_GROUPS.includes(groupBy)) throw new GatewayError('invalid_value', `group_by: one of ${USAGE_GROUPS.join(', ')}.`, { param: 'group_by' });
    await deps.accounting.ledger.flush();
    const groups = await deps.store.usage.report({ ...range(req.query), groupBy });
    const rows = groups.map(({ costNanoUsd, ...g }) => ({ [groupBy]: g.key, ...g, key: undefined, costUsd: usd(costNanoUsd) }));
    return send(reply, req.query.format, `usage-by-${groupBy}`, rows.map(({ key: _k, ...r }) => r));
  });

  app.get<{ Querystring: UsageQs }>('/usage/rows', async (req, reply) => {
    await deps.accounting.ledger.flush();
    const limit = Math.min(100_000, Math.max(1, Number(req.query.limit ?? 10_000) || 10_000));
    const rows = await deps.store.usage.rows({ ...range(req.query), limit });
    return send(
      reply,
      req.query.format,
      'usage-rows',
      rows.map(({ costNanoUsd, time, ...r }: UsageRow) => ({ time: new Date(time).toISOString(), ...r, costUsd: usd(costNanoUsd) })),
    );
  });
}
