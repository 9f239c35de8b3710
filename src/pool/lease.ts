import type { EventLog } from '../events/index.ts';
import type { RateLimitInfo, UpstreamResponse } from '../providers/index.ts';
import type { LimitSync, SharedReservation } from './limit-sync.ts';
import type { Need, Reservation } from './limiter.ts';
import type { PoolAccount } from './pool-account.ts';

/** How an attempt on an account ended, as far as the account's health is concerned. */
export type AttemptFailure = 'rate_limited' | 'server' | 'timeout' | 'connection' | 'bad_response' | 'auth' | 'quota';

/**
 * A slot on one account for one request: counted in the account's limit windows and its
 * in-flight count from the moment it is taken until {@link Lease.release}. The scheduler
 * reports the outcome through it, which is how the pool learns and heals.
 */
export class Lease {
  readonly account: PoolAccount;
  readonly model: string;
  readonly need: Need;
  readonly #reservation: Reservation;
  readonly #changed: () => void;
  readonly #events: EventLog;
  /** The same use in the shared windows of all instances, when there are several. */
  readonly shared: { sync: LimitSync; reservation: SharedReservation } | undefined;
  #released = false;

  constructor(
    account: PoolAccount,
    model: string,
    need: Need,
    reservation: Reservation,
    changed: () => void,
    events: EventLog,
    shared?: { sync: LimitSync; reservation: SharedReservation },
  ) {
    this.account = account;
    this.model = model;
    this.need = need;
    this.#reservation = reservation;
    this.#changed = changed;
    this.#events = events;
    this.shared = shared;
  }

  /**
   * The shared windows refused this pick (other instances used the room): undo the local
   * count and hold the account back for this model until they have room again.
   */
  refused(waitMs: number): void {
    const limiter = this.account.limiter(this.model);
    limiter.reconcileAll(this.#reservation, 0);
    limiter.hold(Date.now() + waitMs);
    this.account.circuit.onAbandon();
    this.release();
    this.#changed();
  }

  /** Gives the concurrency slot back (the limit windows keep counting the request). Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.account.inFlight--;
    // Only a concurrency cap or a half-open probe can make a freed slot matter to waiters;
    // windows free on their own schedule, which the admission timers already follow.
    if (this.account.config.maxConcurrent !== undefined || this.account.circuit.state !== 'closed') this.#changed();
  }

  /** Replaces the estimated tokens with the tokens the upstream reported using. */
  reconcile(actualTokens: number | undefined): void {
    if (actualTokens === undefined || actualTokens === this.need.tokens) return;
    this.account.limiter(this.model).reconcile(this.#reservation, actualTokens);
    this.shared?.sync.settle(this.shared.reservation, { tokens: actualTokens });
    if (actualTokens < this.need.tokens) this.#changed();
  }

  /** The upstream answered 2xx: the account is healthy; learn its limits from the headers. */
  succeeded(headers: UpstreamResponse['headers'], ms: number): void {
    const a = this.account;
    a.record(true, ms);
    const info = a.adapter.readRateLimits(headers);
    this.#learn(info);
    if (info.processingMs !== undefined) {
      a.limiter(this.model).restamp(this.#reservation, Date.now() - info.processingMs);
      this.shared?.sync.settle(this.shared.reservation, { processingMs: info.processingMs });
    }
    if (a.circuit.onSuccess()) {
      this.#events.emit('circuit_closed', `circuit of ${a.name} closed: the account answers again`, { account: a.name });
      this.#changed();
    }
  }

  /** The attempt failed. Cools, opens the circuit or takes the account out, as the failure says. */
  failed(kind: AttemptFailure, ms: number, opts: { retryAfterMs?: number; headers?: UpstreamResponse['headers']; timeScale: number }): void {
    const a = this.account;
    const now = Date.now();
    a.record(false, ms);
    if (opts.headers) this.#learn(a.adapter.readRateLimits(opts.headers));
    if (kind === 'rate_limited') {
      // The upstream's own estimate is the most accurate; without one, rest one second (scaled).
      const ms = opts.retryAfterMs ?? 1000 * opts.timeScale;
      a.limiter(this.model).coolUntil(now + ms);
      this.shared?.sync.cool(a.name, this.model, ms);
      a.circuit.onAbandon();
      return;
    }
    if (kind === 'auth' || kind === 'quota') {
      if (!a.enabled) return;
      a.enabled = false;
      a.disabledReason = kind === 'auth' ? 'upstream refused the API key (401/403)' : 'insufficient_quota';
      this.#events.emit('account_disabled', `${a.name} taken out of service: ${a.disabledReason}`, { account: a.name, model: this.model });
      this.#changed();
      return;
    }
    if (a.circuit.onFailure(now)) {
      this.#events.emit('circuit_opened', `circuit of ${a.name} opened after ${a.circuit.failures} failures (last: ${kind})`, { account: a.name });
    }
  }

  /** The attempt ended without a verdict on the account (the client went away). */
  abandoned(): void {
    this.account.circuit.onAbandon();
  }

  #learn(info: RateLimitInfo): void {
    const limiter = this.account.limiter(this.model);
    const learn = (dim: 'rpm' | 'ipm' | 'tpm', limit: number): void => {
      if (limiter.learn(dim, limit)) this.shared?.sync.learned(this.account.name, this.model, dim, limit);
    };
    // Image models limited only by images/min report that limit as the requests limit.
    if (info.limitRequests !== undefined) learn(limiter.has('ipm') && !limiter.has('rpm') ? 'ipm' : 'rpm', info.limitRequests);
    if (info.limitTokens !== undefined) learn('tpm', info.limitTokens);
  }
}
