/**
 * The interactive probe of `bench:batch`: a steady, open-loop trickle of high-priority requests
 * from a second client through the same gateway while the batch runs. Each answer's
 * `x-sluice-queue-ms` says how long it waited for an account; if interactive traffic were queued
 * behind the batch's backlog it would show here.
 */
import type { Agent } from 'undici';
import { failedOutcome, postJson } from './http.ts';
import { percentile } from './stats.ts';

export interface ProbeSpec {
  /** Label in the report, e.g. "chat" or "image". */
  name: string;
  /** Gateway path, e.g. "/v1/chat/completions". */
  path: string;
  body: Record<string, unknown>;
  /** One request every this many real ms, whether or not earlier ones have answered. */
  intervalMs: number;
}

export interface ProbeResult {
  name: string;
  sent: number;
  ok: number;
  /** Error code → count for non-200 answers (and transport failures). */
  errors: Record<string, number>;
  /** `x-sluice-queue-ms` of the 200 answers (real ms). */
  queueMs: number[];
  /** Client-side time from send to full answer (real ms), 200 answers only. */
  latencyMs: number[];
}

export interface RunningProbe {
  /** Stops sending and waits (at most `graceMs`, then aborts) for the requests in flight. */
  stop(graceMs: number): Promise<ProbeResult>;
}

/** Starts the trickle at once; every request carries `x-sluice-priority: high` and the deadline. */
export function startProbe(agent: Agent, baseUrl: string, key: string, spec: ProbeSpec, maxWaitMs: number): RunningProbe {
  const abort = new AbortController();
  const result: ProbeResult = { name: spec.name, sent: 0, ok: 0, errors: {}, queueMs: [], latencyMs: [] };
  const pending = new Set<Promise<void>>();
  // x-sluice-cache: off — the probe measures queueing, and identical probes would be cache hits.
  const headers = { authorization: `Bearer ${key}`, 'x-sluice-priority': 'high', 'x-sluice-max-wait-ms': String(Math.round(maxWaitMs)), 'x-sluice-cache': 'off' };
  const fail = (code: string): void => {
    result.errors[code] = (result.errors[code] ?? 0) + 1;
  };

  const sendOne = (): void => {
    result.sent++;
    const t0 = performance.now();
    const p = postJson(agent, `${baseUrl}${spec.path}`, headers, spec.body, abort.signal)
      .then((r) => {
        if (r.status !== 200) return fail(r.code ?? `http_${r.status}`);
        result.ok++;
        result.latencyMs.push(performance.now() - t0);
        const q = r.headers['x-sluice-queue-ms'];
        if (q !== undefined && Number.isFinite(Number(q))) result.queueMs.push(Number(q));
      })
      .catch((err: unknown) => fail(failedOutcome(err, abort.signal, 0).code ?? 'transport_error'))
      .finally(() => pending.delete(p));
    pending.add(p);
  };

  // Fixed offsets from the start (not "interval after the last send"), so a slow event loop
  // does not thin the trickle out: late ticks catch up.
  const start = performance.now();
  let next = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    const elapsed = performance.now() - start;
    while (next * spec.intervalMs <= elapsed) {
      next++;
      sendOne();
    }
    timer = setTimeout(tick, Math.max(0, next * spec.intervalMs - (performance.now() - start)));
  };
  tick();

  return {
    async stop(graceMs) {
      clearTimeout(timer);
      const late = setTimeout(() => abort.abort(), graceMs);
      await Promise.all([...pending]);
      clearTimeout(late);
      return result;
    },
  };
}

/** p50 / p95 (nearest rank) of a probe's numbers, undefined when it has none. */
export function p50p95(values: readonly number[]): { p50: number; p95: number } | undefined {
  const p50 = percentile(values, 50);
  const p95 = percentile(values, 95);
  return p50 === undefined || p95 === undefined ? undefined : { p50, p95 };
}
