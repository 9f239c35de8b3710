import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Priority } from '../config/index.ts';
import { RelayedUpstreamError } from '../errors/index.ts';
import { type ClientIdentity, moderate, type PolicyNotes, PromptRefused } from '../policy/index.ts';
import type { UpstreamCall } from '../providers/index.ts';
import type { HttpDeps } from './context.ts';

/**
 * Counts a prompt refused for its content — by the client's guardrails, its moderation
 * pre-check, or the upstream's safety system — in `sluice_content_policy_blocks_total`, and
 * notes it for the request's log line. Other errors pass untouched.
 */
export function noteRefusal(req: FastifyRequest, deps: HttpDeps, err: unknown): void {
  const client = req.client?.name ?? '';
  if (err instanceof PromptRefused) {
    deps.metrics.contentPolicyBlock(client, err.source);
    if (req.facts) req.facts.blocked = `${err.source}: ${err.rule}`;
  } else if (err instanceof RelayedUpstreamError && err.contentPolicy) {
    deps.metrics.contentPolicyBlock(client, 'upstream');
    if (req.facts) req.facts.blocked = 'upstream';
  }
}

/**
 * Runs the client's moderation pre-check on `call` (nothing when it has none for this
 * endpoint). Returns the milliseconds it took: they count against the request's wait. A client
 * that goes away aborts the check.
 */
export async function screenByModeration(req: FastifyRequest, reply: FastifyReply, deps: HttpDeps, call: UpstreamCall, priority: Priority, maxWaitMs: number): Promise<number> {
  const client = req.client as ClientIdentity;
  if (!client.guardrails?.moderation) return 0;
  const t0 = Date.now();
  const abort = new AbortController();
  const onClose = (): void => {
    if (!reply.raw.writableFinished) abort.abort();
  };
  reply.raw.once('close', onClose);
  try {
    await moderate(client, call, { requestId: req.id, priority, maxWaitMs, signal: abort.signal }, deps);
  } finally {
    reply.raw.off('close', onClose);
  }
  return Date.now() - t0;
}

/** `x-sluice-policy`: what the client's policy changed, e.g. `quality=medium, size=1024x1024`. */
export function policyHeader(notes: PolicyNotes): string {
  return Object.entries(notes)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}
