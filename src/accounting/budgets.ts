import { GatewayError } from '../errors/index.ts';
import type { EventLog } from '../events/index.ts';

/** A client's budgets in USD (null: none). */
export interface BudgetLimits {
  dailyUsd: number | null;
  monthlyUsd: number | null;
}

interface Spend {
  day: string;
  dayNano: number;
  month: string;
  monthNano: number;
  /** Soft-threshold events already sent this period, so each fires once. */
  warnedDay: string | null;
  warnedMonth: string | null;
}

const NANO = 1e9;

function dayOf(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** UTC midnight that starts `now`'s day / month, and the next one. */
export function periodStart(now: number, period: 'day' | 'month'): number {
  const d = new Date(now);
  return period === 'day' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function nextPeriod(now: number, period: 'day' | 'month'): number {
  const d = new Date(now);
  return period === 'day' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * Spend per client for the current UTC day and month, kept in memory (seeded from the ledger at
 * start, added to as each request is accounted), so the budget check on the request path is a
 * map look-up. A client at or over a budget is refused until the period resets. The estimated
 * cost of requests admitted and still running is held against the budget meanwhile, so a burst
 * of concurrent requests cannot all pass the check; the overshoot left is what the estimates
 * missed (see {@link hold}).
 */
export class Budgets {
  readonly #spend = new Map<string, Spend>();
  /** Estimated cost of each client's requests admitted and not yet accounted (nano-USD). */
  readonly #held = new Map<string, number>();
  readonly #events: EventLog;
  readonly #softFraction: number;

  constructor(events: EventLog, softFraction = 0.8) {
    this.#events = events;
    this.#softFraction = softFraction;
  }

  /** The UTC day of the last look-up and its bounds: `toISOString` on every request costs more than the rest of the check. */
  #today = { day: '', from: 0, to: 0 };

  #dayOf(now: number): string {
    const t = this.#today;
    if (now >= t.from && now < t.to) return t.day;
    this.#today = { day: dayOf(now), from: periodStart(now, 'day'), to: nextPeriod(now, 'day') };
    return this.#today.day;
  }

  #of(client: string, now: number): Spend {
    const day = this.#dayOf(now);
    const month = day.slice(0, 7);
    let s = this.#spend.get(client);
    if (!s) this.#spend.set(client, (s = { day, dayNano: 0, month, monthNano: 0, warnedDay: null, warnedMonth: null }));
    if (s.day !== day) Object.assign(s, { day, dayNano: 0 });
    if (s.month !== month) Object.assign(s, { month, monthNano: 0 });
    return s;
  }

  /** Sets the spend so far this day and month (from the ledger, at start). */
  seed(client: string, dayNano: number, monthNano: number, now = Date.now()): void {
    const s = this.#of(client, now);
    s.dayNano = dayNano;
    s.monthNano = monthNano;
  }

  /**
   * Refuses (429 `budget_exceeded`) a client whose spend, plus the estimated cost of its
   * requests still running, reached a budget.
   */
  check(client: string, limits: BudgetLimits, now = Date.now()): void {
    const s = this.#of(client, now);
    const held = this.#held.get(client) ?? 0;
    for (const period of ['day', 'month'] as const) {
      const usd = period === 'day' ? limits.dailyUsd : limits.monthlyUsd;
      const spent = (period === 'day' ? s.dayNano : s.monthNano) + held;
      if (usd === null || spent < Math.round(usd * NANO)) continue;
      const resets = nextPeriod(now, period);
      const secs = Math.max(1, Math.ceil((resets - now) / 1000));
      throw new GatewayError(
        'budget_exceeded',
        `Your ${period === 'day' ? 'daily' : 'monthly'} budget of $${usd.toFixed(2)} is used up ($${(spent / NANO).toFixed(4)} spent); it resets at ${new Date(resets).toISOString()}.`,
        { headers: { 'retry-after': String(secs), 'x-should-retry': 'false' } },
      );
    }
  }

  /**
   * Counts the estimated cost of an admitted request against the client's budgets until the
   * returned function is called (once it is accounted, or failed): concurrent requests cannot
   * all pass a check that none of them has been charged to yet.
   */
  hold(client: string, costNano: number): () => void {
    if (!(costNano > 0)) return () => {};
    this.#held.set(client, (this.#held.get(client) ?? 0) + costNano);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const left = (this.#held.get(client) ?? 0) - costNano;
      if (left > 0) this.#held.set(client, left);
      else this.#held.delete(client);
    };
  }

  /** The largest share of a budget used so far (0 when there are none). */
  usedFraction(client: string, limits: BudgetLimits, now = Date.now()): number {
    const s = this.#of(client, now);
    const d = limits.dailyUsd ? s.dayNano / (limits.dailyUsd * NANO) : 0;
    const m = limits.monthlyUsd ? s.monthNano / (limits.monthlyUsd * NANO) : 0;
    return Math.max(d, m);
  }

  /** Adds a request's cost; fires the soft-threshold event once per period when crossed. */
  add(client: string, costNano: number, limits: BudgetLimits, now = Date.now()): void {
    const s = this.#of(client, now);
    s.dayNano += costNano;
    s.monthNano += costNano;
    if (limits.dailyUsd && s.warnedDay !== s.day && s.dayNano >= limits.dailyUsd * NANO * this.#softFraction) {
      s.warnedDay = s.day;
      this.#events.emit('budget_threshold', `${client} used ${Math.round((s.dayNano / (limits.dailyUsd * NANO)) * 100)}% of its daily budget ($${limits.dailyUsd})`, { client });
    }
    if (limits.monthlyUsd && s.warnedMonth !== s.month && s.monthNano >= limits.monthlyUsd * NANO * this.#softFraction) {
      s.warnedMonth = s.month;
      this.#events.emit('budget_threshold', `${client} used ${Math.round((s.monthNano / (limits.monthlyUsd * NANO)) * 100)}% of its monthly budget ($${limits.monthlyUsd})`, { client });
    }
  }

  /** Spend this day and month in USD, for the admin API. */
  spent(client: string, now = Date.now()): { dayUsd: number; monthUsd: number } {
    const s = this.#of(client, now);
    return { dayUsd: s.dayNano / NANO, monthUsd: s.monthNano / NANO };
  }
}
