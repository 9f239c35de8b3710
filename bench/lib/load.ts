/**
 * The open-loop load generator. Requests are launched at their scheduled offsets whether or
 * not earlier ones have finished (a closed loop would slow down exactly when the pool is
 * saturated and hide queueing). It is bounded twice: a fixed list of requests, and a hard
 * timeout after which every outstanding request is aborted and counted as `bench_timeout`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { failedOutcome } from './http.ts';
import type { BenchRequest, RequestResult, StrategyRun } from './types.ts';

/** What a run of the load generator produced. */
export interface LoadResult {
  results: RequestResult[];
  /** performance.now() at the scenario's t = 0 (for converting timestamps). */
  startedAt: number;
  /** ms from t = 0 until the last request settled. */
  elapsedMs: number;
  timedOut: boolean;
}

/** Replays `requests` through `run.send`, each at its own `at`, and waits for all of them. */
export async function runLoad(requests: readonly BenchRequest[], run: StrategyRun, hardTimeoutMs: number): Promise<LoadResult> {
  const abort = new AbortController();
  const startedAt = performance.now();
  const now = (): number => performance.now() - startedAt;
  const timer = setTimeout(() => abort.abort(), hardTimeoutMs);
  const pending: Promise<RequestResult>[] = [];
  try {
    let next = 0;
    while (next < requests.length && !abort.signal.aborted) {
      const t = now();
      while (next < requests.length && requests[next].at <= t) pending.push(one(requests[next++], run, abort.signal, now));
      // Abortable, so a long gap before the next arrival cannot outlast the hard timeout.
      if (next < requests.length) await sleep(Math.max(0, requests[next].at - now()), undefined, { signal: abort.signal }).catch(() => undefined);
    }
    // Requests never launched because the hard timeout came first still count, as timeouts.
    for (; next < requests.length; next++) pending.push(Promise.resolve(notSent(requests[next], now())));
    const results = await Promise.all(pending);
    return { results, startedAt, elapsedMs: now(), timedOut: abort.signal.aborted };
  } finally {
    clearTimeout(timer);
  }
}

async function one(req: BenchRequest, run: StrategyRun, signal: AbortSignal, now: () => number): Promise<RequestResult> {
  const sentAt = now();
  try {
    const outcome = await run.send(req, signal);
    return { req, sentAt, doneAt: now(), ...outcome };
  } catch (err) {
    return { req, sentAt, doneAt: now(), ...failedOutcome(err, signal, 0) };
  }
}

function notSent(req: BenchRequest, t: number): RequestResult {
  return { req, sentAt: t, doneAt: t, status: 0, code: 'bench_timeout', attempts: 0 };
}
