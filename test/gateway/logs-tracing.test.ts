import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CLIENT_KEY, chatAs, type Harness, startHarness } from '../helpers/harness.ts';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const UPSTREAM_KEY = 'sk-upstream-secret-for-log-test-01';
const PROMPT = 'my confidential product launch plan';

/** The request lines the gateway logged (one JSON object per request). */
function requestLines(h: Harness): Array<Record<string, unknown>> {
  return h.logs
    .flatMap((chunk) => chunk.split('\n'))
    .filter((l) => l.includes('"msg":"request"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A tiny OpenAI-compatible upstream that remembers the headers it was sent. */
async function recordingUpstream(): Promise<{ server: Server; url: string; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen };
}

describe('access log and tracing', () => {
  let up: Awaited<ReturnType<typeof recordingUpstream>>;
  before(async () => {
    up = await recordingUpstream();
  });
  after(() => new Promise<void>((r) => up.server.close(() => r())));

  it('one JSON line per request with ids, names, latencies and cost; no key, no prompt', async () => {
    const h = await startHarness({ accounts: [{ name: 'rec', apiKey: UPSTREAM_KEY, baseUrl: up.url, models: ['gpt-4o-mini'] }] });
    try {
      const r = await chatAs(h, CLIENT_KEY, { traceparent: TRACEPARENT }, { messages: [{ role: 'user', content: PROMPT }] });
      assert.equal(r.status, 200);
      const requestId = r.headers.get('x-request-id');
      assert.match(requestId ?? '', /^req_[0-9a-f]{32}$/);
      assert.equal(up.seen.at(-1)?.traceparent, TRACEPARENT, 'traceparent reaches the upstream unchanged');
      assert.equal((await chatAs(h, 'sk-not-a-client-key-0000')).status, 401);

      const lines = requestLines(h);
      assert.equal(lines.length, 2, 'exactly one line per request');
      const [ok, refused] = lines;
      assert.equal(ok.reqId, requestId);
      assert.equal(ok.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
      assert.equal(ok.client, 'tester');
      assert.equal(ok.account, 'rec');
      assert.equal(ok.model, 'gpt-4o-mini');
      assert.equal(ok.endpoint, 'chat.completions');
      assert.equal(ok.status, 200);
      assert.equal(ok.attempts, 1);
      for (const f of ['queueMs', 'upstreamMs', 'totalMs', 'costUsd']) assert.equal(typeof ok[f], 'number', f);
      assert.ok((ok.costUsd as number) > 0);
      assert.equal(ok.prompt, undefined);
      assert.equal(refused.status, 401);
      const all = h.logs.join('');
      assert.ok(!all.includes(UPSTREAM_KEY), 'no upstream key in the logs');
      assert.ok(!all.includes(CLIENT_KEY), 'no client key in the logs');
      assert.ok(!all.includes(PROMPT), 'no prompt in the logs');
    } finally {
      await h.close();
    }
  });

  it('server.logPrompts puts the prompt in the request line', async () => {
    const h = await startHarness({ server: { logPrompts: true }, accounts: [{ name: 'rec', apiKey: UPSTREAM_KEY, baseUrl: up.url, models: ['gpt-4o-mini'] }] });
    try {
      assert.equal((await chatAs(h, CLIENT_KEY, {}, { messages: [{ role: 'user', content: PROMPT }] })).status, 200);
      const [line] = requestLines(h);
      assert.equal(line.prompt, `user: ${PROMPT}`);
      assert.ok(!h.logs.join('').includes(UPSTREAM_KEY));
    } finally {
      await h.close();
    }
  });
});
