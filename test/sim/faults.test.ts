import assert from 'node:assert/strict';
import { test } from 'node:test';
import OpenAI from 'openai';
import type { SimFaults, Simulator } from '../../src/sim/index.ts';
import { chat, post, sleep, start } from './helpers.ts';

const KEY = 'sk-sim-faults-0001';
const limits = { 'gpt-4o-mini': { rpm: 100 } };

async function withFault(faults: SimFaults, t: { after(fn: () => unknown): void }): Promise<Simulator> {
  const sim = await start({ accounts: [{ name: 'a', key: KEY, limits, faults }] });
  t.after(() => sim.close());
  return sim;
}

/** Reads a streamed body as far as it goes; reports the text and whether it ended cleanly. */
async function readStream(res: Response): Promise<{ text: string; failed: boolean }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, failed: false };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, failed: true };
  }
}

test('error500Rate and error503Rate answer server errors and consume no limit', async (t) => {
  const sim = await withFault({ error500Rate: 1 }, t);
  const r = await post(sim, '/v1/chat/completions', KEY, chat());
  assert.equal(r.status, 500);
  assert.deepEqual(Object.keys(r.json.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(r.json.error.type, 'server_error');
  sim.setFaults('a', { error503Rate: 1 });
  const o = await post(sim, '/v1/chat/completions', KEY, chat());
  assert.equal(o.status, 503);
  assert.match(o.json.error.message, /overloaded/);
  const s = sim.stats().accounts.a;
  assert.deepEqual([s.faults, s.accepted, s.violations, s.rateLimited], [2, 0, 0, 0]);
});

test('rate429Rate: a 429 storm is counted in rateLimited but not as a violation', async (t) => {
  const sim = await withFault({ rate429Rate: 1 }, t);
  const r = await post(sim, '/v1/chat/completions', KEY, chat());
  assert.equal(r.status, 429);
  assert.equal(r.json.error.code, 'rate_limit_exceeded');
  assert.match(r.json.error.message, /^Rate limit reached for gpt-4o-mini .* \(RPM\): Limit 100/);
  assert.ok(r.headers.get('retry-after'));
  assert.equal(r.headers.get('x-ratelimit-remaining-requests'), '100', 'the account really had room');
  const s = sim.stats().accounts.a;
  assert.deepEqual([s.rateLimited, s.violations, s.faults, s.accepted], [1, 0, 1, 0]);
});

test('insufficientQuota and invalidKey are account-wide', async (t) => {
  const sim = await withFault({ insufficientQuota: true }, t);
  const q = await post(sim, '/v1/chat/completions', KEY, chat());
  assert.equal(q.status, 429);
  assert.equal(q.json.error.type, 'insufficient_quota');
  assert.equal(q.json.error.code, 'insufficient_quota');
  assert.match(q.json.error.message, /^You exceeded your current quota/);
  sim.setFaults('a', { invalidKey: true });
  const k = await post(sim, '/v1/chat/completions', KEY, chat());
  assert.equal(k.status, 401);
  assert.equal(k.json.error.code, 'invalid_api_key');
  assert.match(k.json.error.message, /^Incorrect API key provided: sk-si\*+0001\./);
  sim.setFaults('a', {});
  assert.equal((await post(sim, '/v1/chat/completions', KEY, chat())).status, 200);
  assert.equal(sim.stats().accounts.a.faults, 2);
});

test('hangRate never answers; the client abort ends it; close() ends hung requests', async (t) => {
  const sim = await withFault({ hangRate: 1 }, t);
  await assert.rejects(
    fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: JSON.stringify(chat()), signal: AbortSignal.timeout(200) }),
    (err: Error) => err.name === 'TimeoutError',
  );
  const hung = fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: JSON.stringify(chat()) });
  hung.catch(() => {});
  await sleep(50);
  assert.equal(sim.stats().accounts.a.faults, 2);
  await sim.close();
  await assert.rejects(hung, 'a hung request fails once the simulator closes');
});

test('resetRate destroys the socket without an answer', async (t) => {
  const sim = await withFault({ resetRate: 1 }, t);
  await assert.rejects(post(sim, '/v1/chat/completions', KEY, chat()), TypeError);
  const client = new OpenAI({ apiKey: KEY, baseURL: `${sim.url}/v1`, maxRetries: 0 });
  await assert.rejects(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }), OpenAI.APIConnectionError);
  assert.equal(sim.stats().accounts.a.faults, 2);
});

test('malformedRate answers 200 with a body that is not JSON', async (t) => {
  const sim = await withFault({ malformedRate: 1 }, t);
  const r = await post(sim, '/v1/chat/completions', KEY, chat());
  assert.equal(r.status, 200);
  assert.equal(r.json, undefined);
  assert.throws(() => JSON.parse(r.text));
  const s = await post(sim, '/v1/chat/completions', KEY, chat('gpt-4o-mini', { stream: true }));
  assert.equal(s.status, 200);
  const data = s.text.split('\n\n').filter((l) => l.startsWith('data: {'));
  assert.throws(() => JSON.parse(data[0].slice(6)));
});

test('cutStreamRate sends some chunks then drops the connection without [DONE]; non-streams are untouched', async (t) => {
  const sim = await withFault({ cutStreamRate: 1 }, t);
  const res = await fetch(`${sim.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(chat('gpt-4o-mini', { stream: true, stream_options: { include_usage: true } })),
  });
  assert.equal(res.status, 200);
  const { text, failed } = await readStream(res);
  assert.ok(failed, 'the body ends in an error');
  assert.ok(text.includes('chat.completion.chunk'), 'some chunks arrived');
  assert.ok(!text.includes('[DONE]'));
  assert.ok(!text.includes('"finish_reason":"stop"'));
  assert.equal((await post(sim, '/v1/chat/completions', KEY, chat())).status, 200);
  const s = sim.stats().accounts.a;
  assert.deepEqual([s.faults, s.accepted], [1, 1]);
});

test('faults follow the seed and their rate; POST /sim/faults changes them at run time', async (t) => {
  const run = async (seed: number) => {
    const sim = await start({ seed, accounts: [{ name: 'a', key: KEY, faults: { error500Rate: 0.3 } }] });
    t.after(() => sim.close());
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await post(sim, '/v1/embeddings', KEY, { model: 'm', input: 'x' })).status);
    return { sim, statuses };
  };
  const one = await run(11);
  const two = await run(11);
  assert.deepEqual(one.statuses, two.statuses);
  const errors = one.statuses.filter((s) => s === 500).length;
  assert.ok(errors > 3 && errors < 25, `about 30% of 40, got ${errors}`);
  assert.equal(one.sim.stats().accounts.a.faults, errors);
  const set = await post(one.sim, '/sim/faults', '', { account: 'a', faults: { error503Rate: 1 } });
  assert.equal(set.status, 200);
  assert.equal((await post(one.sim, '/v1/embeddings', KEY, { model: 'm', input: 'x' })).status, 503);
  assert.equal((await post(one.sim, '/sim/faults', '', { account: 'nobody', faults: {} })).status, 404);
  assert.equal((await post(one.sim, '/sim/faults', '', { account: 'a', faults: { error503Rate: 2 } })).status, 400);
  assert.throws(() => one.sim.setFaults('a', { hangRate: -1 }));
});
