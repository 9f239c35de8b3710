import { GatewayError, RelayedUpstreamError } from '../errors/index.ts';
import type { AccountPool, AttemptFailure, Lease } from '../pool/index.ts';
import { TransportError, type UpstreamCall, type UpstreamFailure } from '../providers/index.ts';
import { reportedTokens } from './estimate.ts';
import { readBody } from './read-body.ts';
import type { DispatchedJson, DispatchedStream } from './types.ts';
import { StreamUsageTap } from './stream-usage.ts';

type Answer = Omit<DispatchedJson, 'attempts' | 'queueMs'> | Omit<DispatchedStream, 'attempts' | 'queueMs'>;

/** How one try on one account ended. */
export type Attempt =
  | { ok: true; dispatched: Answer }
  | { ok: false; error: GatewayError; retry: boolean; countsAsFailure: boolean };

function retryable(error: GatewayError, countsAsFailure = true): Attempt {
  return { ok: false, error, retry: true, countsAsFailure };
}

/**
 * One try on one leased account: send, classify, report the outcome to the lease (which is how
 * the pool learns limits and tracks health), and free the slot once the answer is read.
 */
export async function runAttempt(pool: AccountPool, lease: Lease, call: UpstreamCall, signal: AbortSignal, timeScale: number): Promise<Attempt> {
  const t0 = performance.now();
  const elapsed = (): number => performance.now() - t0;
  const base = { account: lease.account.name, model: call.model };
  try {
    const res = await pool.send(lease, call, signal);
    if (res.status >= 400) {
      const text = (res.raw ?? (await readBody(res.body))).toString('utf8');
      lease.release();
      const f = lease.account.adapter.classifyFailure(res.status, res.headers, text, lease.account.config);
      return fromFailure(f, lease, elapsed(), res.headers, timeScale);
    }
    if (res.body) {
      lease.succeeded(res.headers, elapsed());
      const usage = new StreamUsageTap();
      const finish = ({ broken, aborted }: { broken: boolean; aborted: boolean }): void => {
        lease.reconcile(usage.tokens);
        if (broken) lease.failed('server', elapsed(), { timeScale });
        else if (aborted) lease.abandoned();
        lease.release();
      };
      return { ok: true, dispatched: { kind: 'stream', ...base, upstreamMs: elapsed(), status: res.status, headers: res.headers, body: res.body, usage, finish } };
    }
    const raw = res.raw;
    lease.release();
    const json = parseObject(raw);
    if (!json) {
      lease.failed('bad_response', elapsed(), { timeScale });
      return retryable(new GatewayError('upstream_bad_response', 'The upstream answered with a malformed body.'));
    }
    lease.succeeded(res.headers, elapsed());
    lease.reconcile(reportedTokens(json));
    return { ok: true, dispatched: { kind: 'json', ...base, upstreamMs: elapsed(), status: res.status, headers: res.headers, raw, json } };
  } catch (err) {
    lease.release();
    if (signal.aborted) {
      lease.abandoned();
      throw new TransportError('aborted', 'client went away', err);
    }
    const kind = err instanceof TransportError ? err.kind : 'connection';
    lease.failed(kind === 'timeout' ? 'timeout' : 'connection', elapsed(), { timeScale });
    return retryable(
      kind === 'timeout'
        ? new GatewayError('upstream_timeout', 'The upstream did not answer in time.')
        : new GatewayError('upstream_connection_error', 'The upstream connection failed.'),
    );
  }
}

function parseObject(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(raw.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const HEALTH: Partial<Record<UpstreamFailure['kind'], AttemptFailure>> = {
  rate_limited: 'rate_limited',
  quota: 'quota',
  auth: 'auth',
  server: 'server',
};

/** Maps a classified upstream error answer to what the client would see and whether to retry. */
function fromFailure(f: UpstreamFailure, lease: Lease, ms: number, headers: Record<string, unknown>, timeScale: number): Attempt {
  const health = HEALTH[f.kind];
  if (health) lease.failed(health, ms, { retryAfterMs: f.retryAfterMs, headers: headers as never, timeScale });
  else lease.succeeded(headers as never, ms); // the account is fine; the request was not
  switch (f.kind) {
    case 'client':
    case 'content_policy':
      // The request's own fault: another account would refuse it too.
      return { ok: false, error: new RelayedUpstreamError(f.status, { error: f.error }, f.kind === 'content_policy'), retry: false, countsAsFailure: false };
    case 'too_large':
      // "Request too large" can never succeed on retry: it is the request's fault.
      return { ok: false, error: new GatewayError('request_exceeds_limit', f.error.message, { headers: { 'x-should-retry': 'false' } }), retry: false, countsAsFailure: false };
    case 'rate_limited':
      return retryable(new GatewayError('rate_limit_exceeded', 'Every account serving this model is rate limited.'), false);
    case 'auth':
    case 'quota':
      return retryable(new GatewayError('upstream_auth_failed', 'The upstream account was refused (bad key or no quota).'), false);
    default:
      return retryable(new GatewayError('upstream_error', `The upstream failed with HTTP ${f.status}.`));
  }
}
