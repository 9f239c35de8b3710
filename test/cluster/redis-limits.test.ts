import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { RedisLimits } from '../../src/cluster/index.ts';
import type { SharedReservation } from '../../src/pool/index.ts';
import { redisAvailable } from '../helpers/redis.ts';

const URL = process.env.SLUICE_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const HIGH = 0;
const LOW = 2;

describe('the shared limit windows (Lua scripts on a real Redis)', async () => {
  const up = await redisAvailable(URL);
  const skip = up ? false : `Redis at ${URL} does not answer (CI is not set, so skipping)`;
  if (skip) console.error(`# test/cluster/redis-limits.test.ts: ${skip}`);
  let redis: Redis;
  let failures: unknown[];
  let degraded: boolean;
  let limits: RedisLimits;
  let prefix: string;
  let n = 0;
  const rpm = (amount = 1, limit = 3, windowMs = 60_000): SharedReservation => ({ id: `r${++n}`, account: 'a', model: 'm', dims: [{ dim: 'rpm', windowMs, limit, amount }] });

  before(async () => {
    if (skip) return;
    redis = new Redis(URL);
    failures = [];
    degraded = false;
    prefix = `sluice-test-limits-${randomBytes(4).toString('hex')}:`;
    limits = new RedisLimits(redis, prefix, { degraded: () => degraded, failed: (e) => failures.push(e) }, () => {});
  });
  after(async () => {
    if (skip) return;
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('counts up to the limit, then answers how long until the oldest entry leaves the window', { skip }, async () => {
    for (let i = 0; i < 3; i++) assert.equal(await limits.reserve(rpm(), LOW), 0);
    const wait = await limits.reserve(rpm(), LOW);
    assert.ok(wait > 59_000 && wait <= 60_001, `wait ${wait}`);
    assert.equal(await redis.get(`${prefix}w:a:m:rpm:sum`), '3', 'a refused request is not counted');
    assert.deepEqual(failures, []);
  });

  it('a refused high-priority request makes the account urgent: lower priorities wait, equal ones do not', { skip }, async () => {
    const before = await limits.reserve(rpm(), HIGH);
    assert.ok(before > 0, 'still full');
    // The urgency lasts until the next free slot (+ grace): a low-priority request is refused for it.
    const low = await redis.pttl(`${prefix}urgent:a:m`);
    assert.ok(low > 59_000, `urgency ttl ${low}`);
    assert.ok((await limits.reserve(rpm(1, 100), LOW)) > 59_000, 'low refused even where the window has room');
    assert.equal(await limits.reserve(rpm(1, 100), HIGH), 0, 'high may take the room');
  });

  it('settle moves an entry later and corrects its tokens', { skip }, async () => {
    const r: SharedReservation = { id: 'tok-1', account: 'b', model: 'm', dims: [{ dim: 'tpm', windowMs: 60_000, limit: 1000, amount: 400 }] };
    assert.equal(await limits.reserve(r, LOW), 0);
    const t0 = Number(await redis.zscore(`${prefix}w:b:m:tpm`, 'tok-1|400'));
    limits.settle(r, { tokens: 120 });
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(await redis.get(`${prefix}w:b:m:tpm:sum`), '120');
    assert.equal(await redis.zscore(`${prefix}w:b:m:tpm`, 'tok-1|400'), null);
    assert.equal(Number(await redis.zscore(`${prefix}w:b:m:tpm`, 'tok-1|120')), t0);
    limits.settle(r, { processingMs: 0 });
    await new Promise((res) => setTimeout(res, 50));
    assert.ok(Number(await redis.zscore(`${prefix}w:b:m:tpm`, 'tok-1|120')) > t0, 'restamped to the answer time');
    assert.equal(await redis.get(`${prefix}w:b:m:tpm:sum`), '120');
  });

  it('a cooldown refuses every request on that account and model until it ends', { skip }, async () => {
    limits.cool('c', 'm', 5_000);
    await new Promise((res) => setTimeout(res, 50));
    const wait = await limits.reserve({ id: 'cool-1', account: 'c', model: 'm', dims: [{ dim: 'rpm', windowMs: 60_000, limit: 100, amount: 1 }] }, HIGH);
    assert.ok(wait > 4_000 && wait <= 5_000, `wait ${wait}`);
  });

  it('while Redis is unreachable everything passes; afterwards the windows are rebuilt, each request once', { skip }, async () => {
    degraded = true;
    const offline = Array.from({ length: 4 }, (_, i): SharedReservation => ({ id: `off-${i}`, account: 'd', model: 'm', dims: [{ dim: 'rpm', windowMs: 60_000, limit: 10, amount: 1 }] }));
    for (const r of offline) assert.equal(await limits.reserve(r, LOW), 0);
    assert.equal(await redis.get(`${prefix}w:d:m:rpm:sum`), null, 'nothing reached Redis');
    degraded = false;
    const added = await limits.backfill();
    assert.ok(added >= 4, `added ${added}`);
    assert.equal(await redis.get(`${prefix}w:d:m:rpm:sum`), '4');
    assert.equal(await limits.backfill(), 0, 'a second rebuild adds nothing');
    assert.equal(await redis.get(`${prefix}w:d:m:rpm:sum`), '4');
    // Redis restarted empty: the rebuild restores what this instance sent.
    await redis.del(`${prefix}w:d:m:rpm`, `${prefix}w:d:m:rpm:sum`);
    await limits.backfill();
    assert.equal(await redis.get(`${prefix}w:d:m:rpm:sum`), '4');
  });
});
