/**
 * Turns one run (client-side results, the simulator's judgement, process measurements) into
 * one row of the table. Every number in docs/BENCHMARKS.md comes from here.
 */
import type { SimStats } from '../../src/sim/index.ts';
import type { LoadResult } from './load.ts';
import { jain, maxMinShares, percentile, perWindow } from './stats.ts';
import type { Priority, RequestResult, Scenario } from './types.ts';

export interface Wait {
  p50: number;
  p95: number;
  n: number;
}

/** One (scenario, strategy) row. Per-minute figures are per scaled minute (one limit window). */
export interface Row {
  scenario: string;
  strategy: string;
  /** Set when the run could not be carried out; every other figure is then zero. */
  failure?: string;
  offered: number;
  completed: number;
  perMin: number;
  /** Theoretical capacity for the mix this row completed (see Scenario.poolPerMin). */
  capacityPerMin: number;
  /** Client-visible errors by `code` (status 0 = no HTTP answer, e.g. `bench_timeout`). */
  errors: Record<string, number>;
  client429: number;
  upstreamCalls: number;
  upstream429: number;
  violations: number;
  /** Queue wait from `x-sluice-queue-ms` on successful answers, by priority (Sluice only). */
  wait: Partial<Record<Priority, Wait>>;
  /** p95 queue wait of high-priority requests sent while the low-priority backlog existed. */
  highP95DuringBacklog?: number;
  /** Each client's fraction of all completions. */
  shares: Record<string, number>;
  jain?: number;
  successPct: number;
  /** µs of scheduler CPU per request from GET /admin/pool; null = not reported; undefined = n/a. */
  schedulerCpuMicros?: number | null;
  /** µs of this whole process's CPU per offered request (load generator + simulator [+ gateway]). */
  processCpuMicros: number;
  loopP99Ms: number;
  wallMs: number;
  timedOut: boolean;
}

/** Facts measured around the run, outside the results themselves. */
export interface RunFacts {
  sim: SimStats;
  cpuMicros: number;
  loopP99Ms: number;
  schedulerCpuMicros?: number | null;
}

/** Computes a row; `windowMs` is one scaled minute. */
export function toRow(scenario: Scenario, strategy: string, load: LoadResult, facts: RunFacts, windowMs: number): Row {
  const ok = load.results.filter((r) => r.status === 200);
  const errors: Record<string, number> = {};
  for (const r of load.results) {
    if (r.status === 200) continue;
    const code = r.code ?? `http_${r.status}`;
    errors[code] = (errors[code] ?? 0) + 1;
  }
  const t = facts.sim.totals;
  return {
    scenario: scenario.id,
    strategy,
    offered: load.results.length,
    completed: ok.length,
    perMin: perWindow(ok.map((r) => r.doneAt), windowMs),
    capacityPerMin: capacityFor(scenario, ok),
    errors,
    client429: load.results.filter((r) => r.status === 429).length,
    upstreamCalls: t.accepted + t.rateLimited + t.faults,
    upstream429: t.rateLimited,
    violations: t.violations,
    wait: waits(ok),
    highP95DuringBacklog: scenario.checks.refillIntervalMs ? highDuringBacklog(ok, scenario.serviceMs) : undefined,
    ...fairness(scenario, load.results, ok),
    successPct: (100 * ok.length) / Math.max(1, load.results.length),
    schedulerCpuMicros: facts.schedulerCpuMicros,
    processCpuMicros: facts.cpuMicros / Math.max(1, load.results.length),
    loopP99Ms: facts.loopP99Ms,
    wallMs: load.elapsedMs,
    timedOut: load.timedOut,
  };
}

/** Requests per minute the healthy pool allows for the mix of requests this run completed. */
function capacityFor(scenario: Scenario, ok: RequestResult[]): number {
  const { requests, tokens } = scenario.poolPerMin;
  if (!tokens || ok.length === 0) return tokens ? scenario.capacityPerMin : requests;
  const mean = ok.reduce((sum, r) => sum + r.req.tokens, 0) / ok.length;
  return Math.min(requests, tokens / mean);
}

function waits(ok: RequestResult[]): Partial<Record<Priority, Wait>> {
  const out: Partial<Record<Priority, Wait>> = {};
  for (const p of ['high', 'normal', 'low'] as const) {
    const q = ok.filter((r) => r.req.priority === p && r.queueMs !== undefined).map((r) => r.queueMs as number);
    const p50 = percentile(q, 50);
    const p95 = percentile(q, 95);
    if (p50 !== undefined && p95 !== undefined) out[p] = { p50, p95, n: q.length };
  }
  return out;
}

/**
 * High-priority waits that count for the target: requests sent before the last low-priority
 * request was admitted upstream (its completion minus the fixed upstream latency), i.e.
 * while a low-priority backlog still existed.
 */
function highDuringBacklog(ok: RequestResult[], serviceMs: number): number | undefined {
  const lowDone = ok.filter((r) => r.req.priority === 'low').map((r) => r.doneAt);
  if (lowDone.length === 0) return undefined;
  const backlogEnd = Math.max(...lowDone) - serviceMs;
  const q = ok.filter((r) => r.req.priority === 'high' && r.sentAt <= backlogEnd && r.queueMs !== undefined).map((r) => r.queueMs as number);
  return percentile(q, 95);
}

/** Shares of completions per client, and Jain's index of completions over max-min fair shares. */
function fairness(scenario: Scenario, all: RequestResult[], ok: RequestResult[]): { shares: Record<string, number>; jain?: number } {
  const names = scenario.clients.map((c) => c.name);
  const done = names.map((n) => ok.filter((r) => r.req.client === n).length);
  const shares = Object.fromEntries(names.map((n, i) => [n, ok.length ? done[i] / ok.length : 0]));
  if (!scenario.checks.fairness) return { shares };
  const demand = names.map((n) => all.filter((r) => r.req.client === n).length);
  const fair = maxMinShares(ok.length, demand, scenario.clients.map((c) => c.weight));
  return { shares, jain: jain(done.map((d, i) => (fair[i] > 0 ? d / fair[i] : 1))) };
}

/** A row for a run that could not be carried out (e.g. the gateway refused the config). */
export function failedRow(scenario: Scenario, strategy: string, message: string): Row {
  return {
    scenario: scenario.id, strategy, failure: message, offered: scenario.requests.length, completed: 0, perMin: 0,
    capacityPerMin: scenario.capacityPerMin, errors: {}, client429: 0, upstreamCalls: 0, upstream429: 0, violations: 0,
    wait: {}, shares: {}, successPct: 0, processCpuMicros: 0, loopP99Ms: 0, wallMs: 0, timedOut: false,
  };
}
