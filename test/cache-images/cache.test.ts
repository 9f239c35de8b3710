import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { admin, CLIENT_KEY, call, startHarness, type Harness } from '../helpers/harness.ts';
import { redisAvailable } from '../helpers/redis.ts';

const nonce = (): string => randomBytes(6).toString('hex');

function chat(h: Harness, content: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return call(h, '/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], temperature: 0, max_completion_tokens: 5, ...extra }),
  });
}

interface Row {
  requestId: string;
  costUsd: number;
  cacheHit: boolean;
}

describe('response cache', () => {
  test('a repeat is served from the cache: one upstream call, x-sluice-cache: hit, $0 in the ledger', async () => {
    const h = await startHarness();
    try {
      const a = await chat(h, `describe shoe ${nonce()}`);
      const prompt = `describe a red shoe ${nonce()}`;
      const first = await chat(h, prompt);
      const firstBody = await first.text();
      // Key order and whitespace do not matter.
      const second = await call(h, '/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{ "max_completion_tokens": 5,  "temperature": 0, "messages": [{"content": ${JSON.stringify(prompt)}, "role": "user"}], "model": "gpt-4o-mini" }`,
      });
      assert.equal(first.headers.get('x-sluice-cache'), 'miss');
      assert.equal(second.headers.get('x-sluice-cache'), 'hit');
      assert.equal(await second.text(), firstBody);
      assert.equal(h.sim.stats().totals.accepted, 2, 'one call for the other prompt, one for this one');
      const rows = await admin<{ data: Row[] }>(h, '/usage/rows');
      const hitRow = rows.data.find((r) => r.requestId === second.headers.get('x-request-id'));
      assert.equal(hitRow?.cacheHit, true);
      assert.equal(hitRow?.costUsd, 0);
      assert.ok((rows.data.find((r) => r.requestId === first.headers.get('x-request-id'))?.costUsd ?? 0) > 0);
      assert.ok(a.ok);
    } finally {
      await h.close();
    }
  });

  test('a stream replayed from the cache is byte for byte the SSE the client had', async () => {
    const h = await startHarness();
    try {
      const p = `count to five ${nonce()}`;
      const one = await chat(h, p, { stream: true });
      const text1 = await one.text();
      const two = await chat(h, p, { stream: true });
      const text2 = await two.text();
      assert.equal(two.headers.get('x-sluice-cache'), 'hit');
      assert.match(two.headers.get('content-type') ?? '', /text\/event-stream/);
      assert.equal(text2, text1);
      assert.ok(text1.includes('data: [DONE]'));
      assert.equal(h.sim.stats().totals.accepted, 1);
    } finally {
      await h.close();
    }
  });

  test('identical requests in flight together go upstream once (coalescing)', async () => {
    const h = await startHarness({ sim: { latencyMs: { chat: 200_000 } } }); // 200 ms at the harness time scale
    try {
      const p = `same question ${nonce()}`;
      const rs = await Promise.all(Array.from({ length: 6 }, () => chat(h, p)));
      const bodies = await Promise.all(rs.map((r) => r.text()));
      assert.equal(new Set(bodies).size, 1);
      assert.equal(h.sim.stats().totals.accepted, 1);
      const kinds = rs.map((r) => r.headers.get('x-sluice-cache')).sort();
      assert.deepEqual(kinds, ['coalesced', 'coalesced', 'coalesced', 'coalesced', 'coalesced', 'miss']);
      const pool = await admin<{ cache: { coalesced: number } }>(h, '/pool');
      assert.equal(pool.cache.coalesced, 5);
    } finally {
      await h.close();
    }
  });

  test('x-sluice-cache: off bypasses; non-deterministic chat is cached only for clients that opted in', async () => {
    const h = await startHarness({ clients: [{ name: 'tester', key: CLIENT_KEY }, { name: 'optin', key: 'sk-client-optin-01', cache: true }] });
    try {
      const p = `bypass me ${nonce()}`;
      await chat(h, p);
      const off = await chat(h, p, {}, { 'x-sluice-cache': 'off' });
      assert.equal(off.headers.get('x-sluice-cache'), 'bypass');
      assert.equal(h.sim.stats().totals.accepted, 2);
      const q = `creative ${nonce()}`;
      await chat(h, q, { temperature: 0.8 });
      const again = await chat(h, q, { temperature: 0.8 });
      assert.equal(again.headers.get('x-sluice-cache'), 'bypass', 'temperature > 0 is not cached by default');
      const optIn = (extra: Record<string, unknown>) =>
        call(h, '/v1/chat/completions', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer sk-client-optin-01' },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: q }], max_completion_tokens: 5, ...extra }),
        });
      await optIn({ temperature: 0.8 });
      assert.equal((await optIn({ temperature: 0.8 })).headers.get('x-sluice-cache'), 'hit');
    } finally {
      await h.close();
    }
  });

  test('embeddings are cached by default', async () => {
    const h = await startHarness();
    try {
      const body = JSON.stringify({ model: 'text-embedding-3-small', input: [`a ${nonce()}`, 'b'] });
      const post = () => call(h, '/v1/embeddings', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await (await post()).text();
      assert.equal((await post()).headers.get('x-sluice-cache'), 'hit');
      assert.equal(h.sim.stats().totals.accepted, 1);
    } finally {
      await h.close();
    }
  });
});

describe('Redis as the shared second level', () => {
  test('two gateways share cached answers through Redis', async (t) => {
    const url = 'redis://127.0.0.1:6379';
    if (!(await redisAvailable(url))) return t.skip('Redis not reachable (CI is not set, so skipping)');
    const cache = { redisPrefix: `sluice-test:${nonce()}:` }; // the same for both, new each run
    const a = await startHarness({ redis: url, cache });
    const b = await startHarness({ redis: url, cache });
    try {
      const p = `shared ${nonce()}`;
      await (await chat(a, p)).text();
      const fromB = await chat(b, p);
      assert.equal(fromB.headers.get('x-sluice-cache'), 'hit');
      assert.equal(b.sim.stats().totals.accepted, 0, 'gateway B never went upstream');
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('cache scope', () => {
  test('one client never gets another client’s cached answer', async () => {
    const h = await startHarness({ clients: [{ name: 'tester', key: CLIENT_KEY }, { name: 'other', key: 'sk-client-other-01' }] });
    try {
      const p = `private question ${nonce()}`;
      await (await chat(h, p)).text();
      const other = await chat(h, p, {}, { authorization: 'Bearer sk-client-other-01' });
      assert.equal(other.headers.get('x-sluice-cache'), 'miss');
      assert.equal(h.sim.stats().totals.accepted, 2);
    } finally {
      await h.close();
    }
  });
});
