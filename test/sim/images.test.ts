import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { post, start } from './helpers.ts';

const KEY = 'sk-sim-images-0001';
const PNG_SIGNATURE = '89504e470d0a1a0a';

test('gpt-image-1 generation: b64 PNGs, echoes, usage from the quality/size table', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY }] });
  t.after(() => sim.close());
  const client = new OpenAI({ apiKey: KEY, baseURL: `${sim.url}/v1`, maxRetries: 0 });
  const res = await client.images.generate({ model: 'gpt-image-1', prompt: 'a red fox', n: 2, quality: 'high', size: '1536x1024' });
  assert.equal(res.data?.length, 2);
  assert.equal(Buffer.from(res.data?.[0].b64_json ?? '', 'base64').subarray(0, 8).toString('hex'), PNG_SIGNATURE);
  assert.equal(res.data?.[0].url, undefined);
  assert.deepEqual([res.quality, res.size, res.output_format, res.background], ['high', '1536x1024', 'png', 'opaque']);
  assert.equal(res.usage?.output_tokens, 6208 * 2);
  assert.equal(res.usage?.input_tokens, 3); // ceil(9 / 4)
  assert.equal(res.usage?.total_tokens, 6208 * 2 + 3);
  assert.deepEqual(res.usage?.input_tokens_details, { text_tokens: 3, image_tokens: 0 });
  const auto = await client.images.generate({ model: 'gpt-image-1', prompt: 'x' });
  assert.deepEqual([auto.quality, auto.size, auto.usage?.output_tokens], ['medium', '1024x1024', 1056]);
  const low = await client.images.generate({ model: 'gpt-image-1', prompt: 'x', quality: 'low', size: '1024x1536' });
  assert.equal(low.usage?.output_tokens, 408);
  const badSize = await post(sim, '/v1/images/generations', KEY, { model: 'gpt-image-1', prompt: 'x', size: '512x512' });
  assert.deepEqual([badSize.status, badSize.json.error.param], [400, 'size']);
  await assert.rejects(client.images.generate({ model: 'gpt-image-1', prompt: 'x', n: 11 }), OpenAI.BadRequestError);
});

test('gpt-image tpm is charged the usage total', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY, limits: { 'gpt-image-1': { ipm: 100, tpm: 1100 } } }] });
  t.after(() => sim.close());
  const first = await post(sim, '/v1/images/generations', KEY, { model: 'gpt-image-1', prompt: 'abcd', quality: 'medium' });
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('x-ratelimit-remaining-tokens'), String(1100 - 1057));
  assert.equal(first.headers.get('x-ratelimit-limit-requests'), '100', 'ipm stands in for requests');
  const second = await post(sim, '/v1/images/generations', KEY, { model: 'gpt-image-1', prompt: 'abcd', quality: 'low' });
  assert.equal(second.status, 429);
  assert.equal(second.json.error.type, 'tokens');
});

test('dall-e-3: url answer served by the simulator, revised_prompt, n > 1 rejected, b64 on request', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY }] });
  t.after(() => sim.close());
  const client = new OpenAI({ apiKey: KEY, baseURL: `${sim.url}/v1`, maxRetries: 0 });
  const res = await client.images.generate({ model: 'dall-e-3', prompt: 'a lighthouse' });
  assert.equal(res.usage, undefined);
  const item = res.data?.[0];
  assert.equal(item?.revised_prompt, 'a lighthouse');
  assert.match(item?.url ?? '', /^http:\/\/127\.0\.0\.1:\d+\/sim\/images\/[\w-]+\.png$/);
  const img = await fetch(item?.url as string);
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/png');
  assert.equal(Buffer.from(await img.arrayBuffer()).subarray(0, 8).toString('hex'), PNG_SIGNATURE);
  assert.equal((await fetch(`${sim.url}/sim/images/img-unknown.png`)).status, 404);
  await assert.rejects(client.images.generate({ model: 'dall-e-3', prompt: 'x', n: 2 }), (err: unknown) => err instanceof OpenAI.BadRequestError && err.param === 'n');
  const b64 = await client.images.generate({ model: 'dall-e-3', prompt: 'x', response_format: 'b64_json' });
  assert.equal(Buffer.from(b64.data?.[0].b64_json ?? '', 'base64').subarray(0, 8).toString('hex'), PNG_SIGNATURE);
  const two = await client.images.generate({ model: 'dall-e-2', prompt: 'x', n: 2 });
  assert.equal(two.data?.length, 2);
  assert.equal(two.data?.[0].revised_prompt, undefined);
});

test('image edit: multipart with two images and a mask via the official client', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY, limits: { 'gpt-image-1': { ipm: 10 } } }] });
  t.after(() => sim.close());
  const client = new OpenAI({ apiKey: KEY, baseURL: `${sim.url}/v1`, maxRetries: 0 });
  const png = Buffer.from(PNG_SIGNATURE + '00'.repeat(64), 'hex');
  const images = [await toFile(png, 'a.png', { type: 'image/png' }), await toFile(png, 'b.png', { type: 'image/png' })];
  const mask = await toFile(png, 'mask.png', { type: 'image/png' });
  const { data, response } = await client.images.edit({ model: 'gpt-image-1', image: images, mask, prompt: 'merge them', n: 2, quality: 'low' }).withResponse();
  assert.equal(response.headers.get('x-sim-images-received'), '2');
  assert.equal(response.headers.get('x-sim-mask-received'), '1');
  assert.equal(data.data?.length, 2);
  assert.deepEqual(data.usage?.input_tokens_details, { text_tokens: 3, image_tokens: 2 * 323 });
  assert.equal(data.usage?.output_tokens, 272 * 2);
  const single = await client.images.edit({ model: 'gpt-image-1', image: images[0], prompt: 'one' }).withResponse();
  assert.equal(single.response.headers.get('x-sim-images-received'), '1');
  assert.equal(single.response.headers.get('x-sim-mask-received'), '0');
  const form = new FormData();
  form.append('prompt', 'no image');
  form.append('model', 'gpt-image-1');
  const none = await fetch(`${sim.url}/v1/images/edits`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: form });
  assert.equal(none.status, 400);
  assert.equal(((await none.json()) as { error: { param: string } }).error.param, 'image');
  assert.equal(sim.stats().accounts.a.accepted, 2);
  assert.equal(sim.stats().accounts.a.byModel['gpt-image-1'].accepted, 2);
});

test('the safety system refuses a prompt with "forbidden": moderation_blocked (GPT image), content_policy_violation (DALL·E), after admission', async (t) => {
  const sim = await start({ accounts: [{ name: 'a', key: KEY }] });
  t.after(() => sim.close());
  const gpt = await post(sim, '/v1/images/generations', KEY, { model: 'gpt-image-1', prompt: 'a forbidden thing' });
  assert.equal(gpt.status, 400);
  assert.deepEqual([gpt.json.error.code, gpt.json.error.type], ['moderation_blocked', 'image_generation_user_error']);
  const dalle = await post(sim, '/v1/images/generations', KEY, { model: 'dall-e-3', prompt: 'Forbidden' });
  assert.equal(dalle.status, 400);
  assert.deepEqual([dalle.json.error.code, dalle.json.error.type], ['content_policy_violation', 'invalid_request_error']);
  const invalid = await post(sim, '/v1/images/generations', KEY, { model: 'gpt-image-1', prompt: 'forbidden', size: '512x512' });
  assert.equal(invalid.json.error.param, 'size', 'validation comes first');
  assert.equal(sim.stats().totals.accepted, 2, 'refused prompts were admitted; the invalid one was not');
});
