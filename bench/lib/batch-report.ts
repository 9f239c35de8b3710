/**
 * The numbers of `bench:batch` and how they are shown: everything is derived here from what the
 * run measured (the batch's progress timeline, the downloaded files, the simulator's counters,
 * the interactive probes), then rendered twice — aligned text for the terminal and Markdown for
 * docs/BENCHMARKS.md — from the same rows, so the two cannot disagree. The verdict is computed,
 * never written by hand.
 */
import { machine } from './doc.ts';
import { type ProbeResult, p50p95 } from './batch-probe.ts';
import type { SqlKindTotal } from './sqlite-timer.ts';

/** What was run: the fleet, the batch and the probes. */
export interface BatchSetup {
  lines: number;
  accounts: number;
  /** gpt-image-1 images per minute per account. */
  ipm: number;
  /** gpt-4o-mini requests per minute per account (the chat probe's model, same accounts). */
  chatRpm: number;
  timeScale: number;
  quick: boolean;
  /** Unscaled simulator latencies (ms). */
  imageLatencyMs: number;
  chatLatencyMs: number;
  /** `batch.concurrency` of the gateway. */
  concurrency: number;
  probes: Array<{ name: string; intervalMs: number; what: string }>;
  /** Real ms after which the run cancels the batch and reports what it has. */
  hardTimeoutMs: number;
  storeFile: string;
  /** Which code was measured (git commit, and whether src/ had uncommitted changes). */
  code: string;
}

/** One poll of the batch (ms since `batches.create` was called). */
export interface Sample {
  t: number;
  completed: number;
  failed: number;
  /** Requests the simulator is processing now (all accounts, all models). */
  upstreamInFlight: number;
  /** Lines the gateway's batch runner holds (leased: waiting in the scheduler or upstream). */
  runnerInFlight: number;
}

/** What the downloaded output and error files contain, checked against the input. */
export interface Verification {
  outputLines: number;
  errorLines: number;
  /** Input custom_ids seen exactly once across both files. */
  exactlyOnce: number;
  missing: number;
  duplicated: number;
  /** custom_ids in the files that were not in the input. */
  unexpected: number;
  /** Output lines whose response is not a 200 with image data. */
  badOutput: number;
}

export interface BatchOutcome {
  /** Final status of the batch (`completed`, or what it was when the hard timeout hit). */
  status: string;
  timedOut: boolean;
  uploadMs: number;
  /** From calling `batches.create` to seeing `completed` (real ms). */
  wallMs: number;
  downloadMs: number;
  counts: { total: number; completed: number; failed: number };
  samples: Sample[];
  verification: Verification;
  sim: { imageAccepted: number; chatAccepted: number; violations: number; rateLimited: number; faults: number; maxInFlight: number };
  probes: ProbeResult[];
  /** The chat probe on the idle gateway before the batch, for comparison. */
  idleChat?: ProbeResult;
  /** Event-loop lateness (delay beyond the histogram's resolution), mean and p99, real ms. */
  loopLateMeanMs: number;
  loopLateP99Ms: number;
  /** Time inside (synchronous) SQLite statements between create and completion, by kind. */
  sql: SqlKindTotal[];
  /** Process CPU (user + system) over create → completed, as % of one core. */
  cpuPctOfCore: number;
}

/** Every derived figure, in real ms unless named otherwise. */
export interface Derived {
  windowMs: number;
  capacityPerMin: number;
  imageMs: number;
  refillMs: number;
  probeImages: number;
  minimumMs: number;
  minimumWithProbesMs: number;
  ratio: number;
  ratioWithProbes: number;
  capacityUsedPct: number;
  t10?: number;
  t90?: number;
  firstDoneMs?: number;
  rampExcessMs?: number;
  steadyExcessMs?: number;
  tailExcessMs?: number;
  steadyPerMin?: number;
  steadyUpstreamInFlight?: number;
  steadyRunnerInFlight?: number;
  idealInFlight: number;
}

/** Time at which `target` lines were done, linearly interpolated between polls. */
function timeAt(samples: readonly Sample[], target: number): number | undefined {
  let prev = { t: 0, done: 0 };
  for (const s of samples) {
    const done = s.completed + s.failed;
    if (done >= target) {
      if (done === prev.done) return s.t;
      return prev.t + ((target - prev.done) / (done - prev.done)) * (s.t - prev.t);
    }
    prev = { t: s.t, done };
  }
  return undefined;
}

function mean(xs: readonly number[]): number | undefined {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
}

export function derive(s: BatchSetup, o: BatchOutcome): Derived {
  const windowMs = 60_000 * s.timeScale;
  const capacityPerMin = s.accounts * s.ipm;
  const imageMs = s.imageLatencyMs * s.timeScale;
  const probeImages = o.probes.filter((p) => p.name === 'image').reduce((n, p) => n + p.ok, 0);
  const perLineMs = windowMs / capacityPerMin;
  const minimumMs = s.lines * perLineMs + imageMs;
  const minimumWithProbesMs = (s.lines + probeImages) * perLineMs + imageMs;
  const d: Derived = {
    windowMs,
    capacityPerMin,
    imageMs,
    refillMs: windowMs / s.ipm,
    probeImages,
    minimumMs,
    minimumWithProbesMs,
    ratio: o.wallMs / minimumMs,
    ratioWithProbes: o.wallMs / minimumWithProbesMs,
    capacityUsedPct: (100 * ((s.lines + probeImages) * perLineMs)) / Math.max(1, o.wallMs - imageMs),
    idealInFlight: (capacityPerMin / windowMs) * imageMs,
  };
  if (o.timedOut) return d;
  const n10 = Math.max(1, Math.round(0.1 * s.lines));
  const n90 = Math.round(0.9 * s.lines);
  d.firstDoneMs = timeAt(o.samples, 1);
  d.t10 = timeAt(o.samples, n10);
  d.t90 = timeAt(o.samples, n90);
  if (d.t10 === undefined || d.t90 === undefined || d.t90 <= d.t10) return d;
  // The minimum split the same way: one image latency plus the first 10 % at full rate, then
  // 80 % at full rate, then the last 10 %. Excess = measured − ideal, per phase; they add up
  // to wall − minimum.
  d.rampExcessMs = d.t10 - (imageMs + n10 * perLineMs);
  d.steadyExcessMs = d.t90 - d.t10 - (n90 - n10) * perLineMs;
  d.tailExcessMs = o.wallMs - d.t90 - (s.lines - n90) * perLineMs;
  d.steadyPerMin = ((n90 - n10) / (d.t90 - d.t10)) * windowMs;
  const t10 = d.t10;
  const t90 = d.t90;
  const steady = o.samples.filter((x) => x.t >= t10 && x.t <= t90);
  d.steadyUpstreamInFlight = mean(steady.map((x) => x.upstreamInFlight));
  d.steadyRunnerInFlight = mean(steady.map((x) => x.runnerInFlight));
  return d;
}

// ---------------------------------------------------------------- formatting

const int = (x: number): string => Math.round(x).toLocaleString('en-US');
const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const scaledMin = (ms: number, d: Derived): string => `${(ms / d.windowMs).toFixed(2)} min`;
const both = (ms: number, d: Derived): string => `${scaledMin(ms, d)} (${sec(ms)} real)`;
const signed = (ms: number, d: Derived): string => `${ms >= 0 ? '+' : '−'}${(Math.abs(ms) / d.windowMs).toFixed(2)} min (${ms >= 0 ? '+' : '−'}${sec(Math.abs(ms))})`;

function probeCell(p: ProbeResult | undefined, pick: 'queueMs' | 'latencyMs'): string {
  if (!p) return '–';
  const q = p50p95(p[pick]);
  return q ? `${int(q.p50)} / ${int(q.p95)} ms` : 'no answers';
}

function errorsOf(p: ProbeResult): string {
  const list = Object.entries(p.errors);
  return list.length ? list.map(([c, n]) => `${c} ×${n}`).join(', ') : 'none';
}

/** [metric, value] rows of the result table. */
export function tableRows(s: BatchSetup, o: BatchOutcome, d: Derived): Array<[string, string]> {
  const v = o.verification;
  const rows: Array<[string, string]> = [
    ['lines (gpt-image-1, quality low)', int(s.lines)],
    ['batch status', o.timedOut ? `${o.status} — HARD TIMEOUT after ${sec(s.hardTimeoutMs)}` : o.status],
    ['request_counts completed / failed / total', `${int(o.counts.completed)} / ${int(o.counts.failed)} / ${int(o.counts.total)}`],
    ['upload (files.create)', sec(o.uploadMs)],
    [o.timedOut ? 'time until the hard timeout cancelled it' : 'completion time (batches.create → completed)', both(o.wallMs, d)],
    ['theoretical minimum (lines ÷ pool images/min + one image latency)', both(d.minimumMs, d)],
    ['completion time ÷ minimum', o.timedOut ? '– (not completed)' : `${d.ratio.toFixed(3)}×`],
    [`minimum incl. the ${int(d.probeImages)} probe images`, `${both(d.minimumWithProbesMs, d)} → ${o.timedOut ? '–' : `${d.ratioWithProbes.toFixed(3)}×`}`],
    ['% of pool capacity used (images ÷ capacity over time − one latency)', o.timedOut ? '– (not completed)' : `${d.capacityUsedPct.toFixed(1)} %`],
  ];
  if (d.rampExcessMs !== undefined && d.steadyExcessMs !== undefined && d.tailExcessMs !== undefined && d.steadyPerMin !== undefined) {
    rows.push(
      ['first line done', d.firstDoneMs === undefined ? '–' : `${both(d.firstDoneMs, d)} (one image = ${sec(d.imageMs)})`],
      ['steady rate, 10 %→90 % of lines', `${int(d.steadyPerMin)} images/min (${((100 * d.steadyPerMin) / d.capacityPerMin).toFixed(1)} % of ${int(d.capacityPerMin)})`],
      ['time above minimum: ramp (to 10 %) · steady (10–90 %) · tail (last 10 %)', `${signed(d.rampExcessMs, d)} · ${signed(d.steadyExcessMs, d)} · ${signed(d.tailExcessMs, d)}`],
      [
        'mean in flight during steady state: upstream · batch runner (ideal upstream)',
        `${d.steadyUpstreamInFlight === undefined ? '–' : int(d.steadyUpstreamInFlight)} · ${d.steadyRunnerInFlight === undefined ? '–' : int(d.steadyRunnerInFlight)} (${int(d.idealInFlight)}; concurrency ${int(s.concurrency)})`,
      ],
    );
  }
  rows.push(
    ['output / error file lines', `${int(v.outputLines)} / ${int(v.errorLines)}`],
    ['custom_ids exactly once · missing · duplicated · unexpected', `${int(v.exactlyOnce)} · ${int(v.missing)} · ${int(v.duplicated)} · ${int(v.unexpected)}`],
    ['output lines without a 200 image answer', int(v.badOutput)],
    ['upstream image calls (batch lines + probe images)', `${int(o.sim.imageAccepted)} (${int(s.lines)} + ${int(d.probeImages)})`],
    ['simulator violations · 429s · faults', `${int(o.sim.violations)} · ${int(o.sim.rateLimited)} · ${int(o.sim.faults)}`],
    ['download + verify (files.content ×2)', sec(o.downloadMs)],
  );
  for (const p of o.probes) {
    rows.push([
      `interactive ${p.name} (high): sent · ok · errors`,
      `${int(p.sent)} · ${int(p.ok)} · ${errorsOf(p)}`,
    ]);
    rows.push([`interactive ${p.name}: x-sluice-queue-ms p50 / p95`, probeCell(p, 'queueMs')]);
    rows.push([`interactive ${p.name}: client latency p50 / p95`, probeCell(p, 'latencyMs')]);
  }
  if (o.idleChat) rows.push(['chat on the idle gateway (before the batch): latency p50 / p95', probeCell(o.idleChat, 'latencyMs')]);
  rows.push(['process CPU · event-loop lateness mean / p99', `${o.cpuPctOfCore.toFixed(0)} % of one core · ${o.loopLateMeanMs.toFixed(1)} / ${o.loopLateP99Ms.toFixed(1)} ms`]);
  const sqlMs = o.sql.reduce((n, k) => n + k.ms, 0);
  rows.push(['SQLite time (synchronous: blocks the event loop)', `${sec(sqlMs)} = ${((100 * sqlMs) / o.wallMs).toFixed(1)} % of the completion time, ${(sqlMs / s.lines).toFixed(2)} ms per line`]);
  for (const k of o.sql) rows.push([`  ${k.kind}`, `${int(k.calls)} calls × ${(k.ms / Math.max(1, k.calls)).toFixed(3)} ms = ${sec(k.ms)}`]);
  return rows;
}

/** One computed check of the verdict. */
export interface Check {
  name: string;
  value: string;
  pass: boolean;
}

/**
 * Whether this process, not the pool, set the pace: a paced low-priority slot that starts late
 * is lost (the next one is a refill interval after it), so an event loop late by a sizeable share
 * of the refill interval, or a saturated core, makes the run measure the machine.
 */
export function machineBound(o: BatchOutcome, d: Derived): boolean {
  return o.loopLateP99Ms >= d.refillMs / 2 || o.cpuPctOfCore >= 90;
}

/** The target for completion time: 95 % of capacity, as bench:pool asks of interactive load. */
export const MAX_RATIO = 1 / 0.95;

export function checks(s: BatchSetup, o: BatchOutcome, d: Derived): Check[] {
  const v = o.verification;
  const list: Check[] = [
    { name: 'the batch completed before the hard timeout', value: o.timedOut ? `no (${o.status})` : o.status, pass: !o.timedOut && o.status === 'completed' },
    {
      name: 'every custom_id exactly once, none missing or unexpected',
      value: `${int(v.exactlyOnce)} of ${int(s.lines)}`,
      pass: v.exactlyOnce === s.lines && v.missing === 0 && v.duplicated === 0 && v.unexpected === 0,
    },
    { name: 'zero failed lines', value: `${int(o.counts.failed)} failed, ${int(v.errorLines)} error-file lines, ${int(v.badOutput)} bad outputs`, pass: o.counts.failed === 0 && v.errorLines === 0 && v.badOutput === 0 },
    { name: 'zero simulator violations and zero upstream 429', value: `${int(o.sim.violations)} violations, ${int(o.sim.rateLimited)} × 429`, pass: o.sim.violations === 0 && o.sim.rateLimited === 0 },
    {
      name: `completion time ≤ ${MAX_RATIO.toFixed(3)}× the minimum incl. probe images (≥ 95 % of capacity)`,
      value: o.timedOut ? 'not completed' : `${d.ratioWithProbes.toFixed(3)}×`,
      pass: !o.timedOut && d.ratioWithProbes <= MAX_RATIO,
    },
  ];
  for (const p of o.probes) {
    const q = p50p95(p.queueMs);
    list.push({
      name: `interactive ${p.name}: all answered 200, p95 queue wait < one refill interval (${int(d.refillMs)} ms)`,
      value: q ? `${int(p.ok)}/${int(p.sent)} ok, p95 ${int(q.p95)} ms` : `${int(p.ok)}/${int(p.sent)} ok`,
      pass: q !== undefined && p.ok === p.sent && q.p95 < d.refillMs,
    });
  }
  return list;
}

/** Plain sentences built from the numbers. */
export function verdict(s: BatchSetup, o: BatchOutcome, d: Derived, cs: Check[]): string[] {
  const out: string[] = [];
  const failed = cs.filter((c) => !c.pass);
  out.push(failed.length === 0 ? `**All ${cs.length} checks pass.**` : `**${failed.length} of ${cs.length} checks fail**: ${failed.map((c) => c.name).join('; ')}.`);
  if (o.timedOut) {
    out.push(`The batch did not complete within the hard timeout (${sec(s.hardTimeoutMs)}): ${int(o.counts.completed + o.counts.failed)} of ${int(s.lines)} lines were done when it was cancelled.`);
    return out;
  }
  const over = o.wallMs - d.minimumMs;
  out.push(
    `${int(s.lines)} image lines took ${scaledMin(o.wallMs, d)} against a theoretical minimum of ${scaledMin(d.minimumMs, d)}: ` +
      `${d.ratio.toFixed(3)}× (${d.ratioWithProbes.toFixed(3)}× counting the ${int(d.probeImages)} interactive images that shared the pool), ` +
      `${d.capacityUsedPct.toFixed(1)} % of the pool's image capacity used.`,
  );
  if (d.rampExcessMs !== undefined && d.steadyExcessMs !== undefined && d.tailExcessMs !== undefined && d.steadyPerMin !== undefined) {
    const parts: Array<[string, number]> = [
      ['ramp-up (until 10 % of lines were done)', d.rampExcessMs],
      ['steady state (10–90 %)', d.steadyExcessMs],
      ['tail (last 10 %)', d.tailExcessMs],
    ];
    const worst = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
    out.push(
      `Of the ${signed(over, d)} above the minimum, ramp-up accounts for ${signed(d.rampExcessMs, d)}, steady state for ${signed(d.steadyExcessMs, d)} ` +
        `(${int(d.steadyPerMin)} batch images/min, ${((100 * d.steadyPerMin) / d.capacityPerMin).toFixed(1)} % of capacity, while the probe took about ${int((d.probeImages / o.wallMs) * d.windowMs)}/min) and the tail for ${signed(d.tailExcessMs, d)}; ` +
        `the largest share is the ${worst[0]}.` +
        (d.steadyUpstreamInFlight !== undefined ? ` In steady state the simulator had ${int(d.steadyUpstreamInFlight)} requests in flight on average (a pool at full rate holds ${int(d.idealInFlight)}).` : ''),
    );
  }
  const sqlMs = o.sql.reduce((n, k) => n + k.ms, 0);
  const top = o.sql[0];
  out.push(
    `This one process (simulator, gateway, clients) used ${o.cpuPctOfCore.toFixed(0)} % of one core; its event loop ran timers ${o.loopLateMeanMs.toFixed(1)} ms late on average ` +
      `(p99 ${o.loopLateP99Ms.toFixed(1)} ms) against a refill interval of ${int(d.refillMs)} ms. SQLite statements, which run synchronously on that loop, took ${sec(sqlMs)} ` +
      `(${((100 * sqlMs) / o.wallMs).toFixed(1)} % of the completion time, ${(sqlMs / s.lines).toFixed(2)} ms per line)` +
      (top ? `, most of it in ${top.kind.replace(/ \(.*\)$/, '')} (${int(top.calls)} calls × ${(top.ms / Math.max(1, top.calls)).toFixed(2)} ms).` : '.') +
      (machineBound(o, d)
        ? ' **The run was limited by this machine**, not by the pool: late timers lose paced slots, so the completion time overstates what the gateway needs; a larger `--time-scale` lowers the real request rate.'
        : ' The machine was not the limit (lateness p99 below half a refill interval, CPU below 90 % of a core).'),
  );
  for (const p of o.probes) {
    const q = p50p95(p.queueMs);
    if (!q) continue;
    const ok = q.p95 < d.refillMs;
    out.push(
      `High-priority ${p.name} requests sent while the batch ran waited p50 ${int(q.p50)} ms / p95 ${int(q.p95)} ms in the gateway's queue ` +
        `(${int(p.ok)} of ${int(p.sent)} answered 200): ${ok ? 'below' : 'NOT below'} one refill interval (${int(d.refillMs)} ms), so interactive traffic ${ok ? 'was not' : 'WAS'} queued behind the batch.`,
    );
  }
  return out;
}

// ---------------------------------------------------------------- rendering

export function renderTextTable(rows: Array<[string, string]>): string {
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

function md(rows: string[][]): string {
  const esc = (x: string): string => x.replaceAll('|', '\\|');
  return [`| ${rows[0].map(esc).join(' | ')} |`, `| ${rows[0].map(() => '---').join(' | ')} |`, ...rows.slice(1).map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export const HEADING = '## bench:batch';

/** The whole `## bench:batch` section of docs/BENCHMARKS.md. */
export function section(command: string, s: BatchSetup, o: BatchOutcome): string {
  const d = derive(s, o);
  const cs = checks(s, o, d);
  const ts = s.timeScale;
  const probeLines = s.probes.map((p) => `  - **${p.name}**: ${p.what}, one every ${p.intervalMs} ms real (${(d.windowMs / p.intervalMs).toFixed(0)} per scaled minute).`);
  return [
    HEADING,
    '',
    `Generated by \`${command}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; the next run replaces this section (do not edit by hand).`,
    '',
    `- **Machine**: ${machine()}. Simulator, gateway, batch client and probes share this one process, on 127.0.0.1.`,
    `- **Time scale**: ${ts} — a limit window ("minute") lasts ${int(d.windowMs)} ms; an image takes ${int(d.imageMs)} ms (${s.imageLatencyMs / 1000} s unscaled), a chat answer ${int(s.chatLatencyMs * ts)} ms (${s.chatLatencyMs} ms unscaled). "min" means scaled minutes; every ms and s figure is real time.`,
    `- **Code**: ${s.code}.`,
    `- **Run**: ${s.quick ? '`--quick` (fewer lines: a smoke run, not the reference numbers)' : 'full counts'}; hard timeout ${sec(s.hardTimeoutMs)} real (the batch is then cancelled and reported as not completed).`,
    '',
    '### Setup',
    '',
    `- **Simulator**: ${s.accounts} accounts × gpt-image-1 {ipm ${s.ipm}} = ${int(d.capacityPerMin)} images/min, each also serving gpt-4o-mini {rpm ${s.chatRpm}} (a separate limit of the same account, as on OpenAI).`,
    `- **Gateway**: \`createApp\` on port 0 with the same ${s.accounts} accounts and limits, \`scheduler.timeScale\` ${ts}, \`batch.concurrency\` ${int(s.concurrency)} (the pool holds capacity × latency = ${int(d.idealInFlight)} images in flight at full rate), other \`batch.*\` settings at their defaults (real ms, not scaled: they only matter for retries and idle polling), store on a temporary SQLite **file** (WAL, like the default \`./data/sluice.db\`).`,
    `- **Batch**: one client uploads a ${int(s.lines)}-line \`/v1/images/generations\` JSONL (gpt-image-1, quality low, 1024×1024) with the official \`openai\` client (\`files.create\` + \`toFile\`), creates the batch, polls \`batches.retrieve\` every 100 ms (request_counts; progress printed every few seconds), then downloads the output and error files (\`files.content\`) and checks them against the input.`,
    `- **Interactive probe**: a second client (priority high) sends, from \`batches.create\` until the batch completes, an open-loop trickle with \`x-sluice-priority: high\` through the same gateway:`,
    ...probeLines,
    '  Chat on the same accounts shows whether anything the batch holds per account (connections, circuit, the process) delays another model; the image probe competes with the batch for the **same** ipm quota, which is the case priority must handle. The gateway queues per model, so only the image probe can be queued behind batch lines at all; the chat probe is also run on the idle gateway before the batch for comparison.',
    '',
    '### Results',
    '',
    md([['metric', 'value'], ...tableRows(s, o, d)]),
    '',
    '### Checks (computed from the numbers above)',
    '',
    md([['check', 'measured', 'pass'], ...cs.map((c) => [c.name, c.value, c.pass ? '✅' : '❌'])]),
    '',
    '### Verdict',
    '',
    ...verdict(s, o, d, cs).flatMap((l) => [l, '']),
    '### How the numbers are computed',
    '',
    `- **Theoretical minimum** = lines ÷ (accounts × ipm) scaled minutes + one image latency: the pool cannot complete more than its quota per minute, and the last image takes one latency after it was admitted. **% of capacity used** = (lines + probe images) ÷ capacity, over the completion time minus one latency.`,
    `- **Completion time** runs from the \`batches.create\` call to the first poll that sees \`completed\` (100 ms polls: at most ${((100 / d.windowMs) * 100).toFixed(1)} % of a minute late). Upload and download are reported apart.`,
    `- **Ramp / steady / tail**: the times at which 10 % and 90 % of the lines were done (interpolated between polls) split the run; each phase's excess is its measured length minus its length at full rate (the ramp's ideal includes the one image latency), so the three add up to completion time − minimum.`,
    '- **In flight**: sampled with each poll — the simulator\'s open requests (`sim.stats()`) and the lines the gateway\'s batch runner holds (leased lines waiting in the scheduler or upstream).',
    `- **Queue wait**: \`x-sluice-queue-ms\` of the probes' 200 answers, nearest-rank p50/p95. One refill interval = one window ÷ ipm = ${int(d.refillMs)} ms: how long one account needs to free one image slot at a steady rate.`,
    '- **Violations / 429**: `sim.stats()` totals — calls that arrived when an account had no room, and every 429 the simulator gave.',
    `- **Event-loop lateness**: \`monitorEventLoopDelay\` (10 ms resolution) minus its resolution, from create to completion. **Limited by this machine** when its p99 reaches half a refill interval or the process uses ≥ 90 % of a core.`,
    "- **SQLite time**: every `node:sqlite` statement timed (Node's `StatementSync.prototype.all/run/get` wrapped by the bench, no change to Sluice) from create to completion, grouped by what it does; `counts` includes the bench's own 10 polls per second.",
    '',
  ].join('\n');
}
