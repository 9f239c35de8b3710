import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN, CLIENT_KEY, chatAs, type Harness, startHarness } from '../helpers/harness.ts';
import { type Family, parseMetrics, samples, total } from './parse.ts';

const MODELS = ['gpt-4o-mini', 'gpt-image-1'];

async function scrape(h: Harness, headers: Record<string, string> = {}): Promise<{ text: string; m: Map<string, Family> }> {
  const res = await fetch(`${h.url}/metrics`, { headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, m: parseMetrics(text) };
}

describe('GET /metrics under a scripted workload', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      simAccounts: [
        { name: 'broken', key: 'sk-upstream-broken-000001', faults: { error500Rate: 1 } },
        { name: 'good', key: 'sk-upstream-good-0000001' },
      ],
      accounts: [
        { name: 'broken', apiKey: 'sk-upstream-broken-000001', models: MODELS, group: 'a' },
        { name: 'good', apiKey: 'sk-upstream-good-0000001', group: 'b', limits: { 'gpt-4o-mini': { rpm: 500, tpm: 200_000 }, 'gpt-image-1': { ipm: 50 } } },
      ],
      scheduler: { circuit: { failureThreshold: 100 } },
    });
  });
  after(() => h.close());

  it('counts requests, retries, money, cache, streams and pool state as they happen', async () => {
    const before = (await scrape(h)).m;
    assert.equal(samples(before, 'sluice_requests_total').length, 0, 'no request yet');
    assert.equal(total(before, 'sluice_account_enabled', { account: 'good', group: 'b' }), 1);
    assert.equal(total(before, 'sluice_account_headroom_ratio', { account: 'good', model: 'gpt-4o-mini', dimension: 'rpm' }), 1);

    // Four chats: group `a` (the broken account) is tried first, fails with 500, the request goes to `good`.
    for (let i = 0; i < 4; i++) {
      const r = await chatAs(h, CLIENT_KEY, {}, { messages: [{ role: 'user', content: `question ${i}` }] });
      assert.equal(r.status, 200);
      assert.equal(r.account, 'good');
    }
    // Two streams.
    for (let i = 0; i < 2; i++) {
      const s = await h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `stream ${i}` }], stream: true });
      for await (const _ of s);
    }
    // One image; one cache miss then hit (temperature 0 is cacheable by default).
    await h.client.images.generate({ model: 'gpt-image-1', prompt: 'a red bicycle', size: '1024x1024', quality: 'low' });
    const cached = { messages: [{ role: 'user', content: 'same question' }], temperature: 0 };
    assert.equal((await chatAs(h, CLIENT_KEY, {}, cached)).headers.get('x-sluice-cache'), 'miss');
    assert.equal((await chatAs(h, CLIENT_KEY, {}, cached)).headers.get('x-sluice-cache'), 'hit');
    // A model nobody serves, and a request with a bad key.
    assert.equal((await chatAs(h, CLIENT_KEY, {}, { model: 'secret-project-model-42' })).status, 404);
    assert.equal((await chatAs(h, 'sk-wrong-key-000000000')).status, 401);

    const { text, m } = await scrape(h);
    const chat = { client: 'tester', model: 'gpt-4o-mini', endpoint: 'chat.completions', status: '200' };
    assert.equal(total(m, 'sluice_requests_total', chat), 8, '4 chats + 2 streams + miss + hit');
    assert.equal(total(m, 'sluice_requests_total', { endpoint: 'images.generations', status: '200' }), 1);
    assert.equal(total(m, 'sluice_requests_total', { client: 'tester', model: 'other', status: '404' }), 1, 'unknown model names are not labels');
    assert.equal(total(m, 'sluice_requests_total', { client: '', status: '401' }), 1);
    assert.ok(!text.includes('secret-project-model-42'), 'a client-chosen model name never becomes a label value');
    assert.ok(!text.includes('sk-upstream'), 'no upstream key in the metrics');

    // Every non-cached request first failed on the broken account.
    assert.equal(total(m, 'sluice_retries_total', { account: 'broken', reason: 'upstream_error' }), 8);
    assert.equal(total(m, 'sluice_upstream_latency_seconds_count', { account: 'good' }), 8);
    assert.equal(total(m, 'sluice_time_to_first_token_seconds_count', { model: 'gpt-4o-mini' }), 2);
    assert.equal(total(m, 'sluice_queue_wait_seconds_count', { endpoint: 'chat.completions', priority: 'normal' }), 7, 'cache hits do not queue');
    assert.equal(total(m, 'sluice_request_duration_seconds_count', { endpoint: 'chat.completions' }), 9);
    assert.equal(total(m, 'sluice_cache_requests_total', { result: 'hit' }), 1);
    assert.equal(total(m, 'sluice_cache_requests_total', { result: 'miss' }), 2, 'the image and the first temperature-0 chat');
    assert.equal(total(m, 'sluice_cache_requests_total', { result: 'bypass' }), 6, 'chats at the default temperature are not cached');
    assert.equal(total(m, 'sluice_cache_entries'), 2);

    assert.ok(total(m, 'sluice_cost_usd_total', { client: 'tester', model: 'gpt-4o-mini' }) > 0);
    assert.ok(total(m, 'sluice_cost_usd_total', { client: 'tester', model: 'gpt-image-1' }) > 0);
    assert.ok(total(m, 'sluice_tokens_total', { client: 'tester', model: 'gpt-4o-mini', kind: 'input_text' }) > 0);
    assert.ok(total(m, 'sluice_tokens_total', { client: 'tester', model: 'gpt-4o-mini', kind: 'output_text' }) > 0);
    assert.equal(total(m, 'sluice_images_total', { client: 'tester', model: 'gpt-image-1' }), 1);

    assert.equal(total(m, 'sluice_account_used', { account: 'good', model: 'gpt-4o-mini', dimension: 'rpm' }), 7);
    const ratio = total(m, 'sluice_account_headroom_ratio', { account: 'good', model: 'gpt-4o-mini', dimension: 'rpm' });
    assert.ok(Math.abs(ratio - 493 / 500) < 1e-9, `rpm headroom ${ratio}`);
    assert.equal(total(m, 'sluice_account_limit', { account: 'good', model: 'gpt-image-1', dimension: 'ipm' }), 50);
    assert.equal(total(m, 'sluice_account_in_flight', { account: 'good' }), 0);
    assert.equal(total(m, 'sluice_account_circuit_state', { account: 'good', state: 'closed' }), 1);
    for (const p of ['high', 'normal', 'low']) assert.equal(total(m, 'sluice_queue_depth', { priority: p }), 0);
    assert.equal(m.get('sluice_batches')?.type, 'GAUGE');
    assert.ok(m.has('process_cpu_seconds_total'), 'process metrics are there too');
  });

  it('shows an account taken out of service, and the event', async () => {
    const res = await fetch(`${h.url}/admin/accounts/good/disable`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(res.status, 200, await res.text());
    const { m } = await scrape(h);
    assert.equal(total(m, 'sluice_account_enabled', { account: 'good' }), 0);
    assert.equal(total(m, 'sluice_account_enabled', { account: 'broken' }), 1);
    assert.equal(total(m, 'sluice_events_total', { type: 'account_disabled' }), 1);
  });
});

describe('metrics settings', () => {
  it('metrics.requireAdminToken puts /metrics behind the admin token', async () => {
    const locked = await startHarness({ metrics: { requireAdminToken: true } });
    try {
      assert.equal((await fetch(`${locked.url}/metrics`)).status, 401);
      await scrape(locked, { authorization: `Bearer ${ADMIN_TOKEN}` });
    } finally {
      await locked.close();
    }
  });

  it('metrics.maxClientLabels: clients past the first N seen are counted as other', async () => {
    const h = await startHarness({
      metrics: { maxClientLabels: 1 },
      clients: [
        { name: 'first', key: CLIENT_KEY },
        { name: 'second', key: 'sk-second-client-0001' },
      ],
    });
    try {
      assert.equal((await chatAs(h, CLIENT_KEY)).status, 200);
      assert.equal((await chatAs(h, 'sk-second-client-0001')).status, 200);
      assert.equal((await chatAs(h, 'sk-second-client-0001')).status, 200);
      const m = parseMetrics(await (await fetch(`${h.url}/metrics`)).text());
      assert.equal(total(m, 'sluice_requests_total', { client: 'first' }), 1);
      assert.equal(total(m, 'sluice_requests_total', { client: 'other' }), 2);
      assert.equal(total(m, 'sluice_requests_total', { client: 'second' }), 0);
    } finally {
      await h.close();
    }
  });

  it('metrics.enabled: false removes the endpoint', async () => {
    const h = await startHarness({ metrics: { enabled: false } });
    try {
      assert.equal((await fetch(`${h.url}/metrics`)).status, 404);
    } finally {
      await h.close();
    }
  });
});
