import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AzureOpenAI } from 'openai';
import { start } from './helpers.ts';

const KEY = 'azure-key-0123456789abcdef';
const V = '2024-10-21';

async function azurePost(url: string, body: unknown, headers: Record<string, string> = { 'api-key': KEY }) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

test('Azure classic path with api-key: the deployment is the model; Azure-style headers', async (t) => {
  const sim = await start({ accounts: [{ name: 'az', key: KEY, limits: { 'gpt-4o-mini': { rpm: 2, tpm: 1000 } } }] });
  t.after(() => sim.close());
  const client = new AzureOpenAI({ apiKey: KEY, endpoint: sim.url, apiVersion: V, deployment: 'gpt-4o-mini', maxRetries: 0 });
  const { data, response } = await client.chat.completions.create({ model: 'ignored', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
  assert.equal(data.model, 'gpt-4o-mini');
  assert.equal(response.headers.get('x-ratelimit-remaining-requests'), '1');
  assert.equal(response.headers.get('x-ratelimit-remaining-tokens'), String(1000 - 20));
  assert.equal(response.headers.get('x-ratelimit-limit-requests'), null, 'Azure sends only remaining-*');
  assert.equal(response.headers.get('x-ratelimit-reset-requests'), null);
  const url = `${sim.url}/openai/deployments/gpt-4o-mini/chat/completions?api-version=${V}`;
  const msg = { messages: [{ role: 'user', content: 'hi' }] };
  assert.equal((await azurePost(url, msg, { authorization: `Bearer ${KEY}` })).status, 200, 'a bearer token works too');
  const refused = await azurePost(url, msg);
  assert.equal(refused.status, 429);
  const body = JSON.parse(refused.text);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message']);
  assert.equal(body.error.code, '429');
  assert.match(body.error.message, /^Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 .* Please retry after \d+ seconds?\./);
  assert.ok(Number(refused.headers.get('retry-after-ms')) > 0);
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  assert.equal(sim.stats().accounts.az.violations, 1);
});

test('Azure: missing api-version, unknown deployment, wrong key, stream starts with a prompt filter chunk', async (t) => {
  const sim = await start({ accounts: [{ name: 'az', key: KEY, limits: { 'gpt-4o': { rpm: 10 } } }] });
  t.after(() => sim.close());
  const base = `${sim.url}/openai/deployments`;
  const msg = { messages: [{ role: 'user', content: 'hi' }] };
  assert.equal((await azurePost(`${base}/gpt-4o/chat/completions`, msg)).status, 400);
  const missing = await azurePost(`${base}/nope/chat/completions?api-version=${V}`, msg);
  assert.equal(missing.status, 404);
  assert.equal(JSON.parse(missing.text).error.code, 'DeploymentNotFound');
  const wrong = await azurePost(`${base}/gpt-4o/chat/completions?api-version=${V}`, msg, { 'api-key': 'wrong' });
  assert.equal(wrong.status, 401);
  assert.equal(JSON.parse(wrong.text).error.code, '401');
  const stream = await azurePost(`${base}/gpt-4o/chat/completions?api-version=${V}`, { ...msg, stream: true, max_tokens: 2 });
  assert.equal(stream.status, 200);
  const chunks = stream.text.split('\n\n').filter(Boolean);
  const first = JSON.parse(chunks[0].slice(6));
  assert.deepEqual(first.choices, []);
  assert.ok(Array.isArray(first.prompt_filter_results));
  assert.equal(chunks.at(-1), 'data: [DONE]');
  const emb = await azurePost(`${sim.url}/openai/deployments/gpt-4o/embeddings?api-version=${V}`, { input: 'abc' });
  assert.equal(emb.status, 200);
  assert.equal(JSON.parse(emb.text).model, 'gpt-4o');
});
