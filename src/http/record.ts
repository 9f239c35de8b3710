import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpDeps } from './context.ts';

/** The trace id of a W3C `traceparent` header (`00-<trace id>-<span id>-<flags>`), for the log line. */
function traceId(req: FastifyRequest): string | undefined {
  const tp = req.headers.traceparent;
  if (typeof tp !== 'string') return undefined;
  const m = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(tp.trim());
  return m ? m[1] : undefined;
}

/**
 * Writes the access-log line, the request's metrics and, for requests that reached the relay,
 * the ledger row (cost, budgets). Called once per request: by the onResponse hook, or at the
 * end of a stream. The line holds names, numbers and ids, never a key; the prompt only when
 * `server.logPrompts` is on.
 */
export function recordOutcome(req: FastifyRequest, reply: FastifyReply, deps: HttpDeps, status: number, stream?: string): void {
  if (req.recorded) return; // a hijacked (streamed) reply also ends in fastify's onResponse
  req.recorded = true;
  const f = req.facts;
  const client = req.client;
  const totalMs = reply.elapsedTime;
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
  f?.releaseBudget?.(); // charged now (or failed): its estimate no longer needs holding
  deps.metrics.observeHttp({
    client: client?.name ?? '',
    model: f?.model,
    endpoint: f?.endpoint,
    status,
    code: f?.error,
    priority: f?.priority,
    totalMs,
    queueMs: f?.queueMs,
    upstreamMs: f?.account ? f.upstreamMs : undefined,
    account: f?.account,
    ttftMs: f?.ttftMs,
    cache: f?.cache,
  });
  req.log.info(
    {
      // reqId comes from the request logger's own bindings (fastify's child logger).
      traceId: traceId(req),
      client: client?.name,
      endpoint: f?.endpoint,
      model: f?.model,
      account: f?.account,
      status,
      error: f?.error,
      attempts: f?.attempts,
      priority: f?.priority,
      queueMs: f?.queueMs,
      upstreamMs: f?.upstreamMs === undefined ? undefined : Math.round(f.upstreamMs),
      ttftMs: f?.ttftMs === undefined ? undefined : Math.round(f.ttftMs),
      totalMs: Math.round(totalMs),
      costUsd,
      cache: f?.cache,
      stream,
      policy: f?.policy,
      blocked: f?.blocked,
      prompt: f?.prompt,
    },
    'request',
  );
}
