import { PRIORITIES, type Priority, type SchedulerConfig } from '../config/index.ts';
import { GatewayError } from '../errors/index.ts';
import type { AccountPool, Lease, Need } from '../pool/index.ts';
import { TransportError } from '../providers/index.ts';
import { AdmissionQueue, DeadlineExceeded, NoAccountLeft } from './admission.ts';
import { type Attempt, runAttempt } from './attempt.ts';
import { backoff } from './backoff.ts';
import { dispatchWithFallbacks } from './fallbacks.ts';
import type { TokenEstimator } from './estimate.ts';
import type { Dispatched, DispatchRequest } from './types.ts';

/** Observers of what the scheduler does (metrics); each is optional. */
export interface SchedulerHooks {
  /** An attempt on `account` failed with `reason` (an error code) and the request will be routed again. */
  retried?(account: string, reason: string): void;
}

/** Retries on other accounts after a 429 (they do not count as failures) stop here. */
const MAX_REROUTES = 20;

/**
 * Runs a request on the pool. It waits in the admission queue for an account with room,
 * sends, and when the attempt fails before any byte reached the client it routes again:
 * a 429 cools that account and the request goes elsewhere at once; 5xx, timeouts and
 * connection errors retry on another account after a jittered backoff, a bounded number of
 * times; a refused key takes the account out. The request's own errors (400, 404) are relayed.
 */
export class Scheduler {
  readonly #pool: AccountPool;
  readonly #queue: AdmissionQueue;
  readonly #config: SchedulerConfig;
  readonly #estimator: TokenEstimator;
  readonly #hooks: SchedulerHooks;
  #dispatched = 0;

  constructor(pool: AccountPool, estimator: TokenEstimator, config: SchedulerConfig, hooks: SchedulerHooks = {}) {
    this.#hooks = hooks;
    this.#pool = pool;
    this.#estimator = estimator;
    this.#config = config;
    this.#queue = new AdmissionQueue(pool);
  }

  /** What `call` will consume (tokens counted precisely only where some account limits them). */
  estimate(call: DispatchRequest['call']): Need {
    const t0 = performance.now();
    const need = this.#estimator.need(call, this.#pool.limitsTokens(call.model));
    this.#queue.busyMicros += (performance.now() - t0) * 1000;
    return need;
  }

  async dispatch(req: DispatchRequest): Promise<Dispatched> {
    if (req.fallbacks?.length) return dispatchWithFallbacks(req, (r) => this.dispatch(r));
    const need = req.need ?? this.estimate(req.call);
    const t0 = performance.now();
    const over = this.#pool.neverFits(req.call.model, need, req.groups);
    this.#queue.busyMicros += (performance.now() - t0) * 1000;
    if (over) {
      throw new GatewayError(
        'request_exceeds_limit',
        `This request needs ${over.amount} (${over.dim}) but the largest limit of any account serving ${req.call.model} is ${over.limit}; it can never be sent.`,
        { headers: { 'x-should-retry': 'false' } },
      );
    }
    this.#dispatched++;
    const started = Date.now();
    const deadline = started + req.maxWaitMs;
    const avoid = new Set<string>();
    const roll = Math.random();
    let attempts = 0;
    let failures = 0;
    let queueMs = 0;
    let lastError: GatewayError | undefined;
    for (;;) {
      const lease = await this.#admit(req, need, deadline, avoid, roll, lastError);
      queueMs += lease.waitedMs;
      if (this.#pool.shared) {
        // Several instances: the shared windows confirm the pick, or hold the account back.
        const t = performance.now();
        const held = await this.#pool.confirm(lease.lease, PRIORITIES.indexOf(req.priority));
        queueMs += performance.now() - t;
        if (held > 0) continue;
      }
      attempts++;
      const out: Attempt = await runAttempt(this.#pool, lease.lease, req.call, req.signal, this.#config.timeScale);
      if (out.ok) return { ...out.dispatched, attempts, queueMs: Math.round(queueMs) };
      if (!out.retry) throw out.error;
      lastError = out.error;
      avoid.add(lease.lease.account.name);
      this.#hooks.retried?.(lease.lease.account.name, out.error.code);
      if (out.countsAsFailure) {
        failures++;
        if (failures >= this.#config.maxAttempts) throw out.error;
        await backoff(failures, deadline, req.signal).catch(() => {
          throw new TransportError('aborted', 'client went away');
        });
      }
      if (attempts >= this.#config.maxAttempts + MAX_REROUTES) throw out.error;
    }
  }

  async #admit(
    req: DispatchRequest,
    need: ReturnType<TokenEstimator['need']>,
    deadline: number,
    avoid: ReadonlySet<string>,
    roll: number,
    lastError: GatewayError | undefined,
  ): Promise<{ lease: Lease; waitedMs: number }> {
    const t = performance.now();
    try {
      const lease = await this.#queue.admit(
        {
          model: req.call.model,
          need,
          priority: req.priority,
          paced: this.#config.pace.includes(req.priority),
          deadline,
          avoid,
          roll,
          client: req.client.name,
          weight: req.client.weight,
          groups: req.groups,
          giveUpEarly: req.giveUpEarly,
        },
        req.signal,
      );
      return { lease, waitedMs: performance.now() - t };
    } catch (err) {
      if (err instanceof DeadlineExceeded) throw lastError ?? rateLimited(err.retryAfterMs);
      if (err instanceof NoAccountLeft) {
        const where = req.groups ? ` in your groups (${req.groups.join(', ')})` : '';
        throw lastError ?? new GatewayError('no_account_available', `No enabled account${where} serves the model ${req.call.model} right now.`);
      }
      if (req.signal.aborted) throw new TransportError('aborted', 'client went away', err);
      throw err;
    }
  }

  /** Queue depth by priority and the scheduler's own cost, for the admin API and metrics. */
  stats(): { queue: Record<Priority, number>; dispatched: number; cpuMicrosPerRequest: number | null } {
    return {
      queue: this.#queue.depth(),
      dispatched: this.#dispatched,
      cpuMicrosPerRequest: this.#dispatched ? Math.round((this.#queue.busyMicros / this.#dispatched) * 10) / 10 : null,
    };
  }
}

/** 429 with an accurate wait: `retry-after` in whole seconds, `retry-after-ms` exact (the SDKs prefer it). */
function rateLimited(retryAfterMs: number): GatewayError {
  const ms = Math.max(1, Math.ceil(retryAfterMs));
  const secs = Math.max(1, Math.ceil(ms / 1000));
  return new GatewayError(
    'rate_limit_exceeded',
    `No account serving this model has capacity within your max wait. Please try again in ${(ms / 1000).toFixed(1)}s.`,
    { headers: { 'retry-after': String(secs), 'retry-after-ms': String(ms) } },
  );
}
