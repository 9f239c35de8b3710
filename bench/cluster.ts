/**
 * `npm run bench:cluster`: one instance vs three on the same simulator pool, through real
 * `sluice serve` processes sharing one Redis and one PostgreSQL. Also three instances without
 * shared limits (each process counting alone, as LiteLLM's local TPM checks do), and three
 * instances whose Redis is killed mid-run and restarted empty. Prints a table and writes the
 * `## bench:cluster` section of docs/BENCHMARKS.md. Bounded: a fixed number of requests per
 * run, every request with a deadline, everything on 127.0.0.1.
 *
 *   npm run bench:cluster
 *   npm run bench:cluster -- --no-write       # do not touch docs/BENCHMARKS.md
 */
import { execSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch } from 'undici';
import type { ConfigInput } from '../src/config/index.ts';
import { startSimulator, type Simulator } from '../src/sim/index.ts';
import { type Instance, ownDatabase, ownRedis, type OwnRedis, startInstance } from '../test/helpers/cluster.ts';
import { machine } from './lib/doc.ts';
import { replaceSection } from './lib/doc-section.ts';

const TIME_SCALE = 0.05; // a minute lasts 3 s
const WINDOW_MS = 60_000 * TIME_SCALE;
const ACCOUNTS = ['a1', 'a2', 'a3', 'a4'];
const RPM = 120;
const CAPACITY = ACCOUNTS.length * RPM; // requests per (scaled) minute
const REQUESTS = CAPACITY * 4; // first window at once, then three windows of refill
const HIGH_SHARE = 0.1;
const KEYS = { high: 'sk-bench-interactive-01', low: 'sk-bench-bulk-000001' };
const ADMIN = 'admin-token-bench-cluster';

interface RunResult {
  name: string;
  instances: number;
  wallS: number;
  ok: number;
  errors: number;
  violations: number;
  highP95: number;
  lowP95: number;
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function config(sim: Simulator, store: string, redis: string | undefined, prefix: string, shared: boolean): ConfigInput {
  return {
    server: { host: '127.0.0.1', port: 0, logFormat: 'json', logLevel: 'info' },
    store: { postgres: store },
    ...(redis ? { redis, cluster: { prefix, enabled: shared, heartbeatMs: 500 } } : {}),
    adminToken: ADMIN,
    clients: [
      { name: 'interactive', key: KEYS.high, priority: 'high' },
      { name: 'bulk', key: KEYS.low, priority: 'low' },
    ],
    accounts: ACCOUNTS.map((name) => ({ name, provider: 'openai-compatible', baseUrl: `${sim.url}/v1`, apiKey: `sk-up-${name}-00000000`, limits: { 'gpt-4o-mini': { rpm: RPM } } })),
    scheduler: { timeScale: TIME_SCALE, maxWaitMs: { default: 60_000 }, maxWaitCapMs: 60_000 },
    cache: { defaultOn: false },
  };
}

async function run(name: string, sim: Simulator, instances: Instance[], during?: () => Promise<void>): Promise<RunResult> {
  await sleep(WINDOW_MS * 1.2); // the simulator's windows empty
  sim.reset();
  const agent = new Agent({ connections: REQUESTS });
  const waits = { high: [] as number[], low: [] as number[] };
  let ok = 0;
  let errors = 0;
  const t0 = performance.now();
  const sending = Promise.all(
    Array.from({ length: REQUESTS }, async (_, i) => {
      const kind = i % Math.round(1 / HIGH_SHARE) === 0 ? 'high' : 'low';
      const res = await fetch(`${instances[i % instances.length].url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEYS[kind]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${name} ${i}` }], max_completion_tokens: 2 }),
        dispatcher: agent,
      });
      await res.arrayBuffer();
      if (res.status === 200) {
        ok++;
        waits[kind].push(Number(res.headers.get('x-sluice-queue-ms') ?? 0));
      } else errors++;
    }),
  );
  await during?.();
  await sending;
  const wallS = (performance.now() - t0) / 1000;
  await agent.close();
  return { name, instances: instances.length, wallS, ok, errors, violations: sim.stats().totals.violations, highP95: pct(waits.high, 95), lowP95: pct(waits.low, 95) };
}

async function main(): Promise<void> {
  const write = !process.argv.includes('--no-write');
  const sim = await startSimulator({ port: 0, timeScale: TIME_SCALE, seed: 5, accounts: ACCOUNTS.map((name) => ({ name, key: `sk-up-${name}-00000000`, limits: { 'gpt-4o-mini': { rpm: RPM } } })) });
  const redis: OwnRedis = await ownRedis();
  const results: RunResult[] = [];
  const scenarios: Array<{ name: string; n: number; shared: boolean; redis: boolean; during?: (r: OwnRedis) => Promise<void> }> = [
    { name: 'one instance', n: 1, shared: true, redis: true },
    { name: 'three instances, limits shared on Redis', n: 3, shared: true, redis: true },
    { name: 'three instances, each counting alone (no shared limits)', n: 3, shared: false, redis: true },
    {
      name: 'three instances, Redis killed 1 s in, back empty 2 s later',
      n: 3,
      shared: true,
      redis: true,
      during: async (r) => {
        await sleep(1000);
        await r.kill();
        await sleep(2000);
        await r.start();
      },
    },
  ];
  for (const s of scenarios) {
    const db = await ownDatabase();
    const cfg = config(sim, db.url, s.redis ? redis.url : undefined, `bench-${Date.now()}:`, s.shared);
    const instances = [await startInstance(cfg)];
    while (instances.length < s.n) instances.push(await startInstance(cfg));
    try {
      const r = await run(s.name, sim, instances, s.during && (() => (s.during as (r: OwnRedis) => Promise<void>)(redis)));
      results.push(r);
      console.log(`${s.name.padEnd(62)} wall ${r.wallS.toFixed(2)} s, ok ${r.ok}, errors ${r.errors}, violations ${r.violations}, queue p95 high ${r.highP95} ms / low ${r.lowP95} ms`);
    } finally {
      await Promise.all(instances.map((i) => i.stop('SIGTERM')));
      await db.drop();
    }
  }
  await redis.kill();
  await sim.close();

  // The pool's sustained rate: CAPACITY requests per window.
  const poolRate = CAPACITY / (WINDOW_MS / 1000);
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${r.instances} | ${r.wallS.toFixed(2)} | ${(r.ok / r.wallS).toFixed(1)} | ${((r.ok / r.wallS / poolRate) * 100).toFixed(1)} % | ${r.errors} | ${r.violations} | ${r.highP95} / ${r.lowP95} |`,
  );
  const table = [
    '| run | instances | wall (s) | answered/s | of the pool\'s rate | client errors | simulator limit violations | queue wait p95 high / low (ms) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
  console.log(`\n${table}`);
  if (!write) return;
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  replaceSection(
    'docs/BENCHMARKS.md',
    '## bench:cluster',
    `## bench:cluster\n\nGenerated by \`npm run bench:cluster\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at commit ${commit}; the next run replaces this section.\n\n- **Machine**: ${machine()}. Each instance is a \`sluice serve\` process; they share one PostgreSQL database (fresh per run) and one Redis (\`redis-server\` started by the bench, no persistence). The simulator and the load generator run in the bench process, all on 127.0.0.1.\n- **Pool**: ${ACCOUNTS.length} simulator accounts × ${RPM} requests/min of gpt-4o-mini = ${CAPACITY}/min; time scale ${TIME_SCALE} (a minute lasts ${WINDOW_MS / 1000} s).\n- **Workload**: ${REQUESTS} chat requests sent at once, spread round-robin over the instances; ${HIGH_SHARE * 100} % from a high-priority client, the rest from a low-priority (paced) one; deadline 60 s. "Of the pool's rate" is answered/s over the pool's sustained rate (${poolRate.toFixed(0)}/s); low-priority work is paced evenly through each window, so the first window is not spent in one burst and a run takes about ${REQUESTS / CAPACITY} windows.\n\n${table}\n\n**Reading**: with shared limits, three instances get the same capacity as one and break no limit of the simulator; counting alone, each instance believes it has the whole pool, so the pool is overrun (the violations are upstream 429s that Sluice then retried). With Redis killed mid-run, the instances keep serving on their share of each limit and rebuild the shared windows when it comes back; the violations in that row are the measured cost of the outage. Priorities hold across instances through the shared windows: a high-priority request refused on an account marks it urgent until its next free slot, and lower priorities are refused there meanwhile; low-priority work is paced for all instances together. The high-priority p95 queue wait with three instances against one is the measured cost of spreading the queue over processes.\n`,
  );
  console.log('\nwrote the "## bench:cluster" section of docs/BENCHMARKS.md');
}

await main();
