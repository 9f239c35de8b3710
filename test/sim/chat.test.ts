import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';
import { chat, post, start } from './helpers.ts';

const KEY = 'sk-sim-chat-00000001';

test('chat completion via the official client: shape, usage, n choices', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY }] });
  t.after(() => sim.close());
  const client = new OpenAI({ apiKey: KEY, baseURL: `${sim.url}/v1`, maxRetries: 0 });
  const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello world!' }], max_completion_tokens: 5, n: 2 });
  assert.equal(res.object, 'chat.completion');
  assert.match(res.id, /^chatcmpl-/);
  assert.equal(typeof res.created, 'number');
  assert.equal(res.model, 'gpt-4o-mini');
  assert.equal(res.choices.length, 2);
  assert.deepEqual([res.choices[0].message.role, res.choices[0].message.refusal, res.choices[0].finish_reason], ['assistant', null, 'stop']);
  assert.equal(res.choices[0].message.content?.split(' ').length, 5);
  // ceil((8 + 12) / 4) + 2 × 3 = 11 prompt tokens; 5 words × 2 choices
  assert.deepEqual([res.usage?.prompt_tokens, res.usage?.completion_tokens, res.usage?.total_tokens], [11, 10, 21]);
  assert.equal(res.usage?.prompt_tokens_details?.cached_tokens, 0);
  assert.equal(res.usage?.completion_tokens_details?.reasoning_tokens, 0);
});

test('streaming with include_usage: role chunk, one chunk per word, finish, usage chunk, [DONE]', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY }] });
  t.after(() => sim.close());
  const r = await post(sim, '/v1/chat/completions', KEY, chat('gpt-4o', { stream: true, stream_options: { include_usage: true }, max_tokens: 4 }));
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events = r.text.split('\n\n').filter(Boolean);
  assert.equal(events.at(-1), 'data: [DONE]');
  const chunks = events.slice(0, -1).map((e) => {
    assert.ok(e.startsWith('data: '));
    return JSON.parse(e.slice(6));
  });
  assert.equal(chunks.length, 1 + 4 + 1 + 1);
  assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0].id && c.created === chunks[0].created));
  assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '', refusal: null });
  assert.ok(chunks.slice(0, -1).every((c) => c.usage === null), 'earlier chunks carry usage: null');
  assert.equal(chunks.slice(1, 5).map((c) => c.choices[0].delta.content).join('').split(' ').length, 4);
  assert.deepEqual(chunks[5].choices[0].delta, {});
  assert.equal(chunks[5].choices[0].finish_reason, 'stop');
  assert.deepEqual(chunks[6].choices, []);
  assert.deepEqual([chunks[6].usage.prompt_tokens, chunks[6].usage.completion_tokens, chunks[6].usage.total_tokens], [4, 4, 8]);
});

test('streaming through the official client without include_usage has no usage key', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY }] });
  t.after(() => sim.close());
  const client = new OpenAI({ apiKey: KEY, baseURL: `${sim.url}/compat/v1`, maxRetries: 0 });
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true });
  let text = '';
  let last: OpenAI.Chat.Completions.ChatCompletionChunk | undefined;
  for await (const chunk of stream) {
    assert.equal('usage' in chunk, false);
    text += chunk.choices[0]?.delta.content ?? '';
    last = chunk;
  }
  assert.equal(text.split(' ').length, 16, 'default completion is 16 words');
  assert.equal(last?.choices[0].finish_reason, 'stop');
});

test('errors: auth, bad JSON, missing params, unknown model, unknown route — never a crash', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY, limits: { 'gpt-4o-mini': { rpm: 10 } } }], models: ['extra-model'] });
  t.after(() => sim.close());
  const noKey = await fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
  assert.equal(noKey.status, 401);
  const wrong = await post(sim, '/v1/chat/completions', 'sk-proj-abcdefghijklmnopqrstuvwxyz', chat());
  assert.equal(wrong.status, 401);
  assert.deepEqual(wrong.json.error, {
    message: `Incorrect API key provided: sk-pr${'*'.repeat(25)}wxyz. You can find your API key at https://platform.openai.com/account/api-keys.`,
    type: 'invalid_request_error',
    param: null,
    code: 'invalid_api_key',
  });
  const bad = await post(sim, '/v1/chat/completions', KEY, '{"model": "gpt-4o-mini", messages');
  assert.deepEqual([bad.status, bad.json.error.type], [400, 'invalid_request_error']);
  const noMessages = await post(sim, '/v1/chat/completions', KEY, { model: 'gpt-4o-mini' });
  assert.deepEqual([noMessages.status, noMessages.json.error.param], [400, 'messages']);
  const noModel = await post(sim, '/v1/chat/completions', KEY, { messages: [] });
  assert.deepEqual([noModel.status, noModel.json.error.param], [400, 'model']);
  assert.equal((await post(sim, '/v1/embeddings', KEY, { model: 'gpt-4o-mini' })).json.error.param, 'input');
  assert.equal((await post(sim, '/v1/images/generations', KEY, { model: 'gpt-4o-mini' })).json.error.param, 'prompt');
  assert.equal((await post(sim, '/v1/chat/completions', KEY, chat('gpt-4o-mini', { n: 0 }))).status, 400);
  assert.equal((await post(sim, '/v1/chat/completions', KEY, [1, 2])).status, 400);
  const unknown = await post(sim, '/v1/chat/completions', KEY, chat('gpt-5'));
  assert.equal(unknown.status, 404);
  assert.deepEqual(unknown.json.error, { message: 'The model `gpt-5` does not exist or you do not have access to it.', type: 'invalid_request_error', param: null, code: 'model_not_found' });
  assert.equal((await post(sim, '/v1/chat/completions', KEY, chat('extra-model'))).status, 200, 'SimOptions.models are served by every account');
  const route = await post(sim, '/v1/nope', KEY, {});
  assert.deepEqual([route.status, route.json.error.message], [404, 'Invalid URL (POST /v1/nope)']);
  assert.equal((await fetch(`${sim.url}/v1/chat/completions`)).status, 404, 'GET on a POST path');
  assert.equal((await post(sim, '/v1/chat/completions', KEY, chat())).status, 200, 'still alive');
  assert.equal(sim.stats().accounts.a.accepted, 2);
});

test('GET /v1/models lists defaults, extra models and account limit keys', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY, limits: { 'my-model': { rpm: 1 } } }], models: ['other'] });
  t.after(() => sim.close());
  const client = new OpenAI({ apiKey: KEY, baseURL: `${sim.url}/v1`, maxRetries: 0 });
  const ids: string[] = [];
  for await (const m of client.models.list()) ids.push(m.id);
  for (const id of ['gpt-4o-mini', 'gpt-4o', 'gpt-image-1', 'dall-e-3', 'text-embedding-3-small', 'omni-moderation-latest', 'my-model', 'other']) assert.ok(ids.includes(id), id);
  assert.equal((await client.models.retrieve('my-model')).id, 'my-model');
  await assert.rejects(client.models.retrieve('nope'), OpenAI.NotFoundError);
});

test('embeddings: deterministic vectors, dimensions, base64 float32, usage', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY }] });
  t.after(() => sim.close());
  const client = new OpenAI({ apiKey: KEY, baseURL: `${sim.url}/v1`, maxRetries: 0 });
  const a = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['hello', 'hello', 'other text'], encoding_format: 'float' });
  assert.equal(a.object, 'list');
  assert.equal(a.data.length, 3);
  assert.equal(a.data[0].embedding.length, 1536);
  assert.deepEqual(a.data[0].embedding, a.data[1].embedding);
  assert.notDeepEqual(a.data[0].embedding, a.data[2].embedding);
  assert.deepEqual(a.usage, { prompt_tokens: 2 + 2 + 3, total_tokens: 7 });
  const raw = await post(sim, '/v1/embeddings', KEY, { model: 'text-embedding-3-small', input: 'hello', encoding_format: 'base64', dimensions: 8 });
  const buf = Buffer.from(raw.json.data[0].embedding, 'base64');
  assert.equal(buf.length, 32);
  const floats = Array.from({ length: 8 }, (_, i) => buf.readFloatLE(i * 4));
  const norm = Math.sqrt(floats.reduce((s, x) => s + x * x, 0));
  assert.ok(Math.abs(norm - 1) < 1e-5, `unit vector, norm ${norm}`);
  const tokens = await post(sim, '/v1/embeddings', KEY, { model: 'text-embedding-3-small', input: [[1, 2, 3]] });
  assert.equal(tokens.json.usage.prompt_tokens, 3);
});

test('moderations flag the word "forbidden"', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY }] });
  t.after(() => sim.close());
  const client = new OpenAI({ apiKey: KEY, baseURL: `${sim.url}/v1`, maxRetries: 0 });
  const m = await client.moderations.create({ model: 'omni-moderation-latest', input: ['a nice day', 'this is forbidden'] });
  assert.match(m.id, /^modr-/);
  assert.equal(m.model, 'omni-moderation-latest');
  assert.deepEqual(m.results.map((r) => r.flagged), [false, true]);
  assert.equal(m.results[1].categories.violence, true);
  assert.equal(typeof m.results[0].category_scores.harassment, 'number');
});
