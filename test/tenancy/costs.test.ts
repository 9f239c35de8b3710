import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { admin, CLIENT_KEY, startHarness, type Harness } from '../helpers/harness.ts';

interface Row {
  requestId: string;
  model: string;
  status: number;
  inputTextTokens: number;
  outputTextTokens: number;
  inputImageTokens: number;
  outputImageTokens: number;
  images: number;
  costUsd: number;
}

async function rowFor(h: Harness, requestId: string): Promise<Row> {
  const rows = await admin<{ data: Row[] }>(h, '/usage/rows');
  const row = rows.data.find((r) => r.requestId === requestId);
  assert.ok(row, `a ledger row for ${requestId}`);
  return row;
}

describe('true costs from the upstream usage (shipped price table)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('gpt-image-1: text input $5, image input $10, image output $40 per 1M tokens', async () => {
    const { data, response } = await h.client.images.generate({ model: 'gpt-image-1', prompt: 'a red running shoe on white', quality: 'high', size: '1024x1024' }).withResponse();
    const u = data.usage;
    assert.ok(u);
    const text = u.input_tokens_details.text_tokens;
    const expectedNano = text * 5 * 1000 + 4160 * 40 * 1000; // tokens × USD per 1M × 1000 = nano-USD
    const row = await rowFor(h, response.headers.get('x-request-id') ?? '');
    assert.equal(row.outputImageTokens, 4160);
    assert.equal(row.inputTextTokens, text);
    assert.equal(row.images, 1);
    assert.equal(Math.round(row.costUsd * 1e9), expectedNano);
  });

  test('gpt-4o-mini: $0.15 input, $0.60 output per 1M tokens', async () => {
    const { data, response } = await h.client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Write one line about shoes.' }], max_completion_tokens: 40 })
      .withResponse();
    const u = data.usage;
    assert.ok(u);
    const row = await rowFor(h, response.headers.get('x-request-id') ?? '');
    assert.equal(row.inputTextTokens, u.prompt_tokens);
    assert.equal(row.outputTextTokens, 40);
    assert.equal(Math.round(row.costUsd * 1e9), Math.round(u.prompt_tokens * 0.15 * 1000 + 40 * 0.6 * 1000));
  });

  test('a streamed chat is costed too: usage is asked upstream and not shown to a client that did not ask', async () => {
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true, max_completion_tokens: 7 }),
    });
    const text = await res.text();
    assert.ok(!text.includes('"usage":{'), 'no usage chunk the client did not ask for');
    assert.ok(text.includes('data: [DONE]'));
    const row = await rowFor(h, res.headers.get('x-request-id') ?? '');
    assert.equal(row.outputTextTokens, 7);
    assert.ok(row.costUsd > 0);
  });

  test('dall-e-3 is priced per image by size and quality', async () => {
    const { response } = await h.client.images.generate({ model: 'dall-e-3', prompt: 'a lighthouse', size: '1792x1024', quality: 'hd' }).withResponse();
    const row = await rowFor(h, response.headers.get('x-request-id') ?? '');
    assert.equal(row.images, 1);
    assert.equal(row.costUsd, 0.12);
  });

  test('reports by client, model and day, as JSON and CSV', async () => {
    const byModel = await admin<{ data: Array<{ model: string; requests: number; costUsd: number }> }>(h, '/usage?group_by=model');
    const models = byModel.data.map((r) => r.model).sort();
    assert.deepEqual(models, ['dall-e-3', 'gpt-4o-mini', 'gpt-image-1']);
    const byClient = await admin<{ data: Array<{ client: string; requests: number; costUsd: number }> }>(h, '/usage?group_by=client');
    assert.equal(byClient.data[0].client, 'tester');
    const rows = await admin<{ data: Row[] }>(h, "/usage/rows");
    assert.equal(byClient.data[0].requests, 4, JSON.stringify(rows.data.map((r) => [r.model, r.status])));
    const total = byModel.data.reduce((s, r) => s + r.costUsd, 0);
    assert.ok(Math.abs(byClient.data[0].costUsd - total) < 1e-9);
    const csv = await fetch(`${h.url}/admin/usage?group_by=day&format=csv`, { headers: { authorization: 'Bearer admin-token-for-tests' } });
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    assert.match(lines[0], /^day,requests,errors,/);
    assert.match(lines[1], /^\d{4}-\d{2}-\d{2},4,0,/);
  });
});
