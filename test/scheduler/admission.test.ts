import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { admin, CLIENT_KEY, chatAs, startHarness } from '../helpers/harness.ts';

/** A "minute" of rate limit lasts 600 ms in these tests, in the simulator and in the gateway alike. */
const TS = 0.01;

let shot = 0;
/** A distinct product shot each time (identical prompts would be answered by the response cache). */
function imageRequest(url: string, key = CLIENT_KEY, headers: Record<string, string> = {}) {
  return fetch(`${url}/v1/images/generations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'gpt-image-1', prompt: `a red shoe, shot ${++shot}`, quality: 'low', size: '1024x1024' }),
  });
}

describe('admission: the pool’s whole capacity, no rate-limit error reaching the client', () => {
  test('a burst at twice the pool’s images/min completes with no client 429 and no simulator violation', async () => {
    const names = ['img-1', 'img-2', 'img-3'];
    const h = await startHarness({
      timeScale: TS,
      simAccounts: names.map((name) => ({ name, key: `sk-${name}-key`, limits: { 'gpt-image-1': { ipm: 5 } } })),
      accounts: names.map((name) => ({ name, apiKey: `sk-${name}-key`, limits: { 'gpt-image-1': { ipm: 5 } } })),
    });
    try {
      const responses = await Promise.all(Array.from({ length: 30 }, () => imageRequest(h.url)));
      const statuses = responses.map((r) => r.status);
      assert.deepEqual(new Set(statuses), new Set([200]), `statuses: ${statuses.join(',')}`);
      const queued = responses.filter((r) => Number(r.headers.get('x-sluice-queue-ms')) > 0).length;
      assert.ok(queued >= 15, `half the burst had to wait for the next window (${queued} waited)`);
      const stats = h.sim.stats();
      assert.equal(stats.totals.violations, 0);
      assert.equal(stats.totals.rateLimited, 0);
      assert.equal(stats.totals.accepted, 30);
      // spread over all three accounts, 10 each
      for (const n of names) assert.equal(stats.accounts[n].accepted, 10);
    } finally {
      await h.close();
    }
  });

  test('a deadline that cannot be met gets 429 with an accurate retry-after', async () => {
    const h = await startHarness({
      timeScale: TS,
      simAccounts: [{ name: 'a', key: 'sk-a-key-0001', limits: { 'gpt-4o-mini': { rpm: 2 } } }],
      accounts: [{ name: 'a', apiKey: 'sk-a-key-0001', limits: { 'gpt-4o-mini': { rpm: 2 } } }],
    });
    try {
      assert.equal((await chatAs(h, CLIENT_KEY)).status, 200);
      assert.equal((await chatAs(h, CLIENT_KEY)).status, 200);
      const r = await chatAs(h, CLIENT_KEY, { 'x-sluice-max-wait-ms': '20' });
      assert.equal(r.status, 429);
      assert.equal(r.code, 'rate_limit_exceeded');
      const ms = Number(r.headers.get('retry-after-ms'));
      assert.ok(ms > 0 && ms <= 60_000 * TS + 100, `retry-after-ms ${ms} within one scaled minute`);
      assert.equal(r.headers.get('retry-after'), String(Math.ceil(ms / 1000)));
      await sleep(ms);
      const again = await chatAs(h, CLIENT_KEY, { 'x-sluice-max-wait-ms': '20' });
      assert.equal(again.status, 200, 'after waiting retry-after-ms the request is admitted at once');
      assert.equal(h.sim.stats().totals.violations, 0);
    } finally {
      await h.close();
    }
  });

  test('a request larger than every account’s limit is refused at once (400), not queued', async () => {
    const h = await startHarness({
      timeScale: TS,
      simAccounts: [{ name: 'a', key: 'sk-a-key-0001' }],
      accounts: [{ name: 'a', apiKey: 'sk-a-key-0001', limits: { 'gpt-4o-mini': { tpm: 100 } } }],
    });
    try {
      const r = await chatAs(h, CLIENT_KEY, {}, { max_completion_tokens: 500 });
      assert.equal(r.status, 400);
      assert.equal(r.code, 'request_exceeds_limit');
      assert.equal(r.headers.get('x-should-retry'), 'false');
      assert.equal(h.sim.stats().totals.accepted, 0);
    } finally {
      await h.close();
    }
  });

  test('TPM binding: estimates reserve enough, usage reconciles, no violation', async () => {
    const h = await startHarness({
      timeScale: TS,
      simAccounts: [{ name: 'a', key: 'sk-a-key-0001', limits: { 'gpt-4o-mini': { tpm: 300 } } }],
      accounts: [{ name: 'a', apiKey: 'sk-a-key-0001', limits: { 'gpt-4o-mini': { tpm: 300 } } }],
    });
    try {
      const content = 'Describe this product in one short friendly sentence please. '.repeat(2);
      const rs = await Promise.all(Array.from({ length: 20 }, () => chatAs(h, CLIENT_KEY, {}, { messages: [{ role: 'user', content }], max_completion_tokens: 20 })));
      assert.deepEqual(new Set(rs.map((r) => r.status)), new Set([200]));
      assert.equal(h.sim.stats().totals.violations, 0);
    } finally {
      await h.close();
    }
  });

  test('per-account concurrency caps hold', async () => {
    const h = await startHarness({
      timeScale: TS,
      sim: { latencyMs: { chat: 5000 } },
      simAccounts: [{ name: 'a', key: 'sk-a-key-0001', maxConcurrent: 2 }],
      accounts: [{ name: 'a', apiKey: 'sk-a-key-0001', models: ['gpt-4o-mini'], maxConcurrent: 2 }],
    });
    try {
      const rs = await Promise.all(Array.from({ length: 10 }, () => chatAs(h, CLIENT_KEY)));
      assert.deepEqual(new Set(rs.map((r) => r.status)), new Set([200]));
      const s = h.sim.stats().accounts.a;
      assert.equal(s.maxInFlight, 2);
      assert.equal(s.violations, 0);
    } finally {
      await h.close();
    }
  });

  test('limits are learned from x-ratelimit headers when the config has none', async () => {
    const h = await startHarness({
      timeScale: TS,
      simAccounts: [{ name: 'a', key: 'sk-a-key-0001', limits: { 'gpt-4o-mini': { rpm: 4, tpm: 100_000 } } }],
      accounts: [{ name: 'a', apiKey: 'sk-a-key-0001', models: ['gpt-4o-mini'] }],
    });
    try {
      assert.equal((await chatAs(h, CLIENT_KEY)).status, 200);
      const pool = await admin<{ accounts: Array<{ models: Record<string, { learned: Record<string, number> }> }> }>(h, '/pool');
      assert.deepEqual(pool.accounts[0].models['gpt-4o-mini'].learned, { rpm: 4, tpm: 100_000 });
      const rs = await Promise.all(Array.from({ length: 8 }, () => chatAs(h, CLIENT_KEY)));
      assert.deepEqual(new Set(rs.map((r) => r.status)), new Set([200]));
      assert.equal(h.sim.stats().totals.violations, 0, 'after learning, the gateway keeps within the real limit');
    } finally {
      await h.close();
    }
  });
});
