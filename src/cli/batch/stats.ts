/**
 * Counters of a run, and the text of the progress line and the closing summary.
 */
import { cell } from '../table.ts';

export class BatchStats {
  /** Non-empty input lines. */
  total = 0;
  /** Items skipped because the output already has a 2xx answer for them. */
  skipped = 0;
  /** Bad input lines (failures, written as error lines). */
  bad = 0;
  /** 2xx answers this run. */
  ok = 0;
  /** Non-2xx answers and errors this run (bad input lines not included). */
  failed = 0;
  /** Why items failed: `HTTP 400`, `timeout`, ... → count. */
  failures = new Map<string, number>();
  retries = 0;
  /** Images in the 2xx image answers of this run. */
  images = 0;
  imageFiles = 0;
  downloadErrors = 0;
  reportedUsd = 0;
  reportedAnswers = 0;
  estimatedUsd = 0;
  estimatedAnswers = 0;
  /** 2xx answers of this run with neither a reported cost nor a price in the built-in table. */
  unpricedAnswers = 0;
  readonly startedAt: number;

  constructor(now = Date.now()) {
    this.startedAt = now;
  }

  fail(reason: string): void {
    this.failed++;
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
  }

  /** Items finished this run (answered or failed). */
  get finished(): number {
    return this.ok + this.failed;
  }

  /** Lines accounted for: skipped + bad + finished. */
  get done(): number {
    return this.skipped + this.bad + this.finished;
  }
}

/** `950ms`, `12.3s`, `4m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
}

function perMinute(count: number, ms: number): number {
  return ms > 0 ? (count * 60_000) / ms : 0;
}

function rate(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}

export interface ProgressFigures {
  done: number;
  total: number;
  ok: number;
  failed: number;
  reqPerMin: string;
  imgPerMin: string;
  eta: string;
}

/** The figures shown by the progress bar and the periodic non-TTY line. */
export function progressFigures(stats: BatchStats, now = Date.now()): ProgressFigures {
  const elapsed = now - stats.startedAt;
  const reqRate = perMinute(stats.finished, elapsed);
  const remaining = stats.total - stats.done;
  const eta = remaining <= 0 ? '0s' : stats.finished > 0 && reqRate > 0 ? formatDuration((remaining / reqRate) * 60_000) : '?';
  return {
    done: stats.done,
    total: stats.total,
    ok: stats.ok,
    failed: stats.failed + stats.bad,
    reqPerMin: rate(reqRate),
    imgPerMin: rate(perMinute(stats.images, elapsed)),
    eta,
  };
}

/** The periodic progress line printed when stderr is not a terminal. */
export function progressLine(f: ProgressFigures): string {
  return `sluice batch: ${f.done}/${f.total} done, ${f.ok} ok, ${f.failed} failed, ${f.reqPerMin} req/min, ${f.imgPerMin} images/min, ETA ${f.eta}`;
}

function usd(n: number): string {
  return `$${n.toFixed(n >= 100 ? 2 : 4)}`;
}

export interface SummaryContext {
  output: string;
  imagesDir?: string;
  /** Items not run because the run was interrupted. */
  notRun: number;
  interrupted: boolean;
  now?: number;
}

/** The closing summary (several lines, no trailing newline). */
export function formatSummary(stats: BatchStats, ctx: SummaryContext): string {
  const wall = (ctx.now ?? Date.now()) - stats.startedAt;
  const out: string[] = [];
  out.push(`sluice batch: ${ctx.interrupted ? 'interrupted' : 'finished'} after ${formatDuration(wall)}`);
  const row = (label: string, value: string | number, note = '') => out.push(`  ${label.padEnd(9)} ${String(value).padStart(7)}${note ? `  ${note}` : ''}`);
  row('lines', stats.total);
  row('skipped', stats.skipped, 'already done in the output');
  row('ok', stats.ok);
  const reasons = [...stats.failures.entries()].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${n}× ${cell(r)}`);
  if (stats.bad > 0) reasons.push(`${stats.bad}× bad input line`);
  row('failed', stats.failed + stats.bad, reasons.join(', '));
  if (ctx.interrupted || ctx.notRun > 0) row('not run', ctx.notRun, 'run the same command again to resume');
  row('retries', stats.retries);
  row('req/min', rate(perMinute(stats.finished, wall)));
  if (stats.images > 0) {
    row('images', stats.images, `${rate(perMinute(stats.images, wall))} images/min`);
    if (ctx.imagesDir) row('files', stats.imageFiles, `in ${ctx.imagesDir}`);
  }
  if (stats.downloadErrors > 0) row('downloads', stats.downloadErrors, 'image downloads failed (their URLs are kept in the output)');
  if (stats.reportedAnswers > 0) row('cost', usd(stats.reportedUsd), `reported by the server for ${stats.reportedAnswers} answers`);
  if (stats.estimatedAnswers > 0) {
    const unpriced = stats.unpricedAnswers > 0 ? `; ${stats.unpricedAnswers} answers of other models not included` : '';
    row(stats.reportedAnswers > 0 ? 'cost+' : 'cost', `~${usd(stats.estimatedUsd)}`, `estimated from usage for ${stats.estimatedAnswers} answers${unpriced}`);
  }
  out.push(`  output    ${ctx.output}`);
  return out.join('\n');
}
