/**
 * The issue's targets, judged from the rows (never written by hand). Each target says which
 * scenarios it applies to; Sluice's value gets ✅/❌, the baselines' values are shown beside
 * it for comparison.
 */
import type { Row } from './metrics.ts';
import type { Scenario } from './types.ts';

interface Target {
  name: (s: Scenario) => string;
  applies: (s: Scenario) => boolean;
  value: (r: Row, s: Scenario) => number | undefined;
  pass: (v: number, s: Scenario) => boolean;
  format: (v: number) => string;
}

export interface TargetLine {
  target: string;
  scenario: string;
  /** Strategy name → formatted value ("no data" when absent). */
  values: Record<string, string>;
  /** Sluice's verdict; undefined when Sluice was not run. */
  pass?: boolean;
}

const TARGETS: Target[] = [
  {
    name: () => '≥ 95 % of theoretical capacity',
    applies: (s) => !!s.checks.throughput,
    value: (r) => (100 * r.perMin) / r.capacityPerMin,
    pass: (v) => v >= 95,
    format: (v) => `${v.toFixed(1)} %`,
  },
  {
    name: () => 'zero client-visible 429 (offered work fits the deadline)',
    applies: (s) => !!s.checks.fitsDeadline,
    value: (r) => r.client429,
    pass: (v) => v === 0,
    format: (v) => `${v.toLocaleString('en-US')} × 429`,
  },
  {
    name: () => '≤ 5 upstream 429 per 1,000 upstream calls',
    applies: () => true,
    value: (r) => (r.upstreamCalls ? (1000 * r.upstream429) / r.upstreamCalls : undefined),
    pass: (v) => v <= 5,
    format: (v) => v.toFixed(1),
  },
  {
    name: (s) => `high-priority p95 queue wait < one refill interval (${Math.round(s.checks.refillIntervalMs ?? 0)} ms) during low backlog`,
    applies: (s) => s.checks.refillIntervalMs !== undefined,
    value: (r) => r.highP95DuringBacklog,
    pass: (v, s) => v < (s.checks.refillIntervalMs ?? 0),
    format: (v) => `${Math.round(v).toLocaleString('en-US')} ms`,
  },
  {
    name: () => 'client success ≥ 99.9 %',
    applies: (s) => !!s.checks.success,
    value: (r) => r.successPct,
    pass: (v) => v >= 99.9,
    format: (v) => `${v.toFixed(2)} %`,
  },
];

/** Judges every applicable target of every scenario that was run. */
export function judge(scenarios: Scenario[], rows: Row[]): TargetLine[] {
  const lines: TargetLine[] = [];
  for (const s of scenarios) {
    for (const t of TARGETS.filter((x) => x.applies(s))) {
      const values: Record<string, string> = {};
      let pass: boolean | undefined;
      for (const r of rows.filter((x) => x.scenario === s.id)) {
        const v = r.failure ? undefined : t.value(r, s);
        values[r.strategy] = v === undefined ? (r.strategy === 'sluice' ? 'no data' : 'n/a') : t.format(v);
        if (r.strategy === 'sluice') pass = v !== undefined && t.pass(v, s);
      }
      lines.push({ target: t.name(s), scenario: s.id, values, pass });
    }
  }
  return lines;
}

/** Scheduler CPU per request by scenario ("n/a" until the gateway reports it). */
export function schedulerCpuSummary(rows: Row[]): string {
  const sl = rows.filter((r) => r.strategy === 'sluice');
  return sl.map((r) => `${r.scenario}: ${r.schedulerCpuMicros == null ? 'n/a' : `${r.schedulerCpuMicros.toFixed(1)} µs`}`).join(' · ') || '–';
}

/** Markdown (or, with `plain`, text) list of target lines. */
export function renderTargets(lines: TargetLine[], strategies: string[], plain = false): string {
  const mark = (l: TargetLine): string => (l.pass === undefined ? '–' : l.pass ? '✅' : '❌');
  const rows = lines.map((l) => [l.scenario, l.target, ...strategies.map((s) => l.values[s] ?? '–'), mark(l)]);
  const head = ['scenario', 'target', ...strategies, 'sluice meets it'];
  if (plain) return [head, ...rows].map((r) => r.join('  |  ')).join('\n');
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
