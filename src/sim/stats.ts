import type { SimAccountStats, SimStats } from './types.ts';

function emptyStats(): SimAccountStats {
  return { accepted: 0, rateLimited: 0, violations: 0, faults: 0, inFlight: 0, maxInFlight: 0, byModel: {} };
}

/**
 * Counters of one simulator instance. `violations` counts requests that arrived when the
 * account had no room (a window or the concurrency cap): the number a gateway is judged by.
 */
export class StatsBook {
  #accounts = new Map<string, SimAccountStats>();
  #inFlight = 0;
  #maxInFlight = 0;

  constructor(accountNames: readonly string[]) {
    for (const name of accountNames) this.#accounts.set(name, emptyStats());
  }

  accepted(account: string, model: string): void {
    this.#of(account).accepted++;
    this.#model(account, model).accepted++;
  }

  /** A refusal caused by real load (counted in `violations` and `rateLimited`). */
  violation(account: string, model: string): void {
    const s = this.#of(account);
    s.violations++;
    s.rateLimited++;
    this.#model(account, model).violations++;
  }

  /** Any other 429 given (storms, quota). */
  rateLimited(account: string): void {
    this.#of(account).rateLimited++;
  }

  fault(account: string): void {
    this.#of(account).faults++;
  }

  /** A request of `account` starts being processed. */
  enter(account: string): void {
    const s = this.#of(account);
    s.inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
    this.#inFlight++;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
  }

  leave(account: string): void {
    this.#of(account).inFlight--;
    this.#inFlight--;
  }

  inFlight(account: string): number {
    return this.#of(account).inFlight;
  }

  /** Zeroes every counter; requests still running stay counted in `inFlight`. */
  reset(): void {
    for (const [name, s] of this.#accounts) this.#accounts.set(name, { ...emptyStats(), inFlight: s.inFlight, maxInFlight: s.inFlight });
    this.#maxInFlight = this.#inFlight;
  }

  /** A deep copy; totals are sums except `maxInFlight`, the global peak of concurrent requests. */
  snapshot(): SimStats {
    const accounts: Record<string, SimAccountStats> = {};
    const totals = emptyStats();
    for (const [name, s] of this.#accounts) {
      accounts[name] = structuredClone(s);
      totals.accepted += s.accepted;
      totals.rateLimited += s.rateLimited;
      totals.violations += s.violations;
      totals.faults += s.faults;
      for (const [model, m] of Object.entries(s.byModel)) {
        const t = (totals.byModel[model] ??= { accepted: 0, violations: 0 });
        t.accepted += m.accepted;
        t.violations += m.violations;
      }
    }
    totals.inFlight = this.#inFlight;
    totals.maxInFlight = this.#maxInFlight;
    return { accounts, totals };
  }

  #of(account: string): SimAccountStats {
    let s = this.#accounts.get(account);
    if (!s) this.#accounts.set(account, (s = emptyStats()));
    return s;
  }

  #model(account: string, model: string) {
    return (this.#of(account).byModel[model] ??= { accepted: 0, violations: 0 });
  }
}
