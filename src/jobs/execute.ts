import { randomUUID } from 'node:crypto';
import type { Accounting } from '../accounting/index.ts';
import { GatewayError } from '../errors/index.ts';
import { applyClientPolicy, type ClientDirectory, moderate, type PolicyDeps, retarget } from '../policy/index.ts';
import type { Scheduler } from '../scheduler/index.ts';
import { BATCH_ENDPOINTS } from './validate.ts';

/** One batch line's answer: the upstream's status and body (2xx, or a relayed 4xx). */
export interface LineAnswer {
  status: number;
  body: unknown;
  requestId: string;
}

export type ExecuteLine = (owner: string, endpoint: string, body: Record<string, unknown>, signal: AbortSignal) => Promise<LineAnswer>;

export interface ExecuteDeps {
  clients: ClientDirectory;
  policy: PolicyDeps;
  scheduler: Scheduler;
  accounting: Accounting;
  /** How long one line may wait for capacity before the attempt counts as failed. */
  maxWaitMs: number;
}

/**
 * Runs one batch line the way an interactive request runs — the owner's policy (models, budget,
 * image policy, guardrails and moderation, quota), its groups and fallbacks, the scheduler, the
 * ledger — but always at low priority, paced, so interactive traffic goes first and batches
 * fill the spare capacity.
 */
export function createLineExecutor(deps: ExecuteDeps): ExecuteLine {
  return async (owner, endpointUrl, body, signal) => {
    const client = deps.clients.byName(owner);
    if (!client) throw new GatewayError('invalid_api_key', `The key that created this batch (${owner}) no longer exists or is disabled.`);
    const endpoint = BATCH_ENDPOINTS[endpointUrl];
    const model = typeof body.model === 'string' ? body.model : '';
    const requestId = `req_${randomUUID().replaceAll('-', '')}`;
    const outcome = { time: Date.now(), requestId, client: owner, budget: client.budget, model, endpoint, cacheHit: false };
    const { call, need, fallbacks, release } = applyClientPolicy(client, { endpoint, model, json: body, stream: false }, deps.policy);
    try {
      await moderate(client, call, { requestId, priority: 'low', maxWaitMs: deps.maxWaitMs, signal }, deps);
      const others = fallbacks?.map((m) => retarget(call, m, client.imageResponseFormat));
      const d = await deps.scheduler.dispatch({ call, client, priority: 'low', maxWaitMs: deps.maxWaitMs, signal, need, groups: client.groups, fallbacks: others });
      if (d.kind !== 'json') throw new GatewayError('upstream_bad_response', 'A batch line got a stream.');
      deps.accounting.record({
        ...outcome,
        time: Date.now(),
        model: d.model,
        account: d.account,
        status: d.status,
        attempts: d.attempts,
        queueMs: d.queueMs,
        upstreamMs: d.upstreamMs,
        usage: d.json.usage,
        estimateTokens: need.tokens,
        request: endpoint.startsWith('images.') ? { n: body.n as number, size: body.size as string, quality: body.quality as string } : undefined,
        images: Array.isArray(d.json.data) && endpoint.startsWith('images.') ? d.json.data.length : undefined,
      });
      return { status: d.status, body: d.json, requestId };
    } catch (err) {
      if (err instanceof GatewayError) {
        deps.accounting.record({ ...outcome, time: Date.now(), account: null, status: err.status, attempts: 0, queueMs: 0, upstreamMs: 0 });
      }
      throw err;
    } finally {
      release?.(); // accounted above, or failed
    }
  };
}
