import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { CLIENT_KEY, startHarness, type Harness } from '../helpers/harness.ts';

describe('the OpenAI API surface through the gateway (official openai client)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('chat completion, non-streaming, with usage and Sluice headers', async () => {
    const { data, response } = await h.client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }], max_completion_tokens: 5 })
      .withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.choices[0].message.role, 'assistant');
    assert.equal(typeof data.choices[0].message.content, 'string');
    assert.equal(data.usage?.completion_tokens, 5);
    assert.match(response.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{32}$/);
    assert.match(response.headers.get('x-sluice-account') ?? '', /^acct-[12]$/);
    assert.match(response.headers.get('x-sluice-queue-ms') ?? '', /^\d+$/);
    assert.equal(response.headers.get('x-sluice-attempts'), '1');
    for (const [name] of response.headers) assert.ok(!name.startsWith('x-ratelimit-'), `per-account header ${name} leaked`);
  });

  test('chat completion, streaming, chunk by chunk with the final usage chunk', async () => {
    const stream = await h.client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Count' }],
      max_completion_tokens: 6,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.ok(chunks >= 6, `expected several chunks, got ${chunks}`);
    assert.ok(text.length > 0);
    assert.equal(usage?.completion_tokens, 6);
  });

  test('embeddings', async () => {
    const res = await h.client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float' });
    assert.equal(res.data.length, 2);
    assert.ok(res.data[0].embedding.length > 0);
    assert.ok(res.usage.prompt_tokens > 0);
  });

  test('moderations (model defaults like OpenAI)', async () => {
    const res = await h.client.moderations.create({ model: 'omni-moderation-latest', input: 'this is forbidden' });
    assert.equal(res.results[0].flagged, true);
  });

  test('image generation, gpt-image-1 shape: b64_json and image-token usage', async () => {
    const res = await h.client.images.generate({ model: 'gpt-image-1', prompt: 'a red shoe', quality: 'low', size: '1024x1024', n: 2 });
    assert.equal(res.data?.length, 2);
    const png = Buffer.from(res.data?.[0].b64_json ?? '', 'base64');
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
    assert.equal(res.usage?.output_tokens, 2 * 272);
  });

  test('image generation, dall-e-3 shape: a URL and a revised prompt', async () => {
    const res = await h.client.images.generate({ model: 'dall-e-3', prompt: 'a lighthouse', n: 1 });
    assert.match(res.data?.[0].url ?? '', /^https?:\/\//);
    assert.equal(typeof res.data?.[0].revised_prompt, 'string');
  });

  test('image edit: multipart with one or two images and a mask, relayed as multipart', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    const file = (name: string) => toFile(png, name, { type: 'image/png' });
    const one = await h.client.images.edit({ model: 'gpt-image-1', prompt: 'make it blue', image: await file('a.png') });
    const { data, response } = await h.client.images
      .edit({
        model: 'gpt-image-1',
        prompt: 'put them together',
        image: [await file('a.png'), await file('b.png')],
        mask: await file('mask.png'),
      })
      .withResponse();
    assert.ok(data.data?.[0].b64_json);
    assert.equal(response.headers.get('x-sluice-attempts'), '1');
    // The upstream bills input image tokens per image it received: both images arrived.
    const perImage = one.usage?.input_tokens_details?.image_tokens ?? 0;
    assert.ok(perImage > 0);
    assert.equal(data.usage?.input_tokens_details?.image_tokens, 2 * perImage);
  });

  test('models: the union the pool serves, and one by id', async () => {
    const list = await h.client.models.list();
    const ids = list.data.map((m) => m.id);
    assert.deepEqual(ids, ['dall-e-3', 'gpt-4o-mini', 'gpt-image-1', 'omni-moderation-latest', 'text-embedding-3-small']);
    const one = await h.client.models.retrieve('gpt-4o-mini');
    assert.equal(one.id, 'gpt-4o-mini');
    await assert.rejects(h.client.models.retrieve('nope'), OpenAI.NotFoundError);
  });

  test('error classes: 400 missing field, 401 bad key, 404 unknown model', async () => {
    await assert.rejects(
      h.client.chat.completions.create({ model: 'gpt-4o-mini' } as never),
      (e: unknown) => e instanceof OpenAI.BadRequestError && e.code === 'missing_required_parameter' && e.param === 'messages',
    );
    const bad = new OpenAI({ apiKey: 'sk-wrong-key-000', baseURL: `${h.url}/v1`, maxRetries: 0 });
    await assert.rejects(bad.models.list(), (e: unknown) => e instanceof OpenAI.AuthenticationError && e.code === 'invalid_api_key');
    await assert.rejects(
      h.client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] }),
      (e: unknown) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found',
    );
  });

  test('healthz answers without auth', async () => {
    const res = await fetch(`${h.url}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { status: string }).status, 'ok');
    assert.ok(CLIENT_KEY);
  });
});
