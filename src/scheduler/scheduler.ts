import type { Readable } from 'node:stream';
import { GatewayError, RelayedUpstreamError } from '../errors/index.ts';
import type { AccountPool, Lease } from '../pool/index.ts';
import { TransportError, type UpstreamCall, type UpstreamFailure } from '../providers/index.ts';
import { readBody } from './read-body.ts';

/** What the HTTP layer hands the scheduler for one client request. */
export interface DispatchRequest {
  call: UpstreamCall;
  /** Aborted when the client goes away: stops waiting and cancels the upstream call. */
  signal: AbortSignal;
}

interface DispatchedBase {
  /** Name of the account that answered (never its key). */
  account: string;
  attempts: number;
  queueMs: number;
  /** Upstream response headers (the HTTP layer picks what it relays). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  status: number;
}

/** A complete JSON answer. */
export interface DispatchedJson extends DispatchedBase {
  kind: 'json';
  raw: Buffer;
  json: Record<string, unknown>;
}

/** A streaming answer whose first byte has not been sent to the client yet. */
export interface DispatchedStream extends DispatchedBase {
  kind: 'stream';
  body: Readable;
  /** Must be called once the stream has ended or failed: frees the account's slot. */
  finish(): void;
}

export type Dispatched = DispatchedJson | DispatchedStream;

export interface SchedulerOptions {
  /** Most upstream attempts for one request (first try included). */
  maxAttempts?: number;
}

/**
 * Runs a request on the pool: takes an account, sends, and when the attempt fails before any
 * byte reached the client (connection error, timeout, 5xx, 429, bad key, malformed answer),
 * tries another account. Errors that are the request's own fault (400, 404, ...) are relayed.
 */
export class Scheduler {
  readonly #pool: AccountPool;
  readonly #maxAttempts: number;

  constructor(pool: AccountPool, opts: SchedulerOptions = {}) {
    this.#pool = pool;
    this.#maxAttempts = opts.maxAttempts ?? 3;
  }

  async dispatch(req: DispatchRequest): Promise<Dispatched> {
    const started = performance.now();
    const tried = new Set<string>();
    let lastError: GatewayError | undefined;
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      const lease = this.#pool.acquire(req.call.model, tried);
      if (!lease) break;
      const queueMs = Math.round(performance.now() - started);
      tried.add(lease.account.name);
      const outcome = await this.#attempt(lease, req, { attempts: attempt, queueMs });
      if (!(outcome instanceof GatewayError)) return outcome;
      if (outcome instanceof RelayedUpstreamError) throw outcome;
      lastError = outcome;
    }
    throw lastError ?? new GatewayError('no_account_available', `No account can serve model ${req.call.model} right now.`);
  }

  /** One try on one account. Returns the answer, or the error to report if no retry works. */
  async #attempt(lease: Lease, req: DispatchRequest, meta: { attempts: number; queueMs: number }): Promise<Dispatched | GatewayError> {
    const base = { account: lease.account.name, ...meta };
    try {
      const res = await this.#pool.send(lease, req.call, req.signal);
      if (res.status >= 400) {
        const text = (await readBody(res.body)).toString('utf8');
        lease.release();
        return failureToError(lease.account.adapter.classifyFailure(res.status, res.headers, text, lease.account.config));
      }
      if (req.call.stream) {
        return { kind: 'stream', ...base, status: res.status, headers: res.headers, body: res.body, finish: () => lease.release() };
      }
      const raw = await readBody(res.body);
      lease.release();
      const json = parseObject(raw);
      if (!json) return new GatewayError('upstream_bad_response', 'The upstream answered with a malformed body.');
      return { kind: 'json', ...base, status: res.status, headers: res.headers, raw, json };
    } catch (err) {
      lease.release();
      if (req.signal.aborted) throw new TransportError('aborted', 'client went away', err);
      const te = err instanceof TransportError ? err : undefined;
      if (te?.kind === 'timeout') return new GatewayError('upstream_timeout', 'The upstream did not answer in time.');
      return new GatewayError('upstream_connection_error', 'The upstream connection failed.');
    }
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

/** The error a client sees for an upstream failure that was not (or could not be) retried away. */
function failureToError(f: UpstreamFailure): GatewayError {
  switch (f.kind) {
    case 'client':
      return new RelayedUpstreamError(f.status, { error: f.error });
    case 'too_large':
      // 429 "Request too large" can never succeed on retry: tell the client it is a bad request.
      return new GatewayError('invalid_request', f.error.message, { headers: { 'x-should-retry': 'false' } });
    case 'rate_limited': {
      const secs = Math.max(1, Math.ceil((f.retryAfterMs ?? 1000) / 1000));
      return new GatewayError('rate_limit_exceeded', `Every account serving this model is rate limited. Please try again in ${secs}s.`, {
        headers: { 'retry-after': String(secs) },
      });
    }
    case 'auth':
    case 'quota':
      return new GatewayError('upstream_auth_failed', 'The upstream account was refused (bad key or no quota).');
    default:
      return new GatewayError('upstream_error', `The upstream failed with HTTP ${f.status}.`);
  }
}
