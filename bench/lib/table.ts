/**
 * The two tables of the report, defined once as columns and rendered twice: aligned plain
 * text for the terminal and Markdown for docs/BENCHMARKS.md, so they cannot disagree.
 */
import type { Row } from './metrics.ts';

type Column = [header: string, cell: (r: Row) => string];

const int = (x: number): string => Math.round(x).toLocaleString('en-US');
const pct = (x: number, digits = 1): string => `${x.toFixed(digits)} %`;
const ms = (x: number | undefined): string => (x === undefined ? '–' : int(x));

/** "code ×count" pairs, largest first; "none" when no client saw an error. */
export function errorsCell(errors: Record<string, number>): string {
  const list = Object.entries(errors).sort((a, b) => b[1] - a[1]);
  return list.length ? list.map(([code, n]) => `${code} ×${int(n)}`).join(', ') : 'none';
}

function waitCell(r: Row): string {
  const parts = (['high', 'normal', 'low'] as const).filter((p) => r.wait[p]).map((p) => `${p[0].toUpperCase()} ${ms(r.wait[p]?.p50)}/${ms(r.wait[p]?.p95)}`);
  return parts.length ? parts.join(' · ') : '–';
}

function sharesCell(r: Row): string {
  const list = Object.entries(r.shares);
  return list.length > 1 ? list.map(([c, s]) => `${c} ${Math.round(100 * s)} %`).join(', ') : '–';
}

function cpuCell(r: Row): string {
  if (r.schedulerCpuMicros === undefined) return '–';
  return r.schedulerCpuMicros === null ? 'n/a' : r.schedulerCpuMicros.toFixed(1);
}

/** Throughput, errors and the simulator's judgement. */
export const THROUGHPUT: Column[] = [
  ['scenario', (r) => r.scenario],
  ['strategy', (r) => r.strategy],
  ['done / offered', (r) => `${int(r.completed)} / ${int(r.offered)}`],
  ['done/min', (r) => int(r.perMin)],
  ['capacity/min', (r) => int(r.capacityPerMin)],
  ['% of capacity', (r) => pct((100 * r.perMin) / r.capacityPerMin)],
  ['client errors by code', (r) => (r.failure ? `RUN FAILED: ${r.failure}` : errorsCell(r.errors))],
  ['upstream calls', (r) => int(r.upstreamCalls)],
  ['upstream 429 / 1k calls', (r) => (r.upstreamCalls ? ((1000 * r.upstream429) / r.upstreamCalls).toFixed(1) : '–')],
  ['violations', (r) => int(r.violations)],
  ['success', (r) => pct(r.successPct, 2)],
];

/** Waiting, fairness and cost. */
export const WAITS: Column[] = [
  ['scenario', (r) => r.scenario],
  ['strategy', (r) => r.strategy],
  ['queue wait p50/p95 ms (H · N · L)', waitCell],
  ['high p95 ms during low backlog', (r) => ms(r.highP95DuringBacklog)],
  ['shares of completions', sharesCell],
  ['Jain', (r) => (r.jain === undefined ? '–' : r.jain.toFixed(3))],
  ['scheduler CPU µs/req', cpuCell],
  ['process CPU µs/req', (r) => int(r.processCpuMicros)],
  ['loop p99 ms', (r) => r.loopP99Ms.toFixed(1)],
  ['wall s', (r) => `${(r.wallMs / 1000).toFixed(1)}${r.timedOut ? ' (hard timeout)' : ''}`],
];

/** Aligned plain text with a rule under the header. */
export function renderText(columns: Column[], rows: Row[]): string {
  const cells = [columns.map((c) => c[0]), ...rows.map((r) => columns.map((c) => c[1](r)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  const line = (l: string[]): string => l.map((s, i) => s.padEnd(widths[i])).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** A GitHub-flavoured Markdown table. */
export function renderMarkdown(columns: Column[], rows: Row[]): string {
  const esc = (s: string): string => s.replaceAll('|', '\\|');
  const head = `| ${columns.map((c) => c[0]).join(' | ')} |`;
  const rule = `| ${columns.map(() => '---').join(' | ')} |`;
  return [head, rule, ...rows.map((r) => `| ${columns.map((c) => esc(c[1](r))).join(' | ')} |`)].join('\n');
}
