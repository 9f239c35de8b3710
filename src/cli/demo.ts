import { createApp } from '../app.ts';
import { configFrom } from '../config/index.ts';
import { openStore } from '../store/index.ts';
import { startSimulator } from '../sim/index.ts';

const DEMO_KEY = 'sk-sluice-demo-client';
/** Time runs 50× faster in the demo: a "minute" of rate limit lasts 1.2 s, an image takes 0.4 s. */
const TIME_SCALE = 0.02;
const IPM = 5;

interface Row {
  n: number;
  status: number;
  account: string;
  attempts: string;
  queueMs: string;
  ms: number;
  note: string;
}

/**
 * `sluice demo`: a simulator with a few gpt-image-1 accounts (5 images/min each), Sluice in
 * front, and a burst of image requests sent at once through the gateway, as a client would.
 */
export async function demoCommand(opts: { requests: number; accounts: number }): Promise<void> {
  const names = Array.from({ length: opts.accounts }, (_, i) => `demo-${i + 1}`);
  const sim = await startSimulator({
    port: 0,
    timeScale: TIME_SCALE,
    seed: 1,
    accounts: names.map((name) => ({ name, key: `sk-upstream-${name}`, limits: { 'gpt-image-1': { ipm: IPM } } })),
  });
  const store = await openStore({ sqlite: ':memory:' });
  const app = createApp(
    configFrom({
      server: { port: 0 },
      clients: [{ name: 'demo', key: DEMO_KEY }],
      scheduler: { timeScale: TIME_SCALE },
      accounts: names.map((name) => ({
        name,
        provider: 'openai-compatible',
        baseUrl: `${sim.url}/v1`,
        apiKey: `sk-upstream-${name}`,
        limits: { 'gpt-image-1': { ipm: IPM } },
      })),
    }),
    { store },
    { logger: false },
  );
  const url = await app.listen();
  console.log(`simulator: ${sim.url}  (${opts.accounts} accounts × ${IPM} images/min; time runs ${1 / TIME_SCALE}× faster)`);
  console.log(`gateway:   ${url}  (client key ${DEMO_KEY})`);
  console.log(`sending ${opts.requests} gpt-image-1 requests at once...\n`);
  const started = performance.now();
  const rows = await Promise.all(Array.from({ length: opts.requests }, (_, i) => oneRequest(url, i + 1)));
  const elapsed = performance.now() - started;
  console.table(rows.map(({ note, ...r }) => ({ ...r, note })));
  const ok = rows.filter((r) => r.status === 200).length;
  const stats = sim.stats();
  const waited = rows.filter((r) => Number(r.queueMs) >= 50).length;
  console.log(`\n${ok}/${rows.length} succeeded in ${(elapsed / 1000).toFixed(2)} s; ${waited} waited in Sluice's queue for a free slot instead of getting a 429`);
  console.log('per upstream account (simulator view):');
  console.table(Object.fromEntries(Object.entries(stats.accounts).map(([k, a]) => [k, { accepted: a.accepted, '429s': a.rateLimited, violations: a.violations }])));
  await app.close();
  await store.close();
  await sim.close();
}

async function oneRequest(url: string, n: number): Promise<Row> {
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/images/generations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEMO_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-image-1', prompt: `product shot #${n}`, quality: 'low', size: '1024x1024' }),
  });
  const body = (await res.json()) as { data?: unknown[]; error?: { code: string } };
  return {
    n,
    status: res.status,
    account: res.headers.get('x-sluice-account') ?? '-',
    attempts: res.headers.get('x-sluice-attempts') ?? '-',
    queueMs: res.headers.get('x-sluice-queue-ms') ?? '-',
    ms: Math.round(performance.now() - t0),
    note: body.error ? `${body.error.code}${res.headers.get('retry-after') ? ` (retry-after ${res.headers.get('retry-after')}s)` : ''}` : `${body.data?.length ?? 0} image`,
  };
}
