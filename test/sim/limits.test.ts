import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';
import { goDuration } from '../../src/sim/index.ts';
import { chat, post, sleep, start } from './helpers.ts';

const KEY = 'sk-sim-limits-0001';

test('rpm 5: the 6th request is a 429 with headers and an accurate retry time; room comes back', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY, limits: { 'gpt-4o-mini': { rpm: 5 } } }] });
  t.after(() => sim.close());
  for (let i = 0; i < 5; i++) {
    const ok = await post(sim, '/v1/chat/completions', KEY, chat());
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('x-ratelimit-limit-requests'), '5');
    assert.equal(ok.headers.get('x-ratelimit-remaining-requests'), String(4 - i));
    assert.equal(ok.headers.get('x-ratelimit-reset-requests'), '600ms');
    assert.equal(ok.headers.get('x-ratelimit-limit-tokens'), null, 'no tpm, no token headers');
    assert.match(ok.headers.get('x-request-id') ?? '', /^req_/);
    assert.match(ok.headers.get('openai-processing-ms') ?? '', /^\d+$/);
  }
  const refused = await post(sim, '/v1/chat/completions', KEY, chat());
  assert.equal(refused.status, 429);
  assert.equal(refused.json.error.code, 'rate_limit_exceeded');
  assert.equal(refused.json.error.type, 'requests');
  assert.equal(refused.json.error.param, null);
  const waitMs = Number(refused.headers.get('retry-after-ms'));
  assert.ok(waitMs > 0 && waitMs <= 600, `retry-after-ms ${waitMs}`);
  assert.equal(refused.headers.get('retry-after'), '1');
  assert.equal(refused.headers.get('x-ratelimit-remaining-requests'), '0');
  assert.ok(
    refused.json.error.message.startsWith(`Rate limit reached for gpt-4o-mini in organization org-sim on requests per min (RPM): Limit 5, Used 5, Requested 1. Please try again in ${goDuration(waitMs)}.`),
    refused.json.error.message,
  );
  await sleep(waitMs / 2);
  assert.equal((await post(sim, '/v1/chat/completions', KEY, chat())).status, 429, 'still no room halfway');
  await sleep(waitMs / 2 + 15);
  assert.equal((await post(sim, '/v1/chat/completions', KEY, chat())).status, 200, 'room after retry-after-ms');
  const s = sim.stats().accounts.a;
  assert.equal(s.accepted, 6);
  assert.equal(s.violations, 2);
  assert.equal(s.rateLimited, 2);
  assert.deepEqual(s.byModel['gpt-4o-mini'], { accepted: 6, violations: 2 });
});

test('burst window limits requests within perSeconds', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY, limits: { 'gpt-4o-mini': { rpm: 100, burst: { requests: 2, perSeconds: 10 } } } }] });
  t.after(() => sim.close());
  assert.equal((await post(sim, '/v1/chat/completions', KEY, chat())).status, 200);
  assert.equal((await post(sim, '/v1/chat/completions', KEY, chat())).status, 200);
  const refused = await post(sim, '/v1/chat/completions', KEY, chat());
  assert.equal(refused.status, 429);
  assert.match(refused.json.error.message, /requests per 10s \(burst\): Limit 2, Used 2/);
  const waitMs = Number(refused.headers.get('retry-after-ms'));
  assert.ok(waitMs > 0 && waitMs <= 100, `burst window is 100 ms scaled, got ${waitMs}`);
  await sleep(waitMs + 15);
  assert.equal((await post(sim, '/v1/chat/completions', KEY, chat())).status, 200);
  assert.equal(sim.stats().accounts.a.violations, 1);
});

test('tpm counts prompt + completion tokens; a request larger than the limit is "Request too large"', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY, limits: { 'gpt-4o-mini': { tpm: 100 } } }] });
  t.after(() => sim.close());
  // 'hi' → ceil(2/4) + 3 = 4 prompt tokens; 36 completion tokens → 40 per request
  const body = chat('gpt-4o-mini', { max_completion_tokens: 36 });
  const first = await post(sim, '/v1/chat/completions', KEY, body);
  assert.equal(first.status, 200);
  assert.equal(first.json.usage.total_tokens, 40);
  assert.equal(first.headers.get('x-ratelimit-limit-tokens'), '100');
  assert.equal(first.headers.get('x-ratelimit-remaining-tokens'), '60');
  assert.equal((await post(sim, '/v1/chat/completions', KEY, body)).status, 200);
  const refused = await post(sim, '/v1/chat/completions', KEY, body);
  assert.equal(refused.status, 429);
  assert.equal(refused.json.error.type, 'tokens');
  assert.match(refused.json.error.message, /tokens per min \(TPM\): Limit 100, Used 80, Requested 40\./);
  const small = await post(sim, '/v1/chat/completions', KEY, chat('gpt-4o-mini', { max_tokens: 16 }));
  assert.equal(small.status, 200, '20 tokens still fit');
  const huge = await post(sim, '/v1/chat/completions', KEY, chat('gpt-4o-mini', { max_tokens: 200 }));
  assert.equal(huge.status, 429);
  assert.equal(huge.json.error.code, 'rate_limit_exceeded');
  assert.match(huge.json.error.message, /^Request too large for gpt-4o-mini in organization org-sim on tokens per min \(TPM\): Limit 100, Requested 204\./);
  assert.equal(huge.headers.get('retry-after'), null, 'retrying a too-large request is useless');
  assert.equal(sim.stats().accounts.a.violations, 2);
});

test('ipm charges n images; headers fall back to ipm for image models', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY, limits: { 'gpt-image-1': { ipm: 5 } } }] });
  t.after(() => sim.close());
  const client = new OpenAI({ apiKey: KEY, baseURL: `${sim.url}/v1`, maxRetries: 0 });
  const { data, response } = await client.images.generate({ model: 'gpt-image-1', prompt: 'a cat', n: 3 }).withResponse();
  assert.equal(data.data?.length, 3);
  assert.equal(response.headers.get('x-ratelimit-limit-requests'), '5');
  assert.equal(response.headers.get('x-ratelimit-remaining-requests'), '2');
  await assert.rejects(client.images.generate({ model: 'gpt-image-1', prompt: 'a cat', n: 3 }), (err: unknown) => {
    assert.ok(err instanceof OpenAI.RateLimitError);
    assert.match(err.message, /images per min \(IPM\): Limit 5, Used 3, Requested 3\./);
    assert.equal(err.type, 'requests');
    return true;
  });
  await client.images.generate({ model: 'gpt-image-1', prompt: 'a cat', n: 2 });
  const s = sim.stats().accounts.a;
  assert.deepEqual([s.accepted, s.violations], [2, 1]);
});

test('maxConcurrent: one request beyond the cap is a 429 violation; inFlight is tracked', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY, maxConcurrent: 2 }], latencyMs: { chat: 30_000 } }); // 300 ms
  t.after(() => sim.close());
  const pending = [1, 2, 3].map(() => post(sim, '/v1/chat/completions', KEY, chat()));
  await sleep(100);
  assert.equal(sim.stats().accounts.a.inFlight, 2);
  const results = await Promise.all(pending);
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 200, 429]);
  const refused = results.find((r) => r.status === 429);
  assert.match(refused?.json.error.message, /^Too many concurrent requests/);
  assert.equal(refused?.json.error.code, 'rate_limit_exceeded');
  assert.ok(Number(refused?.headers.get('retry-after-ms')) > 0);
  const s = sim.stats().accounts.a;
  assert.deepEqual([s.accepted, s.violations, s.inFlight, s.maxInFlight], [2, 1, 0, 2]);
  assert.equal((await post(sim, '/v1/chat/completions', KEY, chat())).status, 200, 'room again once they finished');
});

test('rpd uses a scaled day; windows are per model and per account', async (t) => {
  const limits = { 'gpt-4o-mini': { rpd: 1 }, 'gpt-4o': { rpd: 1 } };
  const sim = await start({ accounts: [{ name: 'a', key: KEY, limits }, { name: 'b', key: 'sk-b', limits }] });
  t.after(() => sim.close());
  assert.equal((await post(sim, '/v1/chat/completions', KEY, chat())).status, 200);
  assert.equal((await post(sim, '/v1/chat/completions', KEY, chat('gpt-4o'))).status, 200);
  assert.equal((await post(sim, '/v1/chat/completions', 'sk-b', chat())).status, 200);
  const refused = await post(sim, '/v1/chat/completions', KEY, chat());
  assert.equal(refused.status, 429);
  assert.match(refused.json.error.message, /requests per day \(RPD\): Limit 1, Used 1/);
  assert.ok(Number(refused.headers.get('retry-after-ms')) > 600, 'a scaled day (864 s × 0.01) is longer than a scaled minute');
  const totals = sim.stats().totals;
  assert.deepEqual([totals.accepted, totals.violations], [3, 1]);
});
