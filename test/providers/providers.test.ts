import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseGoDuration, retryAfterMs, scrubSecrets } from '../../src/providers/index.ts';
import { startSimulator } from '../../src/sim/index.ts';
import { createApp } from '../../src/app.ts';
import { configFrom } from '../../src/config/index.ts';
import OpenAI from 'openai';
import { openStore } from '../../src/store/index.ts';

describe('provider dialects through the gateway', () => {
  test('azure (classic deployment URLs, api-key header, model → deployment) and openai-compatible under a prefix', async () => {
    const sim = await startSimulator({
      port: 0,
      timeScale: 0.001,
      accounts: [
        { name: 'az', key: 'azure-key-0001', limits: { 'my-4o-mini': { rpm: 100 } } },
        { name: 'compat', key: 'sk-compat-0001', limits: { 'gpt-4o': { rpm: 100 } } },
      ],
    });
    const store = await openStore({ sqlite: ':memory:' });
    const app = createApp(
      configFrom({
        server: { port: 0 },
        clients: [{ name: 't', key: 'sk-client-0001' }],
        accounts: [
          { name: 'az', provider: 'azure', baseUrl: sim.url, apiKey: 'azure-key-0001', deployments: { 'gpt-4o-mini': 'my-4o-mini' }, limits: { 'gpt-4o-mini': { rpm: 100 } } },
          { name: 'compat', provider: 'openai-compatible', baseUrl: `${sim.url}/some/prefix/v1`, apiKey: 'sk-compat-0001', models: ['gpt-4o'] },
        ],
      }),
      { store },
      { logger: false },
    );
    const url = await app.listen();
    try {
      const client = new OpenAI({ apiKey: 'sk-client-0001', baseURL: `${url}/v1`, maxRetries: 0 });
      const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      assert.equal(response.headers.get('x-sluice-account'), 'az');
      assert.equal(data.object, 'chat.completion');
      // Azure streams may open with a chunk whose choices are empty; it is relayed as is.
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      assert.ok(text.length > 0);
      const r2 = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      assert.equal(r2.response.headers.get('x-sluice-account'), 'compat');
      assert.equal(sim.stats().accounts.az.accepted, 2);
      assert.equal(sim.stats().accounts.compat.accepted, 1);
    } finally {
      await app.close();
      await store.close();
      await sim.close();
    }
  });
});

describe('reading upstream answers', () => {
  test('Go-style durations', () => {
    assert.equal(parseGoDuration('12ms'), 12);
    assert.equal(parseGoDuration('1.2s'), 1200);
    assert.equal(parseGoDuration('6m0s'), 360_000);
    assert.equal(parseGoDuration('23h18m29.144s'), 83_909_144);
    assert.equal(parseGoDuration('soon'), undefined);
  });

  test('retry-after: -ms header, seconds, HTTP date, OpenAI and Azure messages', () => {
    assert.equal(retryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' }, undefined), 250);
    assert.equal(retryAfterMs({ 'retry-after': '3' }, undefined), 3000);
    assert.equal(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, undefined, 4_000), 6000);
    assert.equal(retryAfterMs({}, 'Rate limit reached ... Please try again in 644ms. Visit ...'), 644);
    assert.equal(retryAfterMs({}, 'Rate limit reached ... Please try again in 1.2s.'), 1200);
    assert.equal(retryAfterMs({}, 'Requests to the ChatCompletions_Create Operation ... Please retry after 6 seconds.'), 6000);
    assert.equal(retryAfterMs({}, 'no hint here'), undefined);
  });

  test('secrets are scrubbed from upstream text, whole or masked', () => {
    const account = { apiKey: 'azure-plain-secret' };
    assert.equal(scrubSecrets('bad key azure-plain-secret given', account), 'bad key [redacted] given');
    assert.equal(scrubSecrets('Incorrect API key provided: sk-ab***********wxyz. You can', account), 'Incorrect API key provided: [redacted]. You can');
  });
});
