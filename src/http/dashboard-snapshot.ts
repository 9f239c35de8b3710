import type { HttpDeps } from './context.ts';
import { fromEventRow } from '../events/index.ts';
import type { SeriesView } from '../metrics/index.ts';
import type { AccountSnapshot } from '../pool/index.ts';

/** An account's state in one word, for the dashboard's badge. */
export type AccountState = 'ok' | 'cooling' | 'circuit_open' | 'half_open' | 'disabled';

export interface DashboardAccount {
  name: string;
  provider: string;
  group: string;
  state: AccountState;
  enabled: boolean;
  disabledReason: string | null;
  inFlight: number;
  maxConcurrent: number | null;
  circuit: string;
  successRate: number | null;
  latencyMsP50: number | null;
  models: Array<{ model: string; cooldownUntil: string | null; limits: Array<{ dim: string; limit: number; used: number; remaining: number }> }>;
}

export interface SpendRow {
  key: string;
  usd: number;
  requests: number;
  errors: number;
  images: number;
}

/** Everything the dashboard shows, sent as one `snapshot` event per second. */
export interface DashboardSnapshot {
  time: string;
  /** One word for the whole gateway, and why. */
  health: { level: 'ok' | 'degraded' | 'down'; reasons: string[] };
  accounts: DashboardAccount[];
  queue: Record<string, number>;
  series: SeriesView;
  spendToday: { totalUsd: number; requests: number; byClient: SpendRow[]; byModel: SpendRow[] };
  batches: Array<{ id: string; owner: string; status: string; endpoint: string; total: number; completed: number; failed: number; pending: number; createdAt: string }>;
  events: Array<{ time: string; type: string; account?: string; model?: string; client?: string; message: string }>;
  cache: { hits: number; misses: number; coalesced: number; entries: number; bytes: number };
}

function stateOf(a: AccountSnapshot): AccountState {
  if (!a.enabled) return 'disabled';
  if (a.circuit.state === 'open') return 'circuit_open';
  if (a.circuit.state === 'half-open') return 'half_open';
  return Object.values(a.models).some((m) => m.cooldownUntil !== null) ? 'cooling' : 'ok';
}

function account(a: AccountSnapshot): DashboardAccount {
  return {
    name: a.name,
    provider: a.provider,
    group: a.group,
    state: stateOf(a),
    enabled: a.enabled,
    disabledReason: a.disabledReason,
    inFlight: a.inFlight,
    maxConcurrent: a.maxConcurrent,
    circuit: a.circuit.state,
    successRate: a.recent.successRate,
    latencyMsP50: a.recent.latencyMsP50,
    models: Object.entries(a.models).map(([model, m]) => ({
      model,
      cooldownUntil: m.cooldownUntil,
      limits: Object.entries(m.headroom).map(([dim, h]) => ({ dim, ...h })),
    })),
  };
}

/** The verdict at the top of the page: down when nothing can serve, degraded when something needs a look. */
function health(accounts: DashboardAccount[], series: SeriesView): DashboardSnapshot['health'] {
  const serving = accounts.filter((a) => a.state === 'ok' || a.state === 'cooling' || a.state === 'half_open');
  if (accounts.length === 0) return { level: 'down', reasons: ['no upstream account is configured'] };
  if (serving.length === 0) return { level: 'down', reasons: ['no account can serve: all are disabled or have an open circuit'] };
  const reasons: string[] = [];
  const out = accounts.filter((a) => a.state === 'disabled' || a.state === 'circuit_open');
  if (out.length > 0) reasons.push(`${out.length} of ${accounts.length} accounts out of service: ${out.map((a) => a.name).join(', ')}`);
  // The last five minutes (30 buckets of 10 s).
  const sum = (xs: number[]): number => xs.slice(-30).reduce((s, x) => s + x, 0);
  const requests = sum(series.requests);
  const failed = sum(series.serverErrors) + sum(series.rateLimited);
  if (requests >= 20 && failed / requests > 0.05) reasons.push(`${Math.round((failed / requests) * 100)}% of requests failed (5xx or 429) in the last 5 minutes`);
  return { level: reasons.length ? 'degraded' : 'ok', reasons };
}

const NANO = 1e9;
/** Events a snapshot shows. */
const EVENTS = 30;

type DashboardEvent = DashboardSnapshot['events'][number];
const eventKey = (e: DashboardEvent): string => [e.time, e.type, e.account ?? '', e.model ?? '', e.client ?? '', e.message].join('|');

/** Stored events (every instance's) and this instance's latest, newest first, each once. */
function mergeEvents(stored: DashboardEvent[], local: DashboardEvent[]): DashboardEvent[] {
  const seen = new Set<string>();
  return [...local, ...stored]
    .filter((e) => {
      const key = eventKey(e);
      return !seen.has(key) && Boolean(seen.add(key));
    })
    .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0))
    .slice(0, EVENTS);
}

/**
 * Builds dashboard snapshots. Spend, batches and events come from the store, so they are read
 * at most every `slowEveryMs` (the ledger is written in batches anyway); the rest is live
 * memory. Stored events are every instance's on a shared store; this instance's newest ones
 * (not read back yet) are added from memory.
 */
export class SnapshotBuilder {
  readonly #deps: HttpDeps;
  readonly #slowEveryMs: number;
  #slow: Promise<Pick<DashboardSnapshot, 'spendToday' | 'batches' | 'events'>> | undefined;
  #slowAt = 0;

  constructor(deps: HttpDeps, slowEveryMs = 5000) {
    this.#deps = deps;
    this.#slowEveryMs = slowEveryMs;
  }

  async build(now = Date.now()): Promise<DashboardSnapshot> {
    const d = this.#deps;
    if (!this.#slow || now - this.#slowAt >= this.#slowEveryMs) {
      this.#slowAt = now;
      this.#slow = this.#readStore(now);
      this.#slow.catch(() => (this.#slow = undefined));
    }
    const accounts = d.pool.list().map((a) => account(a.snapshot(now)));
    const series = d.metrics.series(now);
    const c = d.cache.stats();
    const { events: stored, ...slow } = await this.#slow;
    return {
      time: new Date(now).toISOString(),
      health: health(accounts, series),
      accounts,
      queue: d.scheduler.stats().queue,
      series,
      ...slow,
      events: mergeEvents(stored, d.events.list(EVENTS)),
      cache: { hits: c.hits, misses: c.misses, coalesced: c.coalesced, entries: c.entries, bytes: c.bytes },
    };
  }

  async #readStore(now: number): Promise<Pick<DashboardSnapshot, 'spendToday' | 'batches' | 'events'>> {
    const d = this.#deps;
    const day = new Date(now);
    const range = { from: Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()), to: now + 1 };
    const [byClient, byModel, active, events] = await Promise.all([
      d.store.usage.report({ ...range, groupBy: 'client' }),
      d.store.usage.report({ ...range, groupBy: 'model' }),
      d.batches.active(),
      d.store.events.list({ limit: EVENTS }),
    ]);
    const rows = (groups: typeof byClient): SpendRow[] =>
      groups.map((g) => ({ key: g.key, usd: g.costNanoUsd / NANO, requests: g.requests, errors: g.errors, images: g.images })).sort((a, b) => b.usd - a.usd || b.requests - a.requests);
    const clients = rows(byClient);
    return {
      events: events.map(fromEventRow),
      spendToday: { totalUsd: clients.reduce((s, r) => s + r.usd, 0), requests: clients.reduce((s, r) => s + r.requests, 0), byClient: clients, byModel: rows(byModel) },
      batches: active.map(({ batch: b, counts: c }) => ({
        id: b.id,
        owner: b.owner,
        status: b.status,
        endpoint: b.endpoint,
        total: c.total,
        completed: c.completed,
        failed: c.failed,
        pending: c.pending,
        createdAt: new Date(b.createdAt * 1000).toISOString(),
      })),
    };
  }
}
