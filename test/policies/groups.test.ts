import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { ConfigError, configFrom } from '../../src/config/index.ts';
import { chatAs, startHarness, type Harness } from '../helpers/harness.ts';

const VIP = 'sk-vip-client-0001';
const BULK = 'sk-bulk-client-0001';
const SIM_MODELS = { 'gpt-4o-mini': { rpm: 1 }, 'gpt-image-1': { ipm: 50 } };

/**
 * A shop's tiers on one pool: `vip` may use `primary`, then `relay`; `bulk` only `cheap`.
 * Each account allows one chat request per (scaled) minute, so "no room" is easy to reach.
 */
function tiers(): Parameters<typeof startHarness>[0] {
  return {
    timeScale: 0.05, // a "minute" lasts 3 s
    simAccounts: [
      { name: 'p1', key: 'sk-up-primary-1', limits: SIM_MODELS },
      { name: 'r1', key: 'sk-up-relay-1', limits: { 'gpt-4o-mini': { rpm: 1 } } },
      { name: 'c1', key: 'sk-up-cheap-1', limits: { 'gpt-4o-mini': { rpm: 1 } } },
    ],
    accounts: [
      { name: 'p1', apiKey: 'sk-up-primary-1', group: 'primary', limits: SIM_MODELS },
      { name: 'r1', apiKey: 'sk-up-relay-1', group: 'relay', limits: { 'gpt-4o-mini': { rpm: 1 } } },
      { name: 'c1', apiKey: 'sk-up-cheap-1', group: 'cheap', limits: { 'gpt-4o-mini': { rpm: 1 } } },
    ],
    clients: [
      { name: 'vip', key: VIP, priority: 'high', groups: ['primary', 'relay'] },
      { name: 'bulk', key: BULK, priority: 'normal', groups: ['cheap'] },
    ],
  };
}

describe('per-client groups', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(tiers());
  });
  after(() => h.close());

  test('vip is served by primary first, then by relay when primary is out of service; bulk only by cheap', async () => {
    const vip = new OpenAI({ apiKey: VIP, baseURL: `${h.url}/v1`, maxRetries: 0 });
    const first = await vip.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 2 }).withResponse();
    assert.equal(first.response.headers.get('x-sluice-account'), 'p1');
    h.app.pool.setEnabled('p1', false);
    try {
      const second = await vip.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 2 }).withResponse();
      assert.equal(second.response.headers.get('x-sluice-account'), 'r1');
    } finally {
      h.app.pool.setEnabled('p1', true);
    }
    const bulk = await chatAs(h, BULK);
    assert.equal(bulk.status, 200);
    assert.equal(bulk.account, 'c1');
  });

  test('bulk never touches primary, even when primary is the only account with room: 429 at its deadline', async () => {
    const before = h.sim.stats().accounts.p1?.accepted ?? 0;
    // cheap's one request a minute went to the previous test; primary has room again soon, but not for bulk.
    const r = await chatAs(h, BULK, { 'x-sluice-max-wait-ms': '200' });
    assert.equal(r.status, 429);
    assert.equal(r.code, 'rate_limit_exceeded');
    assert.equal(h.sim.stats().accounts.p1?.accepted ?? 0, before, 'primary got nothing from bulk');
  });

  test('a model none of the client’s groups serves is a clear 404 at once, and gone from its /v1/models', async () => {
    const bulk = new OpenAI({ apiKey: BULK, baseURL: `${h.url}/v1`, maxRetries: 0 });
    const t0 = Date.now();
    await assert.rejects(bulk.images.generate({ model: 'gpt-image-1', prompt: 'a shoe' }), (err: InstanceType<typeof OpenAI.APIError>) => {
      assert.equal(err.status, 404);
      assert.equal(err.code, 'model_not_found');
      return true;
    });
    assert.ok(Date.now() - t0 < 1000, 'no waiting');
    const ids = (await bulk.models.list()).data.map((m) => m.id);
    assert.deepEqual(ids, ['gpt-4o-mini']);
  });
});

describe('groups and strict priority', () => {
  test('a high-priority client waiting for its own groups does not hold back a lower one bound to other groups', async () => {
    const h = await startHarness(tiers());
    try {
      // Use up primary and relay for vip (one request a minute each).
      assert.equal((await chatAs(h, VIP)).account, 'p1');
      assert.equal((await chatAs(h, VIP)).account, 'r1');
      const waiting = chatAs(h, VIP, { 'x-sluice-max-wait-ms': '1500' }).then((r) => ({ ...r, at: Date.now() }));
      await new Promise((r) => setTimeout(r, 100));
      const t0 = Date.now();
      const bulk = await chatAs(h, BULK);
      const bulkDone = Date.now();
      assert.equal(bulk.status, 200);
      assert.equal(bulk.account, 'c1');
      assert.ok(bulkDone - t0 < 1000, `bulk was not held back behind vip (${bulkDone - t0} ms)`);
      const vip = await waiting;
      assert.ok(vip.at > bulkDone, 'vip was still waiting when bulk finished');
      assert.equal(vip.status, 429);
    } finally {
      await h.close();
    }
  });

  test('a waiting client whose groups lose their last account gets 503 no_account_available at once, not its deadline', async () => {
    const h = await startHarness(tiers());
    try {
      assert.equal((await chatAs(h, BULK)).account, 'c1');
      const t0 = Date.now();
      const waiting = chatAs(h, BULK, { 'x-sluice-max-wait-ms': '5000' });
      await new Promise((r) => setTimeout(r, 100));
      h.app.pool.setEnabled('c1', false);
      const r = await waiting;
      assert.equal(r.status, 503);
      assert.equal(r.code, 'no_account_available');
      assert.match(r.message ?? '', /cheap/);
      assert.ok(Date.now() - t0 < 2000);
    } finally {
      await h.close();
    }
  });
});

describe('routing config', () => {
  test('a group no account is in is a config error naming the field', () => {
    assert.throws(
      () =>
        configFrom({
          accounts: [{ name: 'a', provider: 'openai', apiKey: 'sk-x', group: 'primary' }],
          clients: [{ name: 'vip', key: VIP, groups: ['primary', 'relais'] }],
        }),
      (err: Error) => err instanceof ConfigError && err.message === 'clients[0].groups[1]: no account is in group "relais" (groups: primary)',
    );
  });

  test('a fallback the client may not use is a config error naming the field', () => {
    assert.throws(
      () => configFrom({ clients: [{ name: 'vip', key: VIP, models: ['gpt-4o-mini'], fallbacks: { 'gpt-4o-mini': ['llama-3.1-8b'] } }] }),
      (err: Error) => err instanceof ConfigError && err.message === 'clients[0].fallbacks.gpt-4o-mini[0]: "llama-3.1-8b" is not in this client\'s models',
    );
  });
});
