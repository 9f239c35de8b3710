import type { AccountConfig } from '../config/index.ts';
import { adapterFor, type ProviderAdapter } from '../providers/index.ts';
import { CircuitBreaker, type CircuitOptions } from './circuit.ts';
import { type LimitTiming, ModelLimiter, type Need } from './limiter.ts';
import type { ModelLimits } from '../config/index.ts';

const RECENT = 100;

/** An account's state as operators see it (admin API, dashboard, metrics): never its key. */
export interface AccountSnapshot {
  name: string;
  provider: string;
  group: string;
  weight: number;
  enabled: boolean;
  disabledReason: string | null;
  inFlight: number;
  maxConcurrent: number | null;
  circuit: { state: string; failures: number; openUntil: string | null };
  recent: { requests: number; successRate: number | null; latencyMsP50: number | null };
  models: Record<
    string,
    {
      configured: Readonly<ModelLimits>;
      learned: Partial<Record<string, number>>;
      headroom: Record<string, { limit: number; used: number; remaining: number }>;
      cooldownUntil: string | null;
    }
  >;
}

/**
 * One upstream account as the pool sees it: its config, its dialect, a limiter per model,
 * its circuit breaker and recent outcomes. The API key stays inside `config` and is read only
 * by the provider adapter when it builds the auth header; `toJSON` never includes it.
 */
export class PoolAccount {
  readonly name: string;
  readonly group: string;
  readonly weight: number;
  readonly config: AccountConfig;
  readonly adapter: ProviderAdapter;
  readonly models: ReadonlySet<string>;
  readonly circuit: CircuitBreaker;
  readonly #limiters = new Map<string, ModelLimiter>();
  readonly #timing: LimitTiming;
  enabled: boolean;
  disabledReason: string | undefined;
  inFlight = 0;
  /** When this account was last picked, to spread ties. */
  lastPickedAt = 0;
  readonly #recentOk: boolean[] = [];
  readonly #recentMs: number[] = [];

  constructor(config: AccountConfig, timing: LimitTiming, circuit: CircuitOptions) {
    this.config = config;
    this.name = config.name;
    this.group = config.group;
    this.weight = config.weight;
    this.enabled = config.enabled;
    this.adapter = adapterFor(config.provider);
    this.models = new Set([...Object.keys(config.limits), ...config.models]);
    this.circuit = new CircuitBreaker(circuit);
    this.#timing = timing;
  }

  /** The limiter of `model` on this account (created on first use). */
  limiter(model: string): ModelLimiter {
    let l = this.#limiters.get(model);
    if (!l) {
      l = new ModelLimiter(this.config.limits[model] ?? {}, this.#timing);
      if (this.#share !== 1) l.setShare(this.#share);
      if (this.#pacedInstances !== 1) l.setPacedInstances(this.#pacedInstances);
      this.#limiters.set(model, l);
    }
    return l;
  }

  /** Uses only `share` of each limit (see AccountPool.setShare). */
  setShare(share: number, freeze = false): void {
    this.#share = share;
    for (const l of this.#limiters.values()) l.setShare(share, freeze);
  }

  #share = 1;
  #pacedInstances = 1;

  /** See ModelLimiter.setPacedInstances. */
  setPacedInstances(n: number): void {
    this.#pacedInstances = n;
    for (const l of this.#limiters.values()) l.setPacedInstances(n);
  }

  /** Milliseconds until this account could take `need` for `model` (0 now, Infinity never/unknown). */
  waitMs(model: string, need: Need, now: number, paced = false): number {
    if (!this.enabled) return Number.POSITIVE_INFINITY;
    const max = this.config.maxConcurrent;
    if (max !== undefined && this.inFlight >= max) return Number.POSITIVE_INFINITY;
    return Math.max(this.circuit.waitMs(now), this.limiter(model).waitMs(need, now, paced));
  }

  /** Records how an attempt ended, for the recent latency and success rate. */
  record(ok: boolean, ms: number): void {
    this.#recentOk.push(ok);
    this.#recentMs.push(ms);
    if (this.#recentOk.length > RECENT) {
      this.#recentOk.shift();
      this.#recentMs.shift();
    }
  }

  /** A JSON view safe to show operators: never the API key. */
  snapshot(now: number): AccountSnapshot {
    const sorted = [...this.#recentMs].sort((a, b) => a - b);
    const ok = this.#recentOk.filter(Boolean).length;
    return {
      name: this.name,
      provider: this.config.provider,
      group: this.group,
      weight: this.weight,
      enabled: this.enabled,
      disabledReason: this.disabledReason ?? null,
      inFlight: this.inFlight,
      maxConcurrent: this.config.maxConcurrent ?? null,
      circuit: { state: this.circuit.state, failures: this.circuit.failures, openUntil: this.circuit.state === 'closed' ? null : new Date(this.circuit.openUntil).toISOString() },
      recent: {
        requests: this.#recentOk.length,
        successRate: this.#recentOk.length ? ok / this.#recentOk.length : null,
        latencyMsP50: sorted.length ? sorted[Math.floor(sorted.length / 2)] : null,
      },
      models: Object.fromEntries(
        [...this.models].map((m) => {
          const l = this.limiter(m);
          return [
            m,
            {
              configured: l.configured,
              learned: l.learned,
              headroom: l.snapshot(now),
              cooldownUntil: l.cooldownUntil > now ? new Date(l.cooldownUntil).toISOString() : null,
            },
          ];
        }),
      ),
    };
  }
}
