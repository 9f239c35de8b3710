/**
 * Writes the `## bench:pool` section of docs/BENCHMARKS.md: the command, date, machine and
 * time scale that produced the numbers, the scenario definitions, the tables and the judged
 * targets. Other sections of the file (other benchmarks) are kept as they are.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Row } from './metrics.ts';
import { LATENCY_MS, type ScenarioParams, windowMs } from './scenario-kit.ts';
import { renderMarkdown, THROUGHPUT, WAITS } from './table.ts';
import { renderTargets, schedulerCpuSummary, type TargetLine } from './targets.ts';
import type { Scenario } from './types.ts';

const HEADING = '## bench:pool';

/** "N cores, <CPU model>, Node vX" from the OS, so the doc says what made the numbers (all cores, also when the bench runs under taskset). */
export function machine(): string {
  let model = 'unknown CPU';
  try {
    model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? model;
  } catch {
    // not Linux: keep "unknown CPU"
  }
  return `${cpus().length} cores, ${model}, Node ${process.version}, ${process.platform}/${process.arch}`;
}

const STRATEGIES = `- **sluice**: every request goes through the gateway (\`createApp\`, port 0) with \`x-sluice-priority\` and \`x-sluice-max-wait-ms\` (the client's deadline); the gateway's \`scheduler.timeScale\` equals the simulator's.
- **round-robin-retry** (one-api-like): the load generator calls the accounts itself in strict round-robin; a 429, 5xx, 401 or reset is retried at once on the next account, up to 3 retries; the last failure reaches the client.
- **random-cooldown** (LiteLLM-router-like, simple-shuffle with default cooldowns): uniform random among accounts not cooling down and not yet tried; a 429 or 401 cools the account for 5 s, 5xx after more than 3 failures in a minute; up to 3 retries; when every account is cooling the client gets 429 \`no_deployments_available\`. The 5 s and the minute are **scaled by the time scale** like every other duration, so the baseline keeps its real-time proportions.
- Each strategy runs against a **fresh simulator** with the same accounts and fault seed, and the same requests at the same offsets (open loop).`;

const DEFINITIONS = `- **done/min**: the number of completions inside a one-minute (one-window) interval, averaged over every position of that interval between the first and the last completion. A sliding limit lets a whole quota through at once, so completions ÷ span would flatter a bursty run (3 quotas fit in just over 2 windows) and completions ÷ (span + window) would penalise an evenly paced one; this average is exactly bounded instead — no window can hold more than one quota, so nobody exceeds the capacity, and a pool kept busy reaches it however it spends its quota. Completion times stand in for admission times (the simulator's latency is fixed); event-loop delay shifts completions against admissions, so the figure can read above or below the truth by about loop p99 ÷ window (80 ms ÷ 3,000 ms ≈ 3 %): a reading above 100 % is that error, not extra capacity. A strategy that drops work (baselines) is measured only over the time it was completing requests: its failures show in the error and success columns. **% of capacity** = done/min ÷ capacity/min.
- **capacity/min**: the theoretical capacity of the healthy accounts: images Σ ipm; chat min(Σ rpm, Σ tpm ÷ mean tokens of the requests this row completed) — a strategy that drops large chat requests can legitimately complete more small ones, so each row is held to the mix it served. % of capacity is then max(request rate ÷ Σ rpm, token rate ÷ Σ tpm): how close the binding limit was to full.
- **client errors by code**: the OpenAI \`error.code\` of every non-200 answer; \`bench_timeout\` = aborted by the scenario's hard timeout.
- **upstream calls / 429 / violations**: from the simulator (\`sim.stats()\`): calls = accepted + rate-limited + faulted; 429 per 1,000 calls; violations = calls that arrived when the account had no room (the judge's count).
- **queue wait**: \`x-sluice-queue-ms\` of successful answers, p50/p95 per priority (real ms). "During low backlog" keeps high-priority requests sent before the last low-priority request was admitted (its completion minus the upstream latency).
- **fairness**: shares of completions per client; Jain's index over each client's completions ÷ its max-min fair share of all completions (capped by its demand, equal weights): 1 = fair, 0.5 = one of two clients starved.
- **scheduler CPU µs/req**: the gateway's own figure, \`scheduler.cpuMicrosPerRequest\` from \`GET /admin/pool\`; "n/a" while the gateway does not report it. **process CPU µs/req** is the whole process (load generator + simulator, + gateway for sluice) per offered request, for context only. **loop p99** is the event-loop delay during the run: if it is large compared with the refill interval, timings are distorted.`;

/** The whole section as Markdown. */
export function section(o: { command: string; params: ScenarioParams; scenarios: Scenario[]; rows: Row[]; targets: TargetLine[]; strategies: string[] }): string {
  const ts = o.params.timeScale;
  const W = windowMs(o.params);
  return [
    HEADING,
    '',
    `Generated by \`${o.command}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; the next run replaces this section (do not edit by hand).`,
    '',
    `- **Machine**: ${machine()}. Load generator, simulator and gateway share this one process, on 127.0.0.1.`,
    `- **Time scale**: ${ts} — a limit window ("minute") lasts ${Math.round(W)} ms; an image takes ${Math.round(LATENCY_MS.images * ts)} ms (${LATENCY_MS.images / 1000} s unscaled), a chat answer ${Math.round(LATENCY_MS.chat * ts)} ms (${LATENCY_MS.chat} ms unscaled). "/min" means per scaled minute; every ms figure is real time.`,
    `- **Run**: ${o.params.quick ? '`--quick` (smaller counts: a smoke run, not the reference numbers)' : 'full counts'}.`,
    '',
    '### Strategies',
    '',
    STRATEGIES,
    '',
    '### Scenarios',
    '',
    ...o.scenarios.map((s) => `- **(${s.id}) ${s.title}**: ${s.definition}`),
    '',
    '### Results: throughput and errors',
    '',
    renderMarkdown(THROUGHPUT, o.rows),
    '',
    '### Results: waiting, fairness, cost',
    '',
    renderMarkdown(WAITS, o.rows),
    '',
    '### Targets (computed from the rows above)',
    '',
    renderTargets(o.targets, o.strategies),
    '',
    `Scheduler CPU per request (reported, no threshold): ${schedulerCpuSummary(o.rows)}.`,
    '',
    '### How the numbers are computed',
    '',
    DEFINITIONS,
    '',
  ].join('\n');
}

/** Replaces (or appends) the `## bench:pool` section of `file`, creating the file if needed. */
export function writeSection(file: string, text: string): void {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nNumbers written by the `npm run bench:*` scripts; each section says which command and machine made it.\n';
  const start = current.search(/^## bench:pool\s*$/m);
  if (start < 0) {
    writeFileSync(file, `${current.trimEnd()}\n\n${text}`);
    return;
  }
  const rest = current.slice(start + HEADING.length);
  const next = rest.search(/^## /m);
  const after = next < 0 ? '' : `\n${rest.slice(next)}`;
  writeFileSync(file, `${current.slice(0, start)}${text}${after}`);
}
