import { ceilMs, goDuration } from './durations.ts';
import type { ApiStyle, Reply } from './errors.ts';
import { azureError, openaiError } from './errors.ts';
import type { AccountLimits, Refusal, WindowKind } from './limits.ts';

const ORG = 'org-sim';
const VISIT = 'Visit https://platform.openai.com/account/rate-limits to learn more.';

/** Where a 429 came from, to word it like the real service. */
export interface LimitContext {
  model: string;
  style: ApiStyle;
  /** Azure operation name, e.g. `ChatCompletions_Create`. */
  operation: string;
  apiVersion: string;
}

/** How OpenAI names each window in its messages. */
function label(refusal: Refusal): { text: string; type: 'requests' | 'tokens' } {
  const names: Record<WindowKind, string> = {
    rpm: 'requests per min (RPM)',
    rpd: 'requests per day (RPD)',
    tpm: 'tokens per min (TPM)',
    ipm: 'images per min (IPM)',
    burst: `requests per ${refusal.burstSeconds ?? 1}s (burst)`,
  };
  return { text: names[refusal.window], type: refusal.window === 'tpm' ? 'tokens' : 'requests' };
}

/** `retry-after` (integer seconds, rounded up) and `retry-after-ms`, as Azure sends them. */
export function retryHeaders(waitMs: number): Record<string, string> {
  const ms = Math.max(1, ceilMs(waitMs));
  return { 'retry-after': String(Math.ceil(ms / 1000)), 'retry-after-ms': String(ms) };
}

/** The 429 for a window without room (or a request larger than the window). */
export function windowRefusal(refusal: Refusal, ctx: LimitContext): Reply {
  const { text, type } = label(refusal);
  if (refusal.kind === 'too-large') {
    const message = `Request too large for ${ctx.model} in organization ${ORG} on ${text}: Limit ${refusal.limit}, Requested ${refusal.requested}. The input or output tokens must be reduced in order to run successfully. ${VISIT}`;
    return ctx.style === 'azure' ? azureError(429, '429', message) : openaiError(429, message, type, 'rate_limit_exceeded');
  }
  const ms = Math.max(1, ceilMs(refusal.waitMs));
  const reply =
    ctx.style === 'azure'
      ? azure429(ctx, refusal.window === 'tpm' ? 'token' : 'call', ms)
      : openaiError(429, `Rate limit reached for ${ctx.model} in organization ${ORG} on ${text}: Limit ${refusal.limit}, Used ${refusal.used}, Requested ${refusal.requested}. Please try again in ${goDuration(ms)}. ${VISIT}`, type, 'rate_limit_exceeded');
  reply.headers = retryHeaders(ms);
  return reply;
}

/** The 429 for a request beyond the account's concurrency cap. */
export function concurrencyRefusal(limit: number, waitMs: number, ctx: LimitContext): Reply {
  const ms = Math.max(1, ceilMs(waitMs));
  const reply =
    ctx.style === 'azure'
      ? azure429(ctx, 'concurrent request', ms)
      : openaiError(429, `Too many concurrent requests for ${ctx.model} in organization ${ORG}: Limit ${limit}. Please try again in ${goDuration(ms)}. ${VISIT}`, 'requests', 'rate_limit_exceeded');
  reply.headers = retryHeaders(ms);
  return reply;
}

/** The fake 429 of a storm: worded like an RPM refusal, though the account has room. */
export function stormRefusal(rpm: number | undefined, waitMs: number, ctx: LimitContext): Reply {
  const limit = rpm ?? 60;
  const refusal: Refusal = { kind: 'window', window: 'rpm', limit, used: limit, requested: 1, waitMs };
  return windowRefusal(refusal, ctx);
}

function azure429(ctx: LimitContext, what: string, ms: number): Reply {
  const seconds = Math.ceil(ms / 1000);
  const message = `Requests to the ${ctx.operation} Operation under Azure OpenAI API version ${ctx.apiVersion} have exceeded ${what} rate limit of your current OpenAI S0 pricing tier. Please retry after ${seconds} second${seconds === 1 ? '' : 's'}. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.`;
  return azureError(429, '429', message);
}

/**
 * The `x-ratelimit-*` headers of an answer. OpenAI style: limit/remaining/reset for requests
 * (the rpm window, or ipm for image endpoints without rpm) and tokens (tpm); a pair is left
 * out when its limit is unset. Azure style: only the two `remaining` headers.
 */
export function rateLimitHeaders(limits: AccountLimits, model: string, imageEndpoint: boolean, style: ApiStyle, now: number): Record<string, string> {
  const out: Record<string, string> = {};
  const requests = limits.snapshot(model, 'rpm', now) ?? (imageEndpoint ? limits.snapshot(model, 'ipm', now) : undefined);
  const tokens = limits.snapshot(model, 'tpm', now);
  for (const [name, snap] of [['requests', requests], ['tokens', tokens]] as const) {
    if (!snap) continue;
    out[`x-ratelimit-remaining-${name}`] = String(snap.remaining);
    if (style === 'azure') continue;
    out[`x-ratelimit-limit-${name}`] = String(snap.limit);
    out[`x-ratelimit-reset-${name}`] = goDuration(ceilMs(snap.resetMs));
  }
  return out;
}
