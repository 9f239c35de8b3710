import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hashKey } from '../../src/policy/index.ts';
import { ADMIN_TOKEN, admin, CLIENT_KEY, chatAs, startHarness } from '../helpers/harness.ts';
import { storeKinds } from '../helpers/stores.ts';

const kinds = await storeKinds();

interface KeyView {
  id: string;
  name: string;
  keyPrefix: string;
  key?: string;
  keyHash?: string;
  enabled: boolean;
}

for (const kind of kinds) {
  describe(`client keys and budgets (${kind.name} store)`, { skip: kind.skip }, () => {
    after(() => kind.cleanup());

    test('key lifecycle: create (secret shown once), use, disable → 401, enable, revoke → 401', async () => {
      const store = await kind.open();
      const h = await startHarness({ store });
      try {
        const created = await admin<KeyView>(h, '/keys', { method: 'POST', body: JSON.stringify({ name: 'shop', priority: 'high', models: ['gpt-4o-mini'], dailyUsd: 50 }) });
        assert.match(created.key ?? '', /^sk-sluice-/);
        assert.equal(created.keyHash, undefined, 'the hash is never shown');
        const stored = await store.keys.getByName('shop');
        assert.equal(stored?.keyHash, hashKey(created.key ?? ''));
        assert.ok(!JSON.stringify(stored).includes(created.key ?? 'x'), 'only the hash is stored');
        const list = await admin<{ data: KeyView[] }>(h, '/keys');
        assert.ok(!JSON.stringify(list).includes(created.key ?? 'x'), 'the secret is shown once, at creation');
        const key = created.key ?? '';
        assert.equal((await chatAs(h, key)).status, 200);
        const other = await chatAs(h, key, {}, { model: 'gpt-image-1' });
        assert.ok(other.status === 403 || other.status === 400, `not an allowed model: ${other.status}`);
        await admin(h, `/keys/${created.id}`, { method: 'PATCH', body: JSON.stringify({ enabled: false }) });
        assert.equal((await chatAs(h, key)).status, 401);
        await admin(h, `/keys/${created.id}`, { method: 'PATCH', body: JSON.stringify({ enabled: true }) });
        assert.equal((await chatAs(h, key)).status, 200);
        await admin(h, `/keys/${created.id}`, { method: 'DELETE' });
        assert.equal((await chatAs(h, key)).status, 401);
        assert.equal(await store.keys.getByName('shop'), undefined);
      } finally {
        await h.close();
        await store.close();
      }
    });

    test('an expired key gets 401; config keys are synced into the store', async () => {
      const store = await kind.open();
      const h = await startHarness({ store });
      try {
        const past = await admin<KeyView>(h, '/keys', { method: 'POST', body: JSON.stringify({ name: 'old', expiresAt: '2020-01-01T00:00:00Z' }) });
        const r = await chatAs(h, past.key ?? '');
        assert.equal(r.status, 401);
        const synced = await store.keys.getByName('tester');
        assert.equal(synced?.source, 'config');
        assert.equal(synced?.keyHash, hashKey(CLIENT_KEY));
      } finally {
        await h.close();
        await store.close();
      }
    });

    test('budget: refused at the exact boundary with 429 budget_exceeded naming the budget and its reset', async () => {
      const store = await kind.open();
      // Each answer costs exactly $1: 4 completion tokens at $250,000 per 1M, input free.
      const h = await startHarness({
        store,
        pricing: { models: { 'gpt-4o-mini': { input: 0, cachedInput: 0, output: 250_000 } } },
        clients: [{ name: 'tester', key: CLIENT_KEY, budget: { dailyUsd: 3 } }],
      });
      try {
        for (let i = 0; i < 3; i++) assert.equal((await chatAs(h, CLIENT_KEY, {}, { max_completion_tokens: 4 })).status, 200, `request ${i + 1} is within budget`);
        const over = await chatAs(h, CLIENT_KEY, {}, { max_completion_tokens: 4 });
        assert.equal(over.status, 429);
        assert.equal(over.code, 'budget_exceeded');
        const tomorrow = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1)).toISOString();
        assert.match(over.message ?? '', /daily budget of \$3\.00/);
        assert.ok(over.message?.includes(tomorrow), `says when it resets: ${over.message}`);
        assert.equal(over.headers.get('x-should-retry'), 'false');
        assert.equal(h.sim.stats().totals.accepted, 3, 'the refused request cost nothing upstream');
        const rows = await admin<{ data: Array<{ costUsd: number; status: number }> }>(h, '/usage/rows');
        assert.deepEqual(rows.data.filter((r) => r.status === 200).map((r) => r.costUsd), [1, 1, 1]);
      } finally {
        await h.close();
        await store.close();
      }
    });
  });
}

describe('budgets hold what is running', () => {
  test('a burst of concurrent image requests stops at the budget, not after every one was admitted', async () => {
    // gpt-image-1, medium 1024x1024: ~$0.042 of output tokens each; the budget fits two and a bit.
    const h = await startHarness({
      sim: { latencyMs: { images: 1_500_000 } }, // 1.5 s at the simulator's 0.001 time scale: all overlap
      clients: [{ name: 'tester', key: CLIENT_KEY, budget: { dailyUsd: 0.1 } }],
    });
    try {
      const shoot = async (): Promise<{ status: number; code?: string }> => {
        const res = await fetch(`${h.url}/v1/images/generations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-image-1', prompt: 'a red running shoe', size: '1024x1024', quality: 'medium' }),
        });
        const json = (await res.json()) as { error?: { code: string } };
        return { status: res.status, code: json.error?.code };
      };
      const results = await Promise.all(Array.from({ length: 8 }, shoot));
      const ok = results.filter((r) => r.status === 200).length;
      assert.ok(ok >= 2 && ok <= 3, `admitted ${ok} of 8: ${JSON.stringify(results)}`);
      assert.deepEqual(new Set(results.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.code}`)), new Set(['429 budget_exceeded']));
      const spent = await admin<{ data: Array<{ name: string; spend: { dayUsd: number } }> }>(h, '/keys');
      const day = spent.data.find((k) => k.name === 'tester')?.spend.dayUsd ?? 0;
      assert.ok(day < 0.1 + 0.05, `spent $${day}: at most one image over the budget`);
      // Nothing is held any more: with the holds released, what is left of the budget is usable.
      assert.equal((await shoot()).status, day < 0.1 ? 200 : 429);
    } finally {
      await h.close();
    }
  });
});

describe('budgets hold what is running: chat', () => {
  test('a burst of concurrent chat requests is held at its prompt and maximum completion: exactly the budget is admitted', async () => {
    // Each answer costs exactly $1 (4 completion tokens at $250,000 per 1M, input free), and so does each hold.
    const h = await startHarness({
      sim: { latencyMs: { chat: 1_500_000 } }, // 1.5 s: all overlap
      pricing: { models: { 'gpt-4o-mini': { input: 0, cachedInput: 0, output: 250_000 } } },
      clients: [{ name: 'tester', key: CLIENT_KEY, budget: { dailyUsd: 3 } }],
    });
    try {
      const results = await Promise.all(Array.from({ length: 6 }, () => chatAs(h, CLIENT_KEY, {}, { max_completion_tokens: 4 })));
      assert.deepEqual(
        results.map((r) => r.status).sort(),
        [200, 200, 200, 429, 429, 429],
      );
      assert.equal(h.sim.stats().totals.accepted, 3);
    } finally {
      await h.close();
    }
  });
});

describe('client quotas', () => {
  let h: Awaited<ReturnType<typeof startHarness>>;
  before(async () => {
    h = await startHarness({ timeScale: 0.01, clients: [{ name: 'tester', key: CLIENT_KEY, limits: { rpm: 2 } }] });
  });
  after(() => h.close());

  test("a client over its own requests/min gets 429 client_rate_limit_exceeded with retry-after", async () => {
    assert.equal((await chatAs(h, CLIENT_KEY)).status, 200);
    assert.equal((await chatAs(h, CLIENT_KEY)).status, 200);
    const r = await chatAs(h, CLIENT_KEY);
    assert.equal(r.status, 429);
    assert.equal(r.code, 'client_rate_limit_exceeded');
    assert.ok(Number(r.headers.get('retry-after-ms')) > 0);
    assert.equal(h.sim.stats().totals.accepted, 2);
    assert.ok(ADMIN_TOKEN);
  });
});

describe('budget-driven degradation', () => {
  test('past the configured share of its budget, a client’s high-quality images are served as medium', async () => {
    // One chat answer costs $1 of a $1.50 daily budget (67%); the threshold is 50%.
    const h = await startHarness({
      pricing: { models: { 'gpt-4o-mini': { input: 0, cachedInput: 0, output: 250_000 }, 'gpt-image-1': { input: 0, imageInput: 0, imageOutput: 0.000001 } } },
      clients: [{ name: 'tester', key: CLIENT_KEY, budget: { dailyUsd: 1.5 }, degradeImagesAbove: 0.5 }],
    });
    try {
      const before = await h.client.images.generate({ model: 'gpt-image-1', prompt: 'a shoe', quality: 'high', size: '1024x1024' });
      assert.equal(before.usage?.output_tokens, 4160, 'below the threshold: high quality');
      assert.equal((await chatAs(h, CLIENT_KEY, {}, { max_completion_tokens: 4 })).status, 200);
      const after = await h.client.images.generate({ model: 'gpt-image-1', prompt: 'a shoe', quality: 'high', size: '1024x1024' });
      assert.equal(after.usage?.output_tokens, 1056, 'above it: served as medium');
    } finally {
      await h.close();
    }
  });
});
