import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { call, startHarness, type Harness } from '../helpers/harness.ts';

async function errorOf(res: Response): Promise<{ message: string; type: string; param: string | null; code: string | null }> {
  const body = (await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } };
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  return body.error;
}

const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

describe('bad input gets a clear OpenAI-style error and the gateway keeps serving', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ server: { maxBodyBytes: 64 * 1024, maxUploadBytes: 128 * 1024 } });
  });
  after(() => h.close());

  test('malformed JSON → 400 invalid_json', async () => {
    const res = await call(h, '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model": "gpt-4o-mini",' });
    assert.equal(res.status, 400);
    assert.equal((await errorOf(res)).code, 'invalid_json');
    assert.match(res.headers.get('x-request-id') ?? '', /^req_/);
  });

  test('JSON that is not an object → 400', async () => {
    const res = await call(h, '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2]' });
    assert.equal(res.status, 400);
    assert.equal((await errorOf(res)).type, 'invalid_request_error');
  });

  test('wrong content type → 400 unsupported_content_type', async () => {
    const res = await call(h, '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: chatBody });
    assert.equal(res.status, 400);
    assert.equal((await errorOf(res)).code, 'unsupported_content_type');
  });

  test('image edit sent as JSON → 400 unsupported_content_type', async () => {
    const res = await call(h, '/v1/images/edits', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"x"}' });
    assert.equal(res.status, 400);
    assert.equal((await errorOf(res)).code, 'unsupported_content_type');
  });

  test('image edit without an image → 400 missing image', async () => {
    const form = new FormData();
    form.append('prompt', 'x');
    form.append('model', 'gpt-image-1');
    const res = await call(h, '/v1/images/edits', { method: 'POST', body: form });
    assert.equal(res.status, 400);
    const e = await errorOf(res);
    assert.equal(e.code, 'missing_required_parameter');
    assert.equal(e.param, 'image');
  });

  test('oversized JSON body → 413 request_too_large', async () => {
    const big = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }] });
    const res = await call(h, '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    assert.equal(res.status, 413);
    assert.equal((await errorOf(res)).code, 'request_too_large');
  });

  test('oversized upload → 413 request_too_large', async () => {
    const form = new FormData();
    form.append('prompt', 'x');
    form.append('model', 'gpt-image-1');
    form.append('image', new Blob([new Uint8Array(200 * 1024)], { type: 'image/png' }), 'big.png');
    const res = await call(h, '/v1/images/edits', { method: 'POST', body: form });
    assert.equal(res.status, 413);
    assert.equal((await errorOf(res)).code, 'request_too_large');
  });

  test('unknown route → 404 with the envelope', async () => {
    const res = await call(h, '/v1/nothing-here', { method: 'POST' });
    assert.equal(res.status, 404);
    assert.equal((await errorOf(res)).code, 'unknown_url');
  });

  test('missing auth → 401 invalid_api_key', async () => {
    const res = await fetch(`${h.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody });
    assert.equal(res.status, 401);
    assert.equal((await errorOf(res)).code, 'invalid_api_key');
  });

  test('wrong field type → 400 naming the parameter', async () => {
    const res = await call(h, '/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: 'hi' }),
    });
    assert.equal(res.status, 400);
    assert.equal((await errorOf(res)).param, 'messages');
  });

  test('a client that disconnects mid-stream aborts the upstream call', async () => {
    const abort = new AbortController();
    const res = await call(h, '/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true, max_completion_tokens: 4000 }),
      signal: abort.signal,
    });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    await reader.read(); // first chunk arrived: the stream is live
    assert.equal(inFlight(h), 1);
    abort.abort();
    for (let i = 0; i < 200 && inFlight(h) > 0; i++) await sleep(10);
    assert.equal(inFlight(h), 0, 'the simulator still has the request in flight: upstream not aborted');
    assert.equal(h.app.pool.list().reduce((n, a) => n + a.inFlight, 0), 0, 'the gateway still holds the account slot');
  });

  test('after all of that, the gateway still serves', async () => {
    const res = await call(h, '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody });
    assert.equal(res.status, 200);
  });
});

describe('a client that goes away before a JSON answer', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ sim: { latencyMs: { chat: 5_000_000 } } }); // 5 s at the simulator's 0.001 time scale
  });
  after(() => h.close());

  test('aborts the upstream call and frees the account slot', async () => {
    const abort = new AbortController();
    const pending = call(h, '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: chatBody, signal: abort.signal }).catch(
      (err: unknown) => err,
    );
    for (let i = 0; i < 200 && inFlight(h) === 0; i++) await sleep(10);
    assert.equal(inFlight(h), 1, 'the request reached the simulator');
    abort.abort();
    assert.ok((await pending) instanceof Error);
    for (let i = 0; i < 200 && inFlight(h) > 0; i++) await sleep(10);
    assert.equal(inFlight(h), 0, 'the simulator still has the request in flight: upstream not aborted');
    for (let i = 0; i < 100 && h.app.pool.list().reduce((n, a) => n + a.inFlight, 0) > 0; i++) await sleep(10);
    assert.equal(h.app.pool.list().reduce((n, a) => n + a.inFlight, 0), 0, 'the gateway still holds the account slot');
  });
});

function inFlight(h: Harness): number {
  return Object.values(h.sim.stats().accounts).reduce((n, a) => n + a.inFlight, 0);
}
