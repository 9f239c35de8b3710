/**
 * `npm run bench:cache`: a workload in which 30 % of the requests repeat an earlier prompt (the
 * seeds' e-commerce and content prompts), through a gateway with the response cache on, against
 * the simulator. Reports upstream calls saved and the latency of hits against misses, and writes
 * the `## bench:cache` section of docs/BENCHMARKS.md. Bounded: a fixed number of requests, a
 * hard timeout, then it exits.
 *
 * Flags: --requests N (default 2,000), --repeat-share X (0.3), --no-write.
 */
import { execSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.ts';
import { configFrom } from '../src/config/index.ts';
import { startSimulator } from '../src/sim/index.ts';
import { openStore } from '../src/store/index.ts';
import { machine } from './lib/doc.ts';
import { replaceSection } from './lib/doc-section.ts';
import { seededRandom } from './lib/workload.ts';

const KEY = 'sk-bench-cache-client';
const TIME_SCALE = 0.05; // chat answers take 400 ms × 0.05 = 20 ms, images 20 s × 0.05 = 1 s
const CONCURRENCY = 32;
const HARD_TIMEOUT_MS = 5 * 60_000;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Req {
  path: string;
  body: Record<string, unknown>;
  kind: 'chat' | 'image';
}

/** `n` requests, `share` of which repeat an earlier one (chosen at random among those sent before). */
function workload(n: number, share: number): Req[] {
  const rand = seededRandom(42);
  const out: Req[] = [];
  for (let i = 0; i < n; i++) {
    if (out.length > 0 && rand() < share) {
      out.push(out[Math.floor(rand() * out.length)]);
      continue;
    }
    out.push(
      rand() < 0.7
        ? { kind: 'chat', path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', temperature: 0, max_completion_tokens: 60, messages: [{ role: 'user', content: `Write a product description for item #${i}, a lightweight running shoe.` }] } }
        : { kind: 'image', path: '/v1/images/generations', body: { model: 'gpt-image-1', quality: 'low', size: '1024x1024', prompt: `product shot of item #${i}, white background` } },
    );
  }
  return out;
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const fmt = (v: number, d = 1): string => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

async function main(): Promise<void> {
  const requests = flag('--requests', 2000);
  const share = flag('--repeat-share', 0.3);
  const write = !process.argv.includes('--no-write');
  const timer = setTimeout(() => {
    console.error('bench:cache: hard timeout');
    process.exit(1);
  }, HARD_TIMEOUT_MS);
  const accounts = Array.from({ length: 10 }, (_, i) => ({ name: `acct-${i + 1}`, key: `sk-acct-${i + 1}-key` }));
  const sim = await startSimulator({ port: 0, timeScale: TIME_SCALE, seed: 3, accounts });
  const store = await openStore({ sqlite: join(mkdtempSync(join(tmpdir(), 'sluice-bench-cache-')), 'sluice.db') });
  const app = createApp(
    configFrom({
      server: { port: 0, logLevel: 'warn' },
      clients: [{ name: 'shop', key: KEY }],
      accounts: accounts.map((a) => ({ name: a.name, provider: 'openai-compatible' as const, baseUrl: `${sim.url}/v1`, apiKey: a.key, models: ['gpt-4o-mini', 'gpt-image-1'] })),
      scheduler: { timeScale: TIME_SCALE },
    }),
    { store },
    { logger: false },
  );
  const url = await app.listen();
  const work = workload(requests, share);
  const lat: Record<string, number[]> = { hit: [], coalesced: [], miss: [] };
  const kinds: Record<string, number> = {};
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < work.length) {
        const r = work[next++];
        const t0 = performance.now();
        const res = await fetch(`${url}${r.path}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(r.body) });
        await res.arrayBuffer();
        const ms = performance.now() - t0;
        if (res.status !== 200) errors++;
        const how = res.headers.get('x-sluice-cache') ?? 'none';
        kinds[`${r.kind}:${how}`] = (kinds[`${r.kind}:${how}`] ?? 0) + 1;
        (lat[how] ??= []).push(ms);
      }
    }),
  );
  const wallS = (performance.now() - started) / 1000;
  const upstream = sim.stats().totals.accepted;
  const distinct = new Set(work.map((w) => JSON.stringify(w.body))).size;
  const saved = requests - upstream;
  await app.close();
  await store.close();
  await sim.close();
  clearTimeout(timer);

  const rows: Array<[string, string]> = [
    ['requests sent', String(requests)],
    ['distinct requests (the least any cache can send upstream)', String(distinct)],
    ['upstream calls', String(upstream)],
    ['upstream calls saved', `${saved} (${fmt((saved / requests) * 100)} % of requests; ${fmt((saved / (requests - distinct)) * 100)} % of the repeats)`],
    ['answers by cache state (kind:state → count)', Object.entries(kinds).sort().map(([k, v]) => `${k} ${v}`).join(', ')],
    ['client errors', String(errors)],
    ['latency of cache hits p50 / p95 (ms)', `${fmt(pct(lat.hit, 50), 2)} / ${fmt(pct(lat.hit, 95), 2)}`],
    ['latency of coalesced requests p50 / p95 (ms)', `${fmt(pct(lat.coalesced, 50), 1)} / ${fmt(pct(lat.coalesced, 95), 1)}`],
    ['latency of misses p50 / p95 (ms)', `${fmt(pct(lat.miss, 50), 1)} / ${fmt(pct(lat.miss, 95), 1)}`],
    ['wall time', `${fmt(wallS, 1)} s`],
  ];
  const table = ['| measure | value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
  console.log(rows.map(([k, v]) => `${k.padEnd(60)} ${v}`).join('\n'));
  if (!write) return;
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  const verdict = upstream === distinct && errors === 0 ? '✅ every repeat was served without an upstream call (upstream calls = distinct requests), no errors' : `❌ upstream calls ${upstream} vs ${distinct} distinct requests, ${errors} errors`;
  replaceSection(
    'docs/BENCHMARKS.md',
    '## bench:cache',
    `## bench:cache\n\nGenerated by \`npm run bench:cache\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at commit ${commit}; the next run replaces this section.\n\n- **Machine**: ${machine()}. Load generator, simulator and gateway share one process on 127.0.0.1.\n- **Workload**: ${requests} requests from one client, ${CONCURRENCY} at a time; ${Math.round(share * 100)} % repeat an earlier request (picked at random, seed 42); 70 % of the new ones are gpt-4o-mini chat at temperature 0, 30 % gpt-image-1 low quality. 10 simulator accounts without limits; time scale ${TIME_SCALE} (a chat answer takes ~20 ms, an image ~1 s). Cache defaults (on, in-memory LRU).\n\n${table}\n\n**Verdict**: ${verdict}.\n`,
  );
  console.log('\nwrote the "## bench:cache" section of docs/BENCHMARKS.md');
}

await main();
