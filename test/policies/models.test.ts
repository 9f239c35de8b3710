import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { callFields } from '../../src/providers/index.ts';
import { retarget } from '../../src/policy/index.ts';
import { admin, CLIENT_KEY, startHarness, type Harness } from '../helpers/harness.ts';

const NO_FALLBACK = 'sk-plain-client-0001';
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hello' }], max_completion_tokens: 2 };

describe('model map: a public name, the upstream’s own name', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      // The upstream (a relay that renamed the model) knows only its own name.
      simAccounts: [{ name: 'relay', key: 'sk-up-relay-0001', limits: { 'mini-2024-07-18': { rpm: 100 } } }],
      accounts: [{ name: 'relay', apiKey: 'sk-up-relay-0001', limits: { 'gpt-4o-mini': { rpm: 100 } }, modelMap: { 'gpt-4o-mini': 'mini-2024-07-18' } }],
    });
  });
  after(() => h.close());

  test('the upstream sees its name; the client keeps the public one in x-sluice-model, the body as the upstream sent it', async () => {
    const { data, response } = await h.client.chat.completions.create(chat).withResponse();
    assert.equal(response.headers.get('x-sluice-model'), 'gpt-4o-mini');
    assert.equal(data.model, 'mini-2024-07-18', 'the body is relayed untouched');
    assert.equal(h.sim.stats().totals.byModel['mini-2024-07-18']?.accepted, 1);
    const stream = await h.client.chat.completions.create({ ...chat, stream: true }).withResponse();
    assert.equal(stream.response.headers.get('x-sluice-model'), 'gpt-4o-mini');
    for await (const _ of stream.data);
    assert.equal(h.sim.stats().totals.byModel['mini-2024-07-18']?.accepted, 2);
  });

  test('a cache hit says the cached answer’s model', async () => {
    const ask = { ...chat, temperature: 0 };
    await h.client.chat.completions.create(ask);
    const hit = await h.client.chat.completions.create(ask).withResponse();
    assert.equal(hit.response.headers.get('x-sluice-cache'), 'hit');
    assert.equal(hit.response.headers.get('x-sluice-model'), 'gpt-4o-mini');
  });
});

describe('fallbacks: used only when the primary cannot be served before the deadline', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      timeScale: 0.05, // a "minute" lasts 3 s
      simAccounts: [
        { name: 'main', key: 'sk-up-main-0001', limits: { 'gpt-4o-mini': { rpm: 1 }, 'gpt-image-1': { ipm: 1 } } },
        { name: 'local', key: 'sk-up-local-0001' }, // a self-hosted server: any model, no limits
      ],
      accounts: [
        { name: 'main', apiKey: 'sk-up-main-0001', limits: { 'gpt-4o-mini': { rpm: 1 }, 'gpt-image-1': { ipm: 1 } } },
        { name: 'local', apiKey: 'sk-up-local-0001', group: 'self-hosted', models: ['llama-3.1-8b', 'dall-e-3'] },
      ],
      clients: [
        { name: 'shop', key: CLIENT_KEY, fallbacks: { 'gpt-4o-mini': ['llama-3.1-8b'], 'gpt-image-1': ['dall-e-3'] } },
        { name: 'plain', key: NO_FALLBACK },
      ],
    });
  });
  after(() => h.close());

  test('primary with room: the primary serves', async () => {
    const { response } = await h.client.chat.completions.create(chat).withResponse();
    assert.equal(response.headers.get('x-sluice-model'), 'gpt-4o-mini');
    assert.equal(response.headers.get('x-sluice-account'), 'main');
  });

  test('primary exhausted for longer than the request may wait: the fallback serves at once', async () => {
    const t0 = Date.now();
    const { data, response } = await h.client.chat.completions.create(chat, { headers: { 'x-sluice-max-wait-ms': '1500' } }).withResponse();
    assert.equal(response.headers.get('x-sluice-model'), 'llama-3.1-8b');
    assert.equal(response.headers.get('x-sluice-account'), 'local');
    assert.equal(data.model, 'llama-3.1-8b');
    assert.ok(Date.now() - t0 < 1000, 'it did not wait out the deadline for the primary first');
    const rows = await admin<{ data: Array<{ requestId: string; model: string }> }>(h, '/usage/rows');
    assert.equal(rows.data.find((r) => r.requestId === response.headers.get('x-request-id'))?.model, 'llama-3.1-8b', 'the ledger records the model that served');
  });

  test('primary exhausted but free again before the deadline: the primary serves, after waiting', async () => {
    const { response } = await h.client.chat.completions.create(chat, { headers: { 'x-sluice-max-wait-ms': '8000' } }).withResponse();
    assert.equal(response.headers.get('x-sluice-model'), 'gpt-4o-mini');
    assert.ok(Number(response.headers.get('x-sluice-queue-ms')) > 100, 'it waited for the primary');
  });

  test('a client without fallbacks gets 429 in the same situation', async () => {
    const plain = new OpenAI({ apiKey: NO_FALLBACK, baseURL: `${h.url}/v1`, maxRetries: 0 });
    await assert.rejects(plain.chat.completions.create(chat, { headers: { 'x-sluice-max-wait-ms': '200' } }), (err: InstanceType<typeof OpenAI.APIError>) => {
      assert.equal(err.status, 429);
      return true;
    });
  });

  test('primary out of service: the fallback serves', async () => {
    h.app.pool.setEnabled('main', false);
    try {
      const { response } = await h.client.chat.completions.create(chat).withResponse();
      assert.equal(response.headers.get('x-sluice-model'), 'llama-3.1-8b');
    } finally {
      h.app.pool.setEnabled('main', true);
    }
  });

  test('gpt-image-1 → dall-e-3: the parameters are translated and the answer stays b64_json', async () => {
    const first = await h.client.images.generate({ model: 'gpt-image-1', prompt: 'a red shoe', quality: 'high', size: '1536x1024' }).withResponse();
    assert.equal(first.response.headers.get('x-sluice-model'), 'gpt-image-1');
    const before = h.sim.stats().totals.byModel['dall-e-3']?.accepted ?? 0;
    const { data, response } = await h.client.images
      .generate({ model: 'gpt-image-1', prompt: 'a red shoe', quality: 'high', size: '1536x1024', output_format: 'png' }, { headers: { 'x-sluice-max-wait-ms': '1000' } })
      .withResponse();
    assert.equal(response.headers.get('x-sluice-model'), 'dall-e-3');
    assert.equal(h.sim.stats().totals.byModel['dall-e-3']?.accepted, before + 1);
    assert.ok(data.data?.[0]?.b64_json, 'b64_json as gpt-image-1 would answer');
    assert.equal(data.data?.[0]?.revised_prompt, 'a red shoe');
  });
});

test('retarget translates image parameters between GPT image models and DALL·E 3', () => {
  const gpt = { endpoint: 'images.generations' as const, model: 'gpt-image-1', stream: false, json: { model: 'gpt-image-1', prompt: 'p', quality: 'high', size: '1536x1024', background: 'transparent', output_format: 'webp' } };
  const d3 = retarget(gpt, 'dall-e-3', 'b64_json');
  assert.equal(d3.model, 'dall-e-3');
  assert.deepEqual(callFields(d3), { model: 'dall-e-3', prompt: 'p', quality: 'hd', size: '1792x1024', response_format: 'b64_json' });
  const back = retarget({ ...gpt, model: 'dall-e-3', json: { model: 'dall-e-3', prompt: 'p', quality: 'standard', size: '1024x1792', style: 'vivid', response_format: 'url' } }, 'gpt-image-1', 'b64_json');
  assert.deepEqual(callFields(back), { model: 'gpt-image-1', prompt: 'p', quality: 'medium', size: '1024x1536', response_format: 'url' });
  const chatCall = { endpoint: 'chat.completions' as const, model: 'gpt-4o-mini', stream: false, json: { model: 'gpt-4o-mini', messages: [] } };
  assert.deepEqual(callFields(retarget(chatCall, 'llama-3.1-8b', 'b64_json')), { model: 'llama-3.1-8b', messages: [] });
});
