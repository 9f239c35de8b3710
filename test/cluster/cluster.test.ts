import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import type { ConfigInput } from '../../src/config/index.ts';
import { type Simulator, startSimulator } from '../../src/sim/index.ts';
import { type Instance, type OwnRedis, ownDatabase, ownRedis, redisServerInstalled, startInstance } from '../helpers/cluster.ts';
import { postgresAvailable } from '../helpers/stores.ts';

const TIME_SCALE = 0.02; // a minute lasts 1.2 s
const RPM = 60;
const ACCOUNTS = ['p1', 'p2', 'p3'];
const KEY = 'sk-client-cluster-0001';
const ADMIN = 'admin-token-cluster-test';

async function skipReason(): Promise<string | false> {
  const pg = await postgresAvailable();
  if (!redisServerInstalled()) {
    if (process.env.CI) throw new Error('redis-server is required in CI for the several-instances test');
    return 'redis-server is not installed (CI is not set, so skipping)';
  }
  return pg ? false : 'PostgreSQL is not reachable (CI is not set, so skipping)';
}

function instanceConfig(sim: Simulator, store: string, redis: string, prefix: string): ConfigInput {
  return {
    server: { host: '127.0.0.1', port: 0, logFormat: 'json', logLevel: 'info' },
    store: { postgres: store },
    redis,
    cluster: { prefix, heartbeatMs: 300 },
    adminToken: ADMIN,
    clients: [{ name: 'shop', key: KEY }],
    accounts: ACCOUNTS.map((name) => ({ name, provider: 'openai-compatible', baseUrl: `${sim.url}/v1`, apiKey: `sk-up-${name}-000000000`, limits: { 'gpt-4o-mini': { rpm: RPM } } })),
    scheduler: { timeScale: TIME_SCALE, maxWaitMs: { default: 30_000 } },
    batch: { pollMs: 50, leaseMs: 1500, concurrency: 16 },
    cache: { defaultOn: false },
  };
}

type SimStats = { accounts: Record<string, { accepted: number; violations: number }>; totals: { accepted: number; violations: number } };

async function simStats(sim: Simulator): Promise<SimStats> {
  return (await (await fetch(`${sim.url}/sim/stats`)).json()) as SimStats;
}

/** Sends `n` chat requests spread over the instances (all at once); resolves with the statuses. */
async function load(instances: readonly Instance[], n: number, tag: string): Promise<number[]> {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      fetch(`${instances[i % instances.length].url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${tag} ${i}` }], max_completion_tokens: 2 }),
      }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      }),
    ),
  );
}

async function adminGet<T>(i: Instance, path: string): Promise<T> {
  const res = await fetch(`${i.url}/admin${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as T;
}

describe('three instances on one Redis and one PostgreSQL', async () => {
  const skip = await skipReason();
  if (skip) console.error(`# test/cluster/cluster.test.ts: ${skip}`);
  let sim: Simulator;
  let redis: OwnRedis;
  let db: Awaited<ReturnType<typeof ownDatabase>>;
  let config: ConfigInput;
  const instances: Instance[] = [];

  before(async () => {
    if (skip) return;
    sim = await startSimulator({
      port: 0,
      timeScale: TIME_SCALE,
      seed: 3,
      accounts: ACCOUNTS.map((name) => ({ name, key: `sk-up-${name}-000000000`, limits: { 'gpt-4o-mini': { rpm: RPM } } })),
    });
    redis = await ownRedis();
    db = await ownDatabase();
    config = instanceConfig(sim, db.url, redis.url, `sluice-test-${process.pid}:`);
    // The first creates the schema; the others start on it at once.
    instances.push(await startInstance(config));
    instances.push(...(await Promise.all([startInstance(config), startInstance(config)])));
  });

  after(async () => {
    if (skip) return;
    await Promise.all(instances.map((i) => i.stop('SIGKILL')));
    await redis.kill();
    await sim.close();
    await db.drop();
  });

  it('load spread over the three gets the whole pool, with no simulator limit broken', { skip }, async () => {
    const statuses = await load(instances, 450, 'spread'); // 2.5 pool-minutes of work
    assert.deepEqual([...new Set(statuses)], [200]);
    const s = await simStats(sim);
    assert.equal(s.totals.accepted, 450);
    assert.equal(s.totals.violations, 0, JSON.stringify(s.accounts));
    for (const name of ACCOUNTS) assert.ok(s.accounts[name].accepted >= 100, `${name} took its part: ${s.accounts[name].accepted}`);
    const pool = await adminGet<{ cluster: { instances: number; degraded: boolean } }>(instances[1], '/pool');
    assert.equal(pool.cluster.instances, 3);
    assert.equal(pool.cluster.degraded, false);
  });

  it('an account disabled through one instance is used by none within a second', { skip }, async () => {
    const res = await fetch(`${instances[0].url}/admin/accounts/p1/disable`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
    assert.equal(res.status, 200);
    await sleep(1000);
    const before = (await simStats(sim)).accounts.p1.accepted;
    const statuses = await load(instances.slice(1), 60, 'after-disable');
    assert.deepEqual([...new Set(statuses)], [200]);
    assert.equal((await simStats(sim)).accounts.p1.accepted, before, 'p1 got no request from any instance');
    for (const i of instances) {
      const pool = await adminGet<{ accounts: Array<{ name: string; enabled: boolean }> }>(i, '/pool');
      assert.equal(pool.accounts.find((a) => a.name === 'p1')?.enabled, false);
    }
    // Put back through another instance: everyone uses it again.
    assert.equal((await fetch(`${instances[2].url}/admin/accounts/p1/enable`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } })).status, 200);
    await sleep(1000);
    for (const i of instances) {
      const pool = await adminGet<{ accounts: Array<{ name: string; enabled: boolean }> }>(i, '/pool');
      assert.equal(pool.accounts.find((a) => a.name === 'p1')?.enabled, true);
    }
  });

  it('an instance SIGKILLed mid-batch: the others finish the batch, every line exactly once', { skip }, async () => {
    const client = new OpenAI({ apiKey: KEY, baseURL: `${instances[0].url}/v1`, maxRetries: 0 });
    const ids = Array.from({ length: 720 }, (_, i) => `line-${i}`); // 4 pool-minutes
    const input = ids.map((id) => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: id }], max_completion_tokens: 2 } }));
    const file = await client.files.create({ file: await toFile(Buffer.from(input.join('\n')), 'in.jsonl'), purpose: 'batch' });
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const other = new OpenAI({ apiKey: KEY, baseURL: `${instances[1].url}/v1`, maxRetries: 0 });
    for (let i = 0; i < 400; i++) {
      const b = await other.batches.retrieve(batch.id);
      if ((b.request_counts?.completed ?? 0) >= 120) break;
      await sleep(25);
    }
    await instances[0].stop('SIGKILL');
    let final = await other.batches.retrieve(batch.id);
    for (let i = 0; i < 600 && final.status !== 'completed'; i++) {
      await sleep(100);
      final = await other.batches.retrieve(batch.id);
    }
    assert.equal(final.status, 'completed');
    assert.equal(final.request_counts?.completed, ids.length);
    const out = await (await other.files.content(final.output_file_id as string)).text();
    const seen = out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { custom_id: string }).custom_id);
    assert.equal(seen.length, ids.length);
    assert.deepEqual([...new Set(seen)].sort(), [...ids].sort());
    instances[0] = await startInstance(config);
  });

  it('Redis killed and restarted mid-run: requests keep being served, the instances re-sync', { skip }, async (t) => {
    const before = await simStats(sim);
    const running = load(instances, 600, 'redis-restart');
    await sleep(400);
    await redis.kill();
    await sleep(1500);
    await redis.start();
    const statuses = await running;
    assert.deepEqual([...new Set(statuses)], [200]);
    const s = await simStats(sim);
    const violations = s.totals.violations - before.totals.violations;
    t.diagnostic(`simulator limit violations during the Redis restart: ${violations} of 600 requests`);
    // Stated tolerance (README "Several instances"): 1 % of the run's requests. 15 isolated runs
    // gave 0; before instances re-joined the shared windows while still on their share, 2 of 6 gave 22 and 103.
    assert.ok(violations <= 6, `simulator limit violations during the Redis restart: ${violations}`);
    for (const i of instances) {
      let pool = await adminGet<{ cluster: { degraded: boolean; recovering: boolean } }>(i, '/pool');
      for (let k = 0; k < 50 && (pool.cluster.degraded || pool.cluster.recovering); k++) {
        await sleep(100);
        pool = await adminGet<{ cluster: { degraded: boolean; recovering: boolean } }>(i, '/pool');
      }
      assert.deepEqual(pool.cluster, { ...pool.cluster, degraded: false, recovering: false }, 'the instance is back on shared limits, no longer held to its share');
    }
    const events = await adminGet<{ data: Array<{ type: string }> }>(instances[1], '/events?limit=200');
    const types = new Set(events.data.map((e) => e.type));
    assert.ok(types.has('cluster_degraded') && types.has('cluster_recovered'), [...types].join(','));
    // And the pool is shared again: another burst breaks no limit.
    const calm = (await simStats(sim)).totals.violations;
    await sleep(1300); // one window, so the burst starts on an empty pool
    assert.deepEqual([...new Set(await load(instances, 300, 'after-restart'))], [200]);
    assert.equal((await simStats(sim)).totals.violations, calm);
  });
});
