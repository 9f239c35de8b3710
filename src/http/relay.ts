import { once } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { stripUsageChunk, withStreamUsage } from '../accounting/index.ts';
import { GatewayError } from '../errors/index.ts';
import { applyClientPolicy } from '../policy/index.ts';
import type { UpstreamCall } from '../providers/index.ts';
import type { Dispatched, DispatchedStream } from '../scheduler/index.ts';
import type { HttpDeps } from './context.ts';
import { recordOutcome } from './record.ts';
import { requestMaxWait, requestPriority } from './sluice-headers.ts';

/** Request headers passed through to upstreams (W3C trace context). */
const PASS_HEADERS = ['traceparent', 'tracestate'] as const;

export function passHeaders(req: FastifyRequest): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const h of PASS_HEADERS) {
    const v = req.headers[h];
    if (typeof v === 'string') (out ??= {})[h] = v;
  }
  return out;
}

function sluiceHeaders(req: FastifyRequest, d: Dispatched): Record<string, string> {
  return {
    'x-request-id': req.id,
    'x-sluice-account': d.account,
    'x-sluice-queue-ms': String(d.queueMs),
    'x-sluice-attempts': String(d.attempts),
  };
}

function imageParams(call: UpstreamCall): { n?: number; size?: string; quality?: string } | undefined {
  if (!call.endpoint.startsWith('images.')) return undefined;
  const f: Record<string, unknown> = call.json ?? Object.fromEntries((call.form ?? []).flatMap((p) => ('value' in p ? [[p.name, p.value]] : [])));
  return { n: f.n === undefined ? undefined : Number(f.n), size: f.size as string | undefined, quality: f.quality as string | undefined };
}

/**
 * Runs one call through the client's policy and the scheduler and answers the client: JSON as
 * one body, streams chunk by chunk as they arrive. A client that goes away aborts the upstream
 * call. What happened is recorded (ledger, budgets) once the answer is out.
 */
export async function relay(req: FastifyRequest, reply: FastifyReply, deps: HttpDeps, asked: UpstreamCall): Promise<void> {
  const client = req.client;
  if (!client) throw new GatewayError('invalid_api_key', 'Incorrect API key provided.');
  const priority = requestPriority(req, client.priority);
  const maxWaitMs = requestMaxWait(req, asked.endpoint, deps.config.scheduler);
  req.facts = { model: asked.model, endpoint: asked.endpoint, request: imageParams(asked) };
  const policy = applyClientPolicy(client, asked, deps.policy);
  const { call, strip } = withStreamUsage(policy.call);
  req.facts.estimateTokens = policy.need.tokens;
  const abort = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  const d = await deps.scheduler.dispatch({ call, client, priority, maxWaitMs, signal: abort.signal, need: policy.need });
  Object.assign(req.facts, { account: d.account, attempts: d.attempts, queueMs: d.queueMs, upstreamMs: d.upstreamMs });
  if (d.kind === 'json') {
    req.facts.usage = d.json.usage;
    req.facts.images = Array.isArray(d.json.data) && call.endpoint.startsWith('images.') ? d.json.data.length : undefined;
    await reply.code(d.status).headers(sluiceHeaders(req, d)).type('application/json').send(d.raw);
    return;
  }
  await pipeStream(req, reply, d, abort.signal, strip, deps);
}

/** An SSE event in the shape the OpenAI SDKs raise as an error when a stream breaks. */
const BROKEN_STREAM_EVENT = `data: ${JSON.stringify({
  error: { message: 'The upstream stream was interrupted.', type: 'server_error', param: null, code: 'upstream_error' },
})}\n\n`;

async function pipeStream(req: FastifyRequest, reply: FastifyReply, d: DispatchedStream, signal: AbortSignal, strip: boolean, deps: HttpDeps): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(d.status, {
    'content-type': String(d.headers['content-type'] ?? 'text/event-stream; charset=utf-8'),
    'cache-control': 'no-cache',
    ...sluiceHeaders(req, d),
  });
  let outcome = 'completed';
  try {
    for await (const raw of d.body) {
      d.usage.observe(raw as Buffer);
      const chunk = strip ? stripUsageChunk(raw as Buffer) : raw;
      if (chunk.length > 0 && !res.write(chunk)) await once(res, 'drain', { signal });
    }
    res.end();
  } catch {
    outcome = signal.aborted ? 'client_aborted' : 'upstream_broken';
    if (!signal.aborted && !res.destroyed) res.end(BROKEN_STREAM_EVENT);
    d.body.destroy();
  } finally {
    d.finish({ broken: outcome === 'upstream_broken', aborted: outcome === 'client_aborted' });
    if (req.facts) req.facts.usage = d.usage.usage;
    recordOutcome(req, deps, d.status, outcome);
  }
}
