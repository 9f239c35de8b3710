import type { FastifyRequest } from 'fastify';
import type { HttpDeps } from './context.ts';

/**
 * Writes the access-log line and, for requests that reached the relay, the ledger row (cost,
 * budgets). Called once per request: by the onResponse hook, or at the end of a stream.
 */
export function recordOutcome(req: FastifyRequest, deps: HttpDeps, status: number, stream?: string): void {
  if (req.recorded) return; // a hijacked (streamed) reply also ends in fastify's onResponse
  req.recorded = true;
  const f = req.facts;
  const client = req.client;
  let costUsd: number | undefined;
  if (f?.endpoint && client) {
    const row = deps.accounting.record({
      time: Date.now(),
      requestId: req.id,
      client: client.name,
      budget: client.budget,
      account: f.account ?? null,
      model: f.model ?? '',
      endpoint: f.endpoint,
      status,
      attempts: f.attempts ?? 0,
      queueMs: f.queueMs ?? 0,
      upstreamMs: f.upstreamMs ?? 0,
      cacheHit: f.cacheHit === true,
      usage: f.usage,
      estimateTokens: f.estimateTokens,
      request: f.request,
      images: f.images,
    });
    costUsd = row.costNanoUsd / 1e9;
  }
  req.log.info(
    {
      reqId: req.id,
      client: client?.name,
      model: f?.model,
      account: f?.account,
      status,
      attempts: f?.attempts,
      queueMs: f?.queueMs,
      upstreamMs: f?.upstreamMs === undefined ? undefined : Math.round(f.upstreamMs),
      costUsd,
      cache: f?.cacheHit ? 'hit' : undefined,
      stream,
    },
    'request',
  );
}
