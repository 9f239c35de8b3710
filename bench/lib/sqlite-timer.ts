/**
 * Measures the time this process spends inside SQLite statements. `node:sqlite` is synchronous:
 * every statement the gateway's store runs blocks the one event loop that the scheduler's
 * timers, the simulator and the clients share, so this time is taken from everything else.
 *
 * It wraps `StatementSync.prototype.all/run/get` (Node's own prototype, not Sluice's code) while
 * enabled, and groups statements by what they do for a batch. The wrapper costs one
 * `performance.now()` pair per statement.
 */
import { StatementSync } from 'node:sqlite';

/** Statement kinds of the batch path, recognised by their SQL (first match wins). */
const KINDS: Array<[kind: string, re: RegExp]> = [
  ['lease (runner: lines due → leased)', /^update "batch_jobs" set .*"attempts" = "attempts" \+/s],
  ['counts (request_counts, close-if-done)', /^select "state", count\(\*\)/s],
  ['finish (a line\'s result)', /^update "batch_jobs" set "state" = \?, "result"/s],
];
const OTHER = 'other statements';

export interface SqlKindTotal {
  kind: string;
  calls: number;
  ms: number;
}

type Method = 'all' | 'run' | 'get';
type Fn = (this: StatementSync, ...args: unknown[]) => unknown;

/** Starts timing; `stop()` restores the prototype and returns totals per kind (largest first). */
export function timeSqlite(): { stop(): SqlKindTotal[] } {
  const totals = new Map<string, SqlKindTotal>();
  const kindOf = new Map<string, string>();
  const proto = StatementSync.prototype as unknown as Record<Method, Fn>;
  const originals = new Map<Method, Fn>();
  for (const m of ['all', 'run', 'get'] as const) {
    const orig = proto[m];
    originals.set(m, orig);
    proto[m] = function (this: StatementSync, ...args: unknown[]): unknown {
      const t0 = performance.now();
      try {
        return orig.apply(this, args);
      } finally {
        const ms = performance.now() - t0;
        const sql = this.sourceSQL;
        let kind = kindOf.get(sql);
        if (kind === undefined) {
          kind = KINDS.find(([, re]) => re.test(sql))?.[0] ?? OTHER;
          kindOf.set(sql, kind);
        }
        const t = totals.get(kind) ?? { kind, calls: 0, ms: 0 };
        t.calls++;
        t.ms += ms;
        totals.set(kind, t);
      }
    };
  }
  return {
    stop() {
      for (const [m, fn] of originals) proto[m] = fn;
      return [...totals.values()].sort((a, b) => b.ms - a.ms);
    },
  };
}
