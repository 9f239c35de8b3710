/**
 * Sends one batch item to the endpoint, retrying like the official SDK (see retry.ts), with a
 * per-attempt timeout. Two signals stop it: `stop` (first Ctrl-C: no new attempt, no retry
 * wait) and `abort` (end of the grace period or a second Ctrl-C: the attempt in flight is
 * abandoned). An item stopped either way is `interrupted`: it is not written and runs again
 * on the next run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { fetch } from 'undici';
import type { HeaderLookup } from './retry.ts';
import { retryDelayMs, shouldRetryStatus } from './retry.ts';
import type { BatchItem } from './types.ts';

export interface RequestContext {
  /** Base URL as the OpenAI SDK takes it: `/chat/completions` is appended to it. */
  baseUrl: string;
  key: string;
  timeoutMs: number;
  maxRetries: number;
  dispatcher: Dispatcher;
  stop: AbortSignal;
  abort: AbortSignal;
  userAgent: string;
  /** Called before each retry wait. */
  onRetry?: (item: BatchItem, reason: string) => void;
}

export type Outcome =
  | { kind: 'response'; status: number; requestId: string | null; headers: HeaderLookup; body: unknown; attempts: number }
  | { kind: 'error'; code: string; message: string; attempts: number }
  | { kind: 'interrupted' };

/** Joins the base URL and an input line's `/v1/...` url, the way the SDK joins its paths. */
export function endpointUrl(baseUrl: string, url: string): string {
  return baseUrl.replace(/\/+$/, '') + url.replace(/^\/v1(?=\/)/, '');
}

/** A short description of a fetch failure: the cause's code and message when there is one. */
export function describeFetchError(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause;
  if (cause?.message) return cause.code && !cause.message.includes(cause.code) ? `${cause.code}: ${cause.message}` : cause.message;
  return e?.message ?? String(err);
}

type Attempt =
  | { kind: 'answer'; status: number; headers: HeaderLookup; text: string }
  | { kind: 'failure'; code: 'timeout' | 'connection_error'; message: string }
  | { kind: 'interrupted' };

async function attempt(item: BatchItem, ctx: RequestContext, retryCount: number): Promise<Attempt> {
  const timeout = AbortSignal.timeout(ctx.timeoutMs);
  const signal = AbortSignal.any([timeout, ctx.abort]);
  try {
    const res = await fetch(endpointUrl(ctx.baseUrl, item.url), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ctx.key}`,
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': ctx.userAgent,
        'x-stainless-retry-count': String(retryCount),
      },
      body: JSON.stringify(item.body),
      signal,
      dispatcher: ctx.dispatcher,
    });
    const text = await res.text();
    return { kind: 'answer', status: res.status, headers: res.headers, text };
  } catch (err) {
    if (ctx.abort.aborted) return { kind: 'interrupted' };
    if (timeout.aborted) return { kind: 'failure', code: 'timeout', message: `no complete answer within ${ctx.timeoutMs} ms` };
    return { kind: 'failure', code: 'connection_error', message: describeFetchError(err) };
  }
}

function parseBody(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Runs one item to a final outcome (an answer, a failure after retries, or interrupted). */
export async function sendItem(item: BatchItem, ctx: RequestContext): Promise<Outcome> {
  for (let retries = 0; ; retries++) {
    if (ctx.stop.aborted) return { kind: 'interrupted' };
    const a = await attempt(item, ctx, retries);
    if (a.kind === 'interrupted') return a;
    const retryable = a.kind === 'failure' || shouldRetryStatus(a.status, a.headers);
    if (retryable && retries < ctx.maxRetries) {
      // Stopping: leave it for the next run rather than write a failure it may not deserve.
      if (ctx.stop.aborted) return { kind: 'interrupted' };
      ctx.onRetry?.(item, a.kind === 'failure' ? a.code : `HTTP ${a.status}`);
      try {
        await sleep(retryDelayMs(a.kind === 'answer' ? a.headers : undefined, retries), undefined, { signal: ctx.stop });
      } catch {
        return { kind: 'interrupted' };
      }
      continue;
    }
    const attempts = retries + 1;
    if (a.kind === 'failure') return { kind: 'error', code: a.code, message: a.message, attempts };
    const body = parseBody(a.text);
    const requestId = a.headers.get('x-request-id');
    if (a.status >= 200 && a.status < 300 && !body.ok) {
      // As the SDK: a 2xx whose body is not JSON is an error, not retried (it may have been billed).
      return { kind: 'error', code: 'invalid_response', message: `HTTP ${a.status} answer is not valid JSON: ${a.text.slice(0, 200)}`, attempts };
    }
    return { kind: 'response', status: a.status, requestId, headers: a.headers, body: body.ok ? body.value : a.text, attempts };
  }
}
