import type { RequestOutcome } from '../accounting/index.ts';
import type { Priority } from '../config/index.ts';
import { GatewayError } from '../errors/index.ts';
import type { UpstreamCall } from '../providers/index.ts';
import type { Dispatched, DispatchRequest } from '../scheduler/index.ts';
import type { ClientIdentity } from './client-directory.ts';
import { moderationCall, moderationVerdict, PromptRefused } from './guardrails.ts';

/** What the moderation step needs: the scheduler to send the check, the ledger to record it. */
export interface ModerationDeps {
  scheduler: { dispatch(req: DispatchRequest): Promise<Dispatched> };
  accounting: { record(o: RequestOutcome): unknown };
}

/** The request the check is made for. */
export interface ModerationContext {
  requestId: string;
  priority: Priority;
  maxWaitMs: number;
  signal: AbortSignal;
}

/**
 * The moderation pre-check: when the client's guardrails ask for it on this endpoint, the
 * prompt goes to `/v1/moderations` through the pool — the client's groups, its priority, the
 * request's wait — before anything is paid for. A flagged prompt throws {@link PromptRefused}.
 * The check is one ledger row of its own for the client (same request id, endpoint
 * `moderations`; OpenAI does not charge for moderations, so it costs $0). It fails closed: a
 * prompt that could not be screened (no capacity, no account serving the moderation model) is
 * not sent, and the client gets that error.
 */
export async function moderate(client: ClientIdentity, call: UpstreamCall, ctx: ModerationContext, deps: ModerationDeps): Promise<void> {
  const mod = moderationCall(client.guardrails, call);
  if (!mod) return;
  const d = await deps.scheduler.dispatch({ call: mod, client, priority: ctx.priority, maxWaitMs: ctx.maxWaitMs, signal: ctx.signal, groups: client.groups });
  if (d.kind !== 'json') throw new GatewayError('upstream_bad_response', 'The moderation check answered with a stream.');
  deps.accounting.record({
    time: Date.now(),
    requestId: ctx.requestId,
    client: client.name,
    budget: client.budget,
    account: d.account,
    model: d.model,
    endpoint: 'moderations',
    status: d.status,
    attempts: d.attempts,
    queueMs: d.queueMs,
    upstreamMs: d.upstreamMs,
    cacheHit: false,
    usage: d.json.usage,
  });
  const verdict = moderationVerdict(d.json, client.guardrails?.moderation?.categories);
  if (verdict) throw new PromptRefused('moderation', verdict);
}
