/**
 * `npm run bench:batch`: a 5,000-line image batch through a 20-account simulator pool, through
 * the official `openai` client, reporting the completion time against the pool's theoretical
 * minimum, checking the output (every custom_id exactly once, no failures, no upstream 429 or
 * violations), and probing interactive traffic meanwhile. Prints a table and writes the
 * `## bench:batch` section of docs/BENCHMARKS.md.
 *
 *   npm run bench:batch                     # full run: 5,000 lines
 *   npm run bench:batch -- --quick          # smoke run: 1,000 lines
 *   npm run bench:batch -- --no-write       # do not touch docs/BENCHMARKS.md
 *   npm run bench:batch -- --time-scale 0.05  # default 0.2 (a minute lasts 12 s)
 *   npm run bench:batch -- --lines 2000
 *
 * Everything runs in this one process on 127.0.0.1. Bounded: after a hard timeout the batch is
 * cancelled and reported as not completed, and a watchdog ends the process if closing hangs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import OpenAI, { toFile } from 'openai';
import { createApp, type SluiceApp } from '../src/app.ts';
import { configFrom } from '../src/config/index.ts';
import { type SimAccount, type Simulator, startSimulator } from '../src/sim/index.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { type ProbeResult, type ProbeSpec, type RunningProbe, startProbe } from './lib/batch-probe.ts';
import { type BatchOutcome, type BatchSetup, checks, derive, HEADING, renderTextTable, type Sample, section, tableRows, type Verification, verdict } from './lib/batch-report.ts';
import { replaceSection } from './lib/doc-section.ts';
import { newAgent } from './lib/http.ts';
import { LATENCY_MS } from './lib/scenario-kit.ts';
import { timeSqlite } from './lib/sqlite-timer.ts';

/**
 * 0.2: a "minute" lasts 12 s and an image 4 s, so the pool completes 83 lines per real second,
 * 5× its production rate. At 0.05 (333 lines/s) this one process (simulator + gateway +
 * clients on one event loop) is CPU-bound on a 2-core machine and the run measures the machine
 * more than the scheduler; the report says when that happens.
 */
const DEFAULT_TIME_SCALE = 0.2;
const DOC = fileURLToPath(new URL('../docs/BENCHMARKS.md', import.meta.url));
const ACCOUNTS = 20;
const IPM = 50;
const CHAT_RPM = 500;
const CONCURRENCY = 500;
const BATCH_KEY = 'sk-bench-batch-owner';
const INTERACTIVE_KEY = 'sk-bench-interactive';
const ADMIN_TOKEN = 'bench-admin-token';
const POLL_MS = 100;
/** Resolution of the event-loop delay histogram; a sample's lateness is its delay minus this. */
const LOOP_RESOLUTION_MS = 10;
const PROGRESS_EVERY_MS = 3_000;
const CLOSE_TIMEOUT_MS = 10_000;

const CHAT_PROBE: ProbeSpec = {
  name: 'chat',
  path: '/v1/chat/completions',
  body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Is the gateway responsive? Answer briefly.' }], max_completion_tokens: 16 },
  intervalMs: 200,
};
const IMAGE_PROBE: ProbeSpec = {
  name: 'image',
  path: '/v1/images/generations',
  body: { model: 'gpt-image-1', prompt: 'interactive probe: a red bicycle', quality: 'low', size: '1024x1024' },
  intervalMs: 500,
};

interface Options {
  lines: number;
  timeScale: number;
  quick: boolean;
  write: boolean;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      'time-scale': { type: 'string' },
      lines: { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  const timeScale = Number(values['time-scale'] ?? DEFAULT_TIME_SCALE);
  if (!(timeScale > 0 && timeScale <= 1)) throw new Error(`--time-scale must be in (0, 1], got ${values['time-scale']}`);
  const lines = Number(values.lines ?? (quick ? 1_000 : 5_000));
  if (!(Number.isInteger(lines) && lines >= 10 && lines <= 50_000)) throw new Error(`--lines must be an integer in [10, 50000], got ${values.lines}`);
  return { lines, timeScale, quick, write: !values['no-write'] };
}

function simAccounts(): SimAccount[] {
  return Array.from({ length: ACCOUNTS }, (_, i) => {
    const name = `acct-${String(i + 1).padStart(2, '0')}`;
    return { name, key: `sk-sim-${name}`, limits: { 'gpt-image-1': { ipm: IPM }, 'gpt-4o-mini': { rpm: CHAT_RPM } } };
  });
}

function inputFile(lines: number): Buffer {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const body = { model: 'gpt-image-1', prompt: `product shot #${i}, white background`, quality: 'low', size: '1024x1024' };
    out.push(JSON.stringify({ custom_id: customId(i), method: 'POST', url: '/v1/images/generations', body }));
  }
  return Buffer.from(`${out.join('\n')}\n`);
}

const customId = (i: number): string => `img-${String(i).padStart(5, '0')}`;

/** Output and error files against the input: each custom_id once, outputs 200 with an image. */
function verify(lines: number, output: string, errors: string): Verification {
  const seen = new Map<string, number>();
  let badOutput = 0;
  const parse = (text: string): Array<Record<string, unknown>> =>
    text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const out = parse(output);
  const err = parse(errors);
  for (const l of [...out, ...err]) seen.set(String(l.custom_id), (seen.get(String(l.custom_id)) ?? 0) + 1);
  for (const l of out) {
    const r = l.response as { status_code?: number; body?: { data?: Array<{ b64_json?: string }> } } | null;
    if (r?.status_code !== 200 || !r.body?.data?.[0]?.b64_json || l.error !== null) badOutput++;
  }
  const expected = new Set(Array.from({ length: lines }, (_, i) => customId(i)));
  let exactlyOnce = 0;
  let missing = 0;
  let duplicated = 0;
  for (const id of expected) {
    const n = seen.get(id) ?? 0;
    if (n === 0) missing++;
    else if (n === 1) exactlyOnce++;
    else duplicated++;
  }
  const unexpected = [...seen.keys()].filter((id) => !expected.has(id)).length;
  return { outputLines: out.length, errorLines: err.length, exactlyOnce, missing, duplicated, unexpected, badOutput };
}

function simFacts(sim: Simulator): BatchOutcome['sim'] {
  const st = sim.stats();
  let imageAccepted = 0;
  let chatAccepted = 0;
  for (const a of Object.values(st.accounts)) {
    imageAccepted += a.byModel['gpt-image-1']?.accepted ?? 0;
    chatAccepted += a.byModel['gpt-4o-mini']?.accepted ?? 0;
  }
  return { imageAccepted, chatAccepted, violations: st.totals.violations, rateLimited: st.totals.rateLimited, faults: st.totals.faults, maxInFlight: st.totals.maxInFlight };
}

/** "commit abc1234, src/ clean" (or "with uncommitted changes"), so the numbers name the code they measured. */
function codeVersion(): string {
  const root = fileURLToPath(new URL('..', import.meta.url));
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', 'src').length > 0;
    return `commit ${git('rev-parse', '--short', 'HEAD')}, src/ ${dirty ? 'with uncommitted changes' : 'clean'}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

/** Upload, create, poll until done (or the hard timeout), download and verify. */
async function runBatch(setup: BatchSetup, sim: Simulator, app: SluiceApp, url: string): Promise<BatchOutcome> {
  const windowMs = 60_000 * setup.timeScale;
  const client = new OpenAI({ apiKey: BATCH_KEY, baseURL: `${url}/v1`, maxRetries: 0, timeout: 60_000 });
  const agent = newAgent();
  const maxWaitMs = 10 * windowMs;
  const probes: RunningProbe[] = [];
  try {
    // The chat probe on the idle gateway first: the reference for its latency.
    process.stderr.write('bench:batch: chat probe on the idle gateway (2 s) ... ');
    const idle = startProbe(agent, url, INTERACTIVE_KEY, CHAT_PROBE, maxWaitMs);
    await sleep(2_000);
    const idleChat = await idle.stop(5_000);
    process.stderr.write(`${idleChat.ok}/${idleChat.sent} ok\n`);

    const t0 = performance.now();
    const file = await client.files.create({ file: await toFile(inputFile(setup.lines), 'images.jsonl'), purpose: 'batch' });
    const uploadMs = performance.now() - t0;
    process.stderr.write(`bench:batch: uploaded ${fmt(setup.lines)} lines as ${file.id} in ${(uploadMs / 1000).toFixed(1)} s; hard timeout ${(setup.hardTimeoutMs / 1000).toFixed(0)} s\n`);

    const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    loop.enable();
    const sql = timeSqlite();
    const cpu0 = process.cpuUsage();
    const tCreate = performance.now();
    let batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/images/generations', completion_window: '24h' });
    probes.push(startProbe(agent, url, INTERACTIVE_KEY, CHAT_PROBE, maxWaitMs), startProbe(agent, url, INTERACTIVE_KEY, IMAGE_PROBE, maxWaitMs));
    const samples: Sample[] = [];
    let lastPrint = 0;
    let timedOut = false;
    const terminal = ['completed', 'failed', 'cancelled', 'expired'];
    while (!terminal.includes(batch.status)) {
      const t = performance.now() - tCreate;
      if (t > setup.hardTimeoutMs) {
        timedOut = true;
        process.stderr.write(`bench:batch: HARD TIMEOUT after ${(t / 1000).toFixed(1)} s: cancelling the batch\n`);
        await client.batches.cancel(batch.id).catch(() => undefined);
        for (let i = 0; i < 100 && !terminal.includes(batch.status); i++) {
          await sleep(100);
          batch = await client.batches.retrieve(batch.id);
        }
        break;
      }
      await sleep(POLL_MS);
      batch = await client.batches.retrieve(batch.id);
      const c = batch.request_counts;
      const s: Sample = {
        t: performance.now() - tCreate,
        completed: c?.completed ?? 0,
        failed: c?.failed ?? 0,
        upstreamInFlight: sim.stats().totals.inFlight,
        runnerInFlight: app.batchRunner.inFlight,
      };
      samples.push(s);
      if (s.t - lastPrint >= PROGRESS_EVERY_MS || terminal.includes(batch.status)) {
        lastPrint = s.t;
        const done = s.completed + s.failed;
        process.stderr.write(
          `bench:batch: ${(s.t / 1000).toFixed(1).padStart(6)} s (${(s.t / windowMs).toFixed(2)} min)  ${batch.status}  ` +
            `completed ${fmt(s.completed)}/${fmt(setup.lines)} (${((100 * done) / setup.lines).toFixed(1)} %)  failed ${fmt(s.failed)}  ` +
            `upstream in flight ${fmt(s.upstreamInFlight)}  runner ${fmt(s.runnerInFlight)}\n`,
        );
      }
    }
    const wallMs = performance.now() - tCreate;
    const cpu = process.cpuUsage(cpu0);
    const sqlTotals = sql.stop();
    loop.disable();
    const probeResults: ProbeResult[] = [];
    for (const p of probes.splice(0)) probeResults.push(await p.stop(5_000));

    const tDown = performance.now();
    const text = async (id: string | null | undefined): Promise<string> => (id ? (await client.files.content(id)).text() : '');
    const [output, errors] = [await text(batch.output_file_id), await text(batch.error_file_id)];
    const verification = verify(setup.lines, output, errors);
    const downloadMs = performance.now() - tDown;
    const c = batch.request_counts;
    return {
      status: batch.status,
      timedOut,
      uploadMs,
      wallMs,
      downloadMs,
      counts: { total: c?.total ?? 0, completed: c?.completed ?? 0, failed: c?.failed ?? 0 },
      samples,
      verification,
      sim: simFacts(sim),
      probes: probeResults,
      idleChat,
      loopLateMeanMs: Math.max(0, loop.mean / 1e6 - LOOP_RESOLUTION_MS),
      loopLateP99Ms: Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
      sql: sqlTotals,
      cpuPctOfCore: (100 * ((cpu.user + cpu.system) / 1000)) / wallMs,
    };
  } finally {
    for (const p of probes) await p.stop(1_000);
    await agent.destroy();
  }
}

async function closeWithin(what: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([what.then(() => undefined), late]).finally(() => clearTimeout(timer));
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const opts = options(argv);
  const windowMs = 60_000 * opts.timeScale;
  const minimumMs = (opts.lines / (ACCOUNTS * IPM)) * windowMs + LATENCY_MS.images * opts.timeScale;
  const hardTimeoutMs = Math.round(10 * minimumMs + 30_000);
  // Last resort: whatever hangs (a close, a request), the process ends by itself.
  setTimeout(() => {
    console.error('bench:batch: watchdog: the run outlived its hard timeout by a minute; exiting');
    process.exit(2);
  }, hardTimeoutMs + 60_000).unref();

  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-batch-'));
  const storeFile = join(dir, 'sluice.db');
  const setup: BatchSetup = {
    lines: opts.lines,
    accounts: ACCOUNTS,
    ipm: IPM,
    chatRpm: CHAT_RPM,
    timeScale: opts.timeScale,
    quick: opts.quick,
    imageLatencyMs: LATENCY_MS.images,
    chatLatencyMs: LATENCY_MS.chat,
    concurrency: CONCURRENCY,
    probes: [
      { name: CHAT_PROBE.name, intervalMs: CHAT_PROBE.intervalMs, what: 'gpt-4o-mini, ~12 prompt tokens, max_completion_tokens 16, served by the same 20 accounts (their gpt-4o-mini limit)' },
      { name: IMAGE_PROBE.name, intervalMs: IMAGE_PROBE.intervalMs, what: 'gpt-image-1 quality low, the same model and accounts as the batch' },
    ],
    hardTimeoutMs,
    storeFile,
    code: codeVersion(),
  };
  const accounts = simAccounts();
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, timeScale: opts.timeScale, seed: 1, accounts, latencyMs: { ...LATENCY_MS } });
  let store: Store | undefined;
  let app: SluiceApp | undefined;
  try {
    store = await openStore({ sqlite: storeFile });
    const config = configFrom({
      server: { host: '127.0.0.1', port: 0, logLevel: 'silent' },
      store: { sqlite: storeFile },
      adminToken: ADMIN_TOKEN,
      clients: [
        { name: 'batch-owner', key: BATCH_KEY, priority: 'normal' },
        { name: 'interactive', key: INTERACTIVE_KEY, priority: 'high' },
      ],
      accounts: accounts.map((a) => ({ name: a.name, provider: 'openai-compatible' as const, baseUrl: `${sim.url}/v1`, apiKey: a.key, limits: a.limits ?? {} })),
      scheduler: { timeScale: opts.timeScale },
      batch: { concurrency: CONCURRENCY },
    });
    app = createApp(config, { store }, { logger: false });
    const url = await app.listen();
    process.stderr.write(
      `bench:batch: ${fmt(opts.lines)} lines, ${ACCOUNTS} accounts × gpt-image-1 {ipm ${IPM}}, time scale ${opts.timeScale} (a minute lasts ${fmt(windowMs)} ms), ` +
        `theoretical minimum ${(minimumMs / windowMs).toFixed(2)} min = ${(minimumMs / 1000).toFixed(1)} s; store ${storeFile}\n`,
    );
    const outcome = await runBatch(setup, sim, app, url);

    const d = derive(setup, outcome);
    const cs = checks(setup, outcome, d);
    console.log(`\nbench:batch — time scale ${opts.timeScale} (a minute lasts ${fmt(windowMs)} ms)\n`);
    console.log(renderTextTable(tableRows(setup, outcome, d)));
    console.log(`\nchecks:\n${cs.map((c) => `  ${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.value}`).join('\n')}\n`);
    console.log(`${verdict(setup, outcome, d, cs).join('\n\n')}\n`);
    if (opts.write) {
      const command = `npm run bench:batch${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
      replaceSection(DOC, HEADING, section(command, setup, outcome));
      console.log(`wrote the "${HEADING}" section of ${DOC}`);
    }
    const v = outcome.verification;
    return outcome.timedOut || outcome.status !== 'completed' || v.exactlyOnce !== opts.lines ? 1 : 0;
  } finally {
    if (app) await closeWithin(app.close(), CLOSE_TIMEOUT_MS);
    await store?.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
    // Everything was closed; if a stray handle still holds the event loop, say so and leave.
    setTimeout(() => {
      console.error('bench:batch: handles still open after the run; exiting anyway');
      process.exit(code);
    }, 5_000).unref();
  },
  (err: unknown) => {
    console.error(`bench:batch: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
