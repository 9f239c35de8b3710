/**
 * `npm run bench:overhead`: what a proxy costs, measured side by side on one machine. A minimal
 * mock upstream (bench/lib/overhead-mock.ts) answers a small JSON or a 20-chunk SSE stream, at
 * once or after 50 ms. In the same run, one after another, the load goes direct to the mock,
 * then through a bare Node pass-through (node:http + undici), nginx, the Portkey gateway and
 * Sluice (full path: auth, scheduler, ledger, metrics, one log line per request). Every proxy
 * runs pinned to core 0; the mock, wrk and this script share core 1.
 *
 * Per target: requests/s at saturation (wrk, 50 connections, median of the runs), the proxy's
 * CPU µs per request (/proc utime+stime over the saturated runs ÷ requests) and RSS; latency
 * one at a time; p50/p99 at a fixed rate (half of Sluice's saturation) against the 50 ms
 * upstream; time to first byte of streams. "Added" = the target's figure minus direct's.
 *
 * Flags: --seconds N (10), --runs N (3), --warmup N (5 s), --only a,b (names: passthrough,nginx,
 * portkey,sluice), --log-level L (info), --compare DIR[=LABEL] (also measure the Sluice of another
 * checkout, e.g. the commit before a change, in the same run), --no-write.
 */
import { execSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { machine } from './lib/doc.ts';
import { replaceSection } from './lib/doc-section.ts';
import { fixedRate, oneAtATime, rssMb, type Shot, streamTimes, type WrkResult, wrk } from './lib/overhead-load.ts';
import { percentile } from './lib/stats.ts';
import { startMock, startNginx, startPassthrough, startPortkey, startSluice, type Target } from './lib/overhead-targets.ts';

const PROXY_CORE = 0;
const LOAD_CORE = 1;
const CONNECTIONS = 50;
const ONE_AT_A_TIME = 2000;
const STREAMS = 1000;
const HARD_TIMEOUT_MS = 20 * 60_000;
const CHAT = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Describe a lightweight running shoe in one sentence.' }], max_tokens: 40 });
const SLOW = CHAT.replace('gpt-4o-mini', 'slow-model');
const STREAM = JSON.stringify({ ...JSON.parse(CHAT), stream: true });

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const median = (v: number[]): number => percentile(v, 50) ?? Number.NaN;
const fmt = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
/** A difference with its sign: +0.12, -0.05. */
const signed = (v: number, d = 2): string => `${v >= 0 ? '+' : ''}${fmt(v, d)}`;

interface Row {
  name: string;
  rps: number;
  cpuPerReq: number;
  rssMb: number;
  oneP50: number;
  rate: number;
  rateP50: number;
  rateP99: number;
  rateErrors: number;
  ttfbP50: number;
  wrkErrors: number;
}

const shot = (t: Target, body: string): Shot => ({ origin: t.origin, path: '/v1/chat/completions', headers: t.headers, body });

/**
 * Saturation, interleaved: every target is warmed up, then run 1 of each target, run 2 of each,
 * and so on — a machine whose speed drifts during the run (a shared host) shifts every target
 * alike instead of whichever came last. Medians per target.
 */
async function saturate(targets: Target[], mock: Target, o: { seconds: number; runs: number; warmup: number }, dir: string): Promise<Map<Target, Pick<Row, 'rps' | 'cpuPerReq' | 'wrkErrors'>>> {
  for (const t of targets) await wrk(shot(t, CHAT), { seconds: o.warmup, connections: CONNECTIONS, core: LOAD_CORE, dir }); // warm-up (JIT)
  const runs = new Map<Target, WrkResult[]>(targets.map((t) => [t, []]));
  for (let i = 0; i < o.runs; i++) {
    for (const t of targets) runs.get(t)?.push(await wrk(shot(t, CHAT), { seconds: o.seconds, connections: CONNECTIONS, core: LOAD_CORE, pid: t === mock ? undefined : t.pid, dir }));
  }
  const out = new Map<Target, Pick<Row, 'rps' | 'cpuPerReq' | 'wrkErrors'>>();
  for (const [t, r] of runs) {
    console.log(`  ${t.name}: saturation ${r.map((x) => Math.round(x.rps)).join(' / ')} req/s, CPU ${r.map((x) => fmt(x.cpuPerReq, 0)).join(' / ')} µs/req`);
    out.set(t, { rps: median(r.map((x) => x.rps)), cpuPerReq: median(r.map((x) => x.cpuPerReq)), wrkErrors: r.reduce((s, x) => s + x.errors, 0) });
  }
  return out;
}

async function latencies(t: Target, rate: number, seconds: number): Promise<Pick<Row, 'oneP50' | 'rate' | 'rateP50' | 'rateP99' | 'rateErrors' | 'ttfbP50'>> {
  await oneAtATime(shot(t, CHAT), 200);
  const one = await oneAtATime(shot(t, CHAT), ONE_AT_A_TIME);
  await streamTimes(shot(t, STREAM), 100);
  const st = await streamTimes(shot(t, STREAM), STREAMS);
  await fixedRate(shot(t, SLOW), rate, 1);
  const fr = await fixedRate(shot(t, SLOW), rate, seconds);
  const out = { oneP50: median(one), rate, rateP50: median(fr.lat), rateP99: percentile(fr.lat, 99) ?? Number.NaN, rateErrors: fr.errors, ttfbP50: median(st.ttfb) };
  console.log(`  ${t.name}: one-at-a-time p50 ${fmt(out.oneP50, 3)} ms, stream TTFB p50 ${fmt(out.ttfbP50, 3)} ms, at ${rate}/s p50 ${fmt(out.rateP50)} p99 ${fmt(out.rateP99)} ms (${fr.errors} errors)`);
  return out;
}

async function main(): Promise<void> {
  const seconds = Number(flag('--seconds', '10'));
  const runs = Number(flag('--runs', '3'));
  const warmup = Number(flag('--warmup', '5'));
  const compare = process.argv.includes('--compare') ? flag('--compare', '') : undefined;
  const only = flag('--only', 'passthrough,nginx,portkey,sluice').split(',');
  const logLevel = flag('--log-level', 'info');
  const write = !process.argv.includes('--no-write');
  const timer = setTimeout(() => {
    console.error('bench:overhead: hard timeout');
    process.exit(1);
  }, HARD_TIMEOUT_MS);
  if (spawnSync('wrk', ['-v']).error) {
    console.error('bench:overhead needs wrk (Debian: apt-get install -y wrk)');
    process.exit(2);
  }
  const host = machine(); // before pinning: pinned, Node would see one core
  execSync(`taskset -pc ${LOAD_CORE} ${process.pid}`, { stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-overhead-'));
  const mock = await startMock(LOAD_CORE, dir);
  const targets: Target[] = [mock];
  const notes: string[] = [];
  const add = (t: Target | string, name: string): void => {
    if (typeof t === 'string') {
      notes.push(`${name} skipped: ${t}`);
      console.log(`note: ${name} skipped: ${t}`);
    } else targets.push(t);
  };
  try {
    if (only.includes('passthrough')) add(await startPassthrough(PROXY_CORE, dir, mock.origin), 'bare Node pass-through');
    if (only.includes('nginx')) add(await startNginx(PROXY_CORE, dir, mock.origin), 'nginx');
    if (only.includes('portkey')) add(await startPortkey(PROXY_CORE, dir, mock.origin), 'Portkey');
    if (compare) {
      const [path, label] = compare.split('=');
      add(await startSluice(PROXY_CORE, dir, mock.origin, logLevel, { path, label: label ?? path }), 'Sluice (compared tree)');
    }
    if (only.includes('sluice')) add(await startSluice(PROXY_CORE, dir, mock.origin, logLevel), 'Sluice');
    await sleep(500);
    console.log(`saturation: wrk -t1 -c${CONNECTIONS} -d${seconds}s, ${runs} runs after a ${warmup} s warm-up`);
    const sat = await saturate(targets, mock, { seconds, runs, warmup }, dir);
    const sluice = targets.find((t) => t.name.startsWith('Sluice (log'));
    const rate = Math.round((sat.get(sluice ?? targets[targets.length - 1])?.rps ?? 1000) / 2 / 50) * 50;
    console.log(`latency: ${ONE_AT_A_TIME} one at a time, ${STREAMS} streams, ${seconds} s at ${rate} req/s (50 ms upstream)`);
    const rows: Row[] = [];
    for (const t of targets) {
      const s = sat.get(t) as Pick<Row, 'rps' | 'cpuPerReq' | 'wrkErrors'>;
      // A target that cannot sustain the common rate is measured at 80 % of its own saturation.
      const own = Math.min(rate, Math.round((s.rps * 0.8) / 50) * 50);
      rows.push({ name: t.name, ...s, ...(await latencies(t, own, seconds)), rssMb: t === mock ? Number.NaN : rssMb(t.pid) });
    }
    const table = render(rows, rate);
    console.log(`\n${table}`);
    if (write) writeDoc(table, rows, { seconds, runs, warmup, logLevel, notes, host });
  } finally {
    for (const t of targets.reverse()) await t.stop();
    clearTimeout(timer);
  }
}

function render(rows: Row[], rate: number): string {
  const d = rows[0];
  const head = '| target | req/s at saturation (1 core) | CPU µs/req | RSS MB | one at a time p50 ms (added) | at fixed rate, 50 ms upstream: rate, p50 / p99 ms (added p50 / p99) | stream TTFB p50 ms (added) |';
  const lines = rows.map((r) => {
    const add = (v: number, base: number): string => (r === d ? '' : ` (${signed(v - base, 3)})`);
    const rateCell = `${r.rate}/s${r.rate < rate ? ' (80 % of its saturation)' : ''}: ${fmt(r.rateP50)} / ${fmt(r.rateP99)}${r === d ? '' : ` (${signed(r.rateP50 - d.rateP50)} / ${signed(r.rateP99 - d.rateP99)})`}${r.rateErrors ? `, ${r.rateErrors} errors` : ''}`;
    return `| ${r.name} | ${Math.round(r.rps)}${r.wrkErrors ? ` (${r.wrkErrors} errors)` : ''} | ${r === d ? '— (mock)' : fmt(r.cpuPerReq, 0)} | ${fmt(r.rssMb, 0)} | ${fmt(r.oneP50, 3)}${add(r.oneP50, d.oneP50)} | ${rateCell} | ${fmt(r.ttfbP50, 3)}${add(r.ttfbP50, d.ttfbP50)} |`;
  });
  return [head, '| --- | --- | --- | --- | --- | --- | --- |', ...lines].join('\n');
}

/** The targets of issue 9, judged from the rows of this run. */
export function verdicts(rows: Row[]): string[] {
  const d = rows[0];
  const find = (p: string): Row | undefined => rows.find((r) => r.name.startsWith(p));
  const s = find('Sluice (log');
  const b = find('bare Node');
  const p = find('Portkey');
  if (!s) return ['Sluice was not measured.'];
  const mark = (ok: boolean): string => (ok ? '✅ met' : '❌ missed');
  const out: string[] = [];
  if (b) {
    out.push(`CPU per request ≤ 1.5× the bare pass-through's: ${fmt(s.cpuPerReq, 0)} vs ${fmt(b.cpuPerReq, 0)} µs = ${fmt(s.cpuPerReq / b.cpuPerReq)}× — ${mark(s.cpuPerReq <= 1.5 * b.cpuPerReq)}`);
    out.push(`throughput ≥ 65 % of the bare pass-through's: ${Math.round(s.rps)} vs ${Math.round(b.rps)} req/s = ${fmt((s.rps / b.rps) * 100, 0)} % — ${mark(s.rps >= 0.65 * b.rps)}`);
  }
  if (p) out.push(`throughput ≥ 8× Portkey's: ${Math.round(s.rps)} vs ${Math.round(p.rps)} req/s = ${fmt(s.rps / p.rps, 1)}× — ${mark(s.rps >= 8 * p.rps)}`);
  out.push(`added p50 one at a time ≤ 1 ms: ${signed(s.oneP50 - d.oneP50, 3)} ms — ${mark(s.oneP50 - d.oneP50 <= 1)}`);
  out.push(`added p99 ≤ 2 ms at half of Sluice's saturation, 50 ms upstream: ${signed(s.rateP99 - d.rateP99)} ms — ${mark(s.rateP99 - d.rateP99 <= 2)}`);
  out.push(`stream time to first byte added ≤ 1 ms p50: ${signed(s.ttfbP50 - d.ttfbP50, 3)} ms — ${mark(s.ttfbP50 - d.ttfbP50 <= 1)}`);
  return out;
}

function writeDoc(table: string, rows: Row[], o: { seconds: number; runs: number; warmup: number; logLevel: string; notes: string[]; host: string }): void {
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  const cmd = `npm run bench:overhead${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  replaceSection(
    'docs/BENCHMARKS.md',
    '## bench:overhead',
    [
      '## bench:overhead',
      '',
      `Generated by \`${cmd}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at commit ${commit} (plus the working tree); the next run replaces this section.`,
      '',
      `- **Machine**: ${o.host}. Each proxy runs alone under \`taskset -c ${PROXY_CORE}\`; the mock upstream, wrk and the measuring script share \`taskset -c ${LOAD_CORE}\`. All on 127.0.0.1.`,
      `- **Saturation**: Debian's \`wrk -t1 -c${CONNECTIONS}\`, a ${o.warmup} s warm-up per target, then ${o.runs} runs of ${o.seconds} s interleaved (run 1 of every target, then run 2, ...)${o.seconds < 10 ? ' (shortened from 10 s to keep the run bounded)' : ''}; the median run. CPU µs/req = the proxy process's (nginx: master + worker) utime+stime from /proc over each run ÷ its requests, median. RSS after the whole run.`,
      `- **Latency**: ${ONE_AT_A_TIME} requests one at a time on one keep-alive connection (0 ms upstream); ${STREAMS} streams one at a time (time to the first body byte); an open loop at a fixed rate for ${o.seconds} s against the 50 ms upstream (half of Sluice's saturation, rounded to 50/s). "Added" = minus the direct figure of the same run.`,
      `- **Targets**: the bare pass-through is bench/lib/overhead-passthrough.ts (node:http + undici Pool, client aborts propagated); nginx: one worker, upstream keep-alive, \`proxy_buffering off\`, access log on; Portkey \`@portkey-ai/gateway\` 1.15.2 from npm (\`--headless\`, \`NODE_ENV=production\`, \`x-portkey-provider: openai\` + custom host); Sluice: \`sluice serve\` with one client key, one openai-compatible account without limits, SQLite ledger, metrics, response cache off (every request goes upstream), log level \`${o.logLevel}\` (one access-log line per request, to a file).`,
      ...o.notes.map((n) => `- **Note**: ${n}.`),
      '',
      table,
      '',
      '**Targets (this run)**:',
      '',
      ...verdicts(rows).map((v) => `- ${v}`),
      '',
    ].join('\n'),
  );
  console.log('\nwrote the "## bench:overhead" section of docs/BENCHMARKS.md');
}

await main();
