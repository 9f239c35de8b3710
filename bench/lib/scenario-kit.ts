/**
 * Shared arithmetic of the scenarios: how long a scaled "minute" lasts, what a fleet of
 * accounts can do, and how long an ideal pool needs for the offered work (which sets each
 * client's deadline and the run's hard timeout).
 */
import type { SimAccount, SimFaults, SimModelLimits } from '../../src/sim/index.ts';
import type { BenchClient, BenchRequest, Priority, Scenario } from './types.ts';

/** Unscaled upstream latencies: ~20 s per image (like gpt-image-1), 400 ms per chat answer. */
export const LATENCY_MS = { images: 20_000, chat: 400 } as const;

/** Inputs every scenario builder gets from the command line. */
export interface ScenarioParams {
  timeScale: number;
  quick: boolean;
}

/** One limit window (a "minute") in real milliseconds at this time scale. */
export function windowMs(p: ScenarioParams): number {
  return 60_000 * p.timeScale;
}

/** `n` accounts `acct-01..` with the same limits; `faults[i]` are injected into account i. */
export function fleet(n: number, model: string, limits: SimModelLimits, faults: Record<number, SimFaults> = {}): SimAccount[] {
  return Array.from({ length: n }, (_, i) => {
    const name = `acct-${String(i + 1).padStart(2, '0')}`;
    return { name, key: `sk-sim-${name}`, limits: { [model]: limits }, ...(faults[i] ? { faults: faults[i] } : {}) };
  });
}

/** Accounts that can serve at all: an account that always fails adds no capacity. */
export function healthyCount(accounts: SimAccount[]): number {
  return accounts.filter((a) => !a.faults?.invalidKey && (a.faults?.error500Rate ?? 0) < 1).length;
}

/** A client with a deadline; its key is derived from its name (config keys need ≥ 8 chars). */
export function client(name: string, priority: Priority, maxWaitMs: number, weight = 1): BenchClient {
  return { name, key: `sk-bench-client-${name}`, priority, weight, maxWaitMs: Math.round(maxWaitMs) };
}

/**
 * Time an ideal pool needs to finish `requests`: the later of the last arrival and the time
 * the capacity needs to serve them all, plus one upstream call. Deadlines are a multiple of
 * this, so "the offered work fits the deadline" holds by construction.
 */
export function idealDurationMs(requests: BenchRequest[], capacityPerMin: number, serviceMs: number, p: ScenarioParams): number {
  const lastArrival = requests.reduce((m, r) => Math.max(m, r.at), 0);
  return Math.max(lastArrival, (requests.length / capacityPerMin) * windowMs(p)) + serviceMs;
}

/** Completes a scenario: the hard timeout lets every deadline expire, plus two windows of slack. */
export function finishScenario(s: Omit<Scenario, 'hardTimeoutMs'>, p: ScenarioParams): Scenario {
  const lastArrival = s.requests.reduce((m, r) => Math.max(m, r.at), 0);
  const maxWait = Math.max(...s.clients.map((c) => c.maxWaitMs));
  return { ...s, hardTimeoutMs: Math.round(lastArrival + maxWait + s.serviceMs + 2 * windowMs(p)) };
}

/** Integer formatting for scenario definitions. */
export function n0(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}
