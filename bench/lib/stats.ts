/**
 * The small amount of statistics the table needs, kept separate so each definition is
 * written down once: nearest-rank percentiles, window-corrected throughput, max-min fair
 * shares and Jain's fairness index.
 */

/** Nearest-rank percentile (p in 0..100) of unsorted values; undefined for no values. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/**
 * Completions per window (per scaled minute): the number of completions inside a one-window
 * interval, averaged over every position of that interval between the first and the last
 * completion. A sliding limit lets a whole quota through at once, so `count / span` flatters
 * a bursty run (3 quotas fit in a span of just over 2 windows), while `count / (span + W)`
 * penalises one that paces its quota evenly. This average has an exact bound instead: any
 * window holds at most one quota, so no strategy can exceed the capacity, and a pool kept
 * busy reaches it whether it spends its quota in bursts or evenly. It is continuous in the
 * timestamps, so event-loop jitter moves it only a little. Completion times stand in for
 * admission times because the simulator's latency is fixed. A run that fits in one window
 * returns its count (all of it fitted in one window).
 */
export function perWindow(doneAt: readonly number[], windowMs: number): number {
  if (doneAt.length === 0) return 0;
  const first = doneAt.reduce((a, b) => Math.min(a, b));
  const lastStart = doneAt.reduce((a, b) => Math.max(a, b)) - windowMs;
  if (lastStart <= first) return doneAt.length;
  // Completion c lies in [t, t + W) for window starts t in (c - W, c]; sum those lengths.
  let covered = 0;
  for (const c of doneAt) covered += Math.max(0, Math.min(c, lastStart) - Math.max(c - windowMs, first));
  return covered / (lastStart - first);
}

/**
 * Max-min fair split of `total` among demands with weights (water filling): every client gets
 * an equal weighted share, except that nobody gets more than it asked for; leftovers are
 * re-split among the rest.
 */
export function maxMinShares(total: number, demands: readonly number[], weights: readonly number[]): number[] {
  const share = demands.map(() => 0);
  let left = total;
  let open = demands.map((_, i) => i);
  while (left > 1e-9 && open.length > 0) {
    const wsum = open.reduce((s, i) => s + weights[i], 0);
    const capped = open.filter((i) => demands[i] - share[i] <= (left * weights[i]) / wsum);
    if (capped.length === 0) {
      for (const i of open) share[i] += (left * weights[i]) / wsum;
      break;
    }
    for (const i of capped) {
      left -= demands[i] - share[i];
      share[i] = demands[i];
    }
    open = open.filter((i) => !capped.includes(i));
  }
  return share;
}

/** Jain's index of x: 1 when all equal, 1/n when one takes everything. */
export function jain(x: readonly number[]): number {
  const sum = x.reduce((s, v) => s + v, 0);
  const sq = x.reduce((s, v) => s + v * v, 0);
  return sq === 0 ? 1 : (sum * sum) / (x.length * sq);
}
