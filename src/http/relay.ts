import { once } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { stripUsageChunk, withStreamUsage } from '../accounting/index.ts';
import { GatewayError } from '../errors/index.ts';
import { applyClientPolicy, retarget } from '../policy/index.ts';
import type { Priority } from '../config/index.ts';
import { type CachedAnswer, cacheDecision } from '../cache/index.ts';
import type { ClientIdentity } from '../policy/index.ts';
import type { Need } from '../pool/index.ts';
import { callFields, type UpstreamCall } from '../providers/index.ts';
import type { Dispatched, DispatchedStream } from '../scheduler/index.ts';
import { noteRefusal, policyHeader, screenByModeration } from './content-policy.ts';
import type { HttpDeps, RequestFacts } from './context.ts';
import { type DeliveryPlan, deliverImages, planImageDelivery } from './image-delivery.ts';
import { promptText } from './prompt-text.ts';
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
    // The public model that served: the one asked for, or the client's fallback.
    'x-sluice-model': d.model,
    ...(req.facts?.policy ? { 'x-sluice-policy': req.facts.policy } : {}),
  };
}

function imageParams(call: UpstreamCall): { n?: number; size?: string; quality?: string } | undefined {
  if (!call.endpoint.startsWith('images.')) return undefined;
  const f = callFields(call);
  return { n: f.n === undefined ? undefined : Number(f.n), size: f.size as string | undefined, quality: f.quality as string | undefined };
}

/**
 * Runs one call through the client's policy, the response cache and the scheduler, and answers
 * the client: JSON as one body, streams chunk by chunk as they arrive. A client that goes away
 * aborts the upstream call. What happened is recorded (ledger, budgets) once the answer is out.
 */
export async function relay(req: FastifyRequest, reply: FastifyReply, deps: HttpDeps, asked: UpstreamCall): Promise<void> {
  try {
    await relayCall(req, reply, deps, asked);
  } catch (err) {
    noteRefusal(req, deps, err);
    throw err;
  }
}

async function relayCall(req: FastifyRequest, reply: FastifyReply, deps: HttpDeps, asked: UpstreamCall): Promise<void> {
  const client = req.client;
  if (!client) throw new GatewayError('invalid_api_key', 'Incorrect API key provided.');
  req.facts = { model: asked.model, endpoint: asked.endpoint, request: imageParams(asked) };
  const policy = applyClientPolicy(client, asked, deps.policy);
  // Accounting ends the hold (recordOutcome); the close of the response, however it ends, is the backstop.
  if (policy.release) {
    req.facts.releaseBudget = policy.release;
    reply.raw.once('close', policy.release);
  }
  req.facts.estimateTokens = policy.need.tokens;
  req.facts.request = imageParams(policy.call);
  if (policy.notes) req.facts.policy = policyHeader(policy.notes);
  const plan = planImageDelivery(client, policy.call);
  const fallbacks = policy.fallbacks?.map((m) => planImageDelivery(client, retarget(policy.call, m, client.imageResponseFormat)));
  const priority = requestPriority(req, client.priority);
  const maxWaitMs = requestMaxWait(req, asked.endpoint, deps.config.scheduler);
  const screenedMs = await screenByModeration(req, reply, deps, policy.call, priority, maxWaitMs);
  const job: Forward = { plan, need: policy.need, priority, maxWaitMs: Math.max(0, maxWaitMs - screenedMs), fallbacks };
  req.facts.priority = job.priority;
  if (deps.config.server.logPrompts) req.facts.prompt = promptText(policy.call);
  const decision = cacheDecision({
    call: plan.call,
    clientOptIn: client.cache,
    defaultOn: deps.config.cache.defaultOn,
    headerOff: String(req.headers['x-sluice-cache'] ?? '').toLowerCase() === 'off',
    normalize: client.normalizePrompts,
  });
  if (!decision.use) {
    req.facts.cache = 'bypass';
    reply.header('x-sluice-cache', 'bypass');
    await forward(req, reply, deps, job);
    return;
  }
  // Scoped to the client: tenants never see each other's answers (nor learn, from a hit's
  // timing, what another tenant asked). Stream and non-stream answers are different bytes.
  const key = `${client.name}:${decision.key}:${plan.call.stream ? 'sse' : 'json'}`;
  const hit = await deps.cache.get(key);
  if (hit) return serveCached(req, reply, deps, plan, hit, 'hit');
  const { answer, shared } = await deps.cache.coalesce(key, () => forward(req, reply, deps, job));
  if (!shared) return;
  if (answer) return serveCached(req, reply, deps, plan, answer, 'coalesced');
  reply.header('x-sluice-cache', 'miss');
  await forward(req, reply, deps, job);
}

interface Forward {
  plan: DeliveryPlan;
  need: Need;
  priority: Priority;
  maxWaitMs: number;
  /** The plans of the client's fallback models for this call, in order. */
  fallbacks: DeliveryPlan[] | undefined;
}

/** Sends the call upstream through the scheduler and answers; returns what may be cached (a 2xx answer, whole). */
async function forward(req: FastifyRequest, reply: FastifyReply, deps: HttpDeps, job: Forward): Promise<CachedAnswer | undefined> {
  const client = req.client as ClientIdentity;
  const { call, strip } = withStreamUsage(job.plan.call);
  const abort = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  const fallbacks = job.fallbacks?.map((p) => withStreamUsage(p.call).call);
  const d = await deps.scheduler.dispatch({ call, client, priority: job.priority, maxWaitMs: job.maxWaitMs, signal: abort.signal, need: job.need, groups: client.groups, fallbacks });
  const facts = req.facts as RequestFacts;
  Object.assign(facts, { account: d.account, attempts: d.attempts, queueMs: d.queueMs, upstreamMs: d.upstreamMs, model: d.model });
  // A fallback's answer is delivered by its own plan, and never cached: the cache key is the
  // request for the model asked for, which a later request may well get.
  const primary = d.model === call.model;
  const plan = primary ? job.plan : (job.fallbacks?.find((p) => p.call.model === d.model) ?? job.plan);
  if (!primary) facts.request = imageParams(plan.call);
  if (!reply.hasHeader('x-sluice-cache')) reply.header('x-sluice-cache', 'miss');
  facts.cache ??= 'miss';
  if (d.kind === 'json') {
    facts.usage = d.json.usage;
    facts.images = Array.isArray(d.json.data) && call.endpoint.startsWith('images.') ? d.json.data.length : undefined;
    const body = (await deliverImages(req, plan, d.json, deps.delivery)) ?? d.raw;
    await reply.code(d.status).headers(sluiceHeaders(req, d)).type('application/json').send(body);
    return d.status < 300 && primary ? { status: d.status, contentType: 'application/json', body: d.raw, storedAt: Date.now(), model: d.model } : undefined;
  }
  const sse = await pipeStream(req, reply, d, abort.signal, strip, deps);
  return sse && primary ? { status: d.status, contentType: 'text/event-stream; charset=utf-8', body: sse, storedAt: Date.now(), model: d.model } : undefined;
}

/** Answers from the cache: no account touched, $0 in the ledger, `x-sluice-cache: hit`. */
async function serveCached(req: FastifyRequest, reply: FastifyReply, deps: HttpDeps, plan: DeliveryPlan, hit: CachedAnswer, how: 'hit' | 'coalesced'): Promise<void> {
  const facts = req.facts as RequestFacts;
  Object.assign(facts, { cacheHit: true, cache: how, attempts: 0, queueMs: 0, upstreamMs: 0 });
  reply.headers({ 'x-request-id': req.id, 'x-sluice-cache': how, 'x-sluice-queue-ms': '0', 'x-sluice-attempts': '0', 'x-sluice-model': hit.model });
  if (facts.policy) reply.header('x-sluice-policy', facts.policy);
  if (hit.contentType.startsWith('text/event-stream')) {
    await reply.code(hit.status).header('cache-control', 'no-cache').type(hit.contentType).send(hit.body);
    return;
  }
  const json = JSON.parse(hit.body.toString('utf8')) as Record<string, unknown>;
  facts.images = Array.isArray(json.data) && plan.call.endpoint.startsWith('images.') ? json.data.length : undefined;
  const body = (await deliverImages(req, plan, json, deps.delivery)) ?? hit.body;
  await reply.code(hit.status).type(hit.contentType).send(body);
}

/** An SSE event in the shape the OpenAI SDKs raise as an error when a stream breaks. */
const BROKEN_STREAM_EVENT = `data: ${JSON.stringify({
  error: { message: 'The upstream stream was interrupted.', type: 'server_error', param: null, code: 'upstream_error' },
})}\n\n`;

/** Relays a stream; returns every byte the client got when it completed (for the cache). */
async function pipeStream(req: FastifyRequest, reply: FastifyReply, d: DispatchedStream, signal: AbortSignal, strip: boolean, deps: HttpDeps): Promise<Buffer | undefined> {
  reply.hijack();
  const sent: Buffer[] = [];
  const res = reply.raw;
  res.writeHead(d.status, {
    'content-type': String(d.headers['content-type'] ?? 'text/event-stream; charset=utf-8'),
    'cache-control': 'no-cache',
    ...sluiceHeaders(req, d),
    'x-sluice-cache': String(reply.getHeader('x-sluice-cache') ?? 'miss'),
  });
  let outcome = 'completed';
  try {
    for await (const raw of d.body) {
      d.usage.observe(raw as Buffer);
      const chunk = strip ? stripUsageChunk(raw as Buffer) : (raw as Buffer);
      sent.push(chunk);
      if (req.facts && req.facts.ttftMs === undefined && chunk.length > 0) req.facts.ttftMs = reply.elapsedTime;
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
    recordOutcome(req, reply, deps, d.status, outcome);
  }
  return outcome === 'completed' ? Buffer.concat(sent) : undefined;
}
