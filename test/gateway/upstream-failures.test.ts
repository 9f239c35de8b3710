import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import type { SimFaults } from '../../src/sim/index.ts';
import { call, startHarness, type Harness } from '../helpers/harness.ts';

const SECRET = 'sk-upstream-SECRET-XYZZY-QWRT';
/** The key, and the pieces OpenAI's masked form ("sk-up*****QWRT") would show. */
const FRAGMENTS = ['SECRET', 'XYZZY', 'sk-up', 'QWRT'];
const MODELS = ['gpt-4o-mini'];

/** One account whose upstream misbehaves as told, with the distinctive secret above. */
function faulty(faults: SimFaults, timeoutMs?: number): Promise<Harness> {
  return startHarness({
    simAccounts: [{ name: 'bad', key: SECRET, faults }],
    accounts: [{ name: 'bad', apiKey: SECRET, models: MODELS, ...(timeoutMs ? { timeoutMs } : {}) }],
  });
}

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

async function rawChat(h: Harness, extra: Record<string, unknown> = {}): Promise<{ status: number; text: string; headers: string }> {
  const res = await call(h, '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...chat, ...extra }) });
  return { status: res.status, text: await res.text(), headers: JSON.stringify([...res.headers]) };
}

function assertNoSecret(where: string, text: string): void {
  for (const f of FRAGMENTS) assert.ok(!text.includes(f), `${where} contains "${f}": ${text.slice(0, 300)}`);
}

describe('upstream failures: the right status, and never an upstream key', () => {
  const cases: Array<{ name: string; faults: SimFaults; status: number; code: string; timeoutMs?: number }> = [
    { name: 'upstream says our key is invalid (its message quotes a masked key)', faults: { invalidKey: true }, status: 502, code: 'upstream_auth_failed' },
    { name: 'insufficient_quota', faults: { insufficientQuota: true }, status: 502, code: 'upstream_auth_failed' },
    { name: 'HTTP 500', faults: { error500Rate: 1 }, status: 502, code: 'upstream_error' },
    { name: 'HTTP 503', faults: { error503Rate: 1 }, status: 502, code: 'upstream_error' },
    { name: 'connection reset', faults: { resetRate: 1 }, status: 502, code: 'upstream_connection_error' },
    { name: 'malformed JSON answer', faults: { malformedRate: 1 }, status: 502, code: 'upstream_bad_response' },
    { name: 'a hang past the account timeout', faults: { hangRate: 1 }, status: 504, code: 'upstream_timeout', timeoutMs: 150 },
  ];
  test('(the simulator does quote a masked key in its 401, like OpenAI)', async () => {
    const h = await faulty({ invalidKey: true });
    try {
      const res = await fetch(`${h.sim.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
        body: JSON.stringify(chat),
      });
      assert.equal(res.status, 401);
      assert.match(await res.text(), /sk-up\**QWRT/);
    } finally {
      await h.close();
    }
  });

  for (const c of cases) {
    test(c.name, async () => {
      const h = await faulty(c.faults, c.timeoutMs);
      try {
        const r = await rawChat(h);
        assert.equal(r.status, c.status);
        assert.equal((JSON.parse(r.text) as { error: { code: string } }).error.code, c.code);
        assertNoSecret('response body', r.text);
        assertNoSecret('response headers', r.headers);
        assertNoSecret('gateway logs', h.logs.join(''));
        assert.ok(h.logs.length > 0, 'the gateway logged the request');
      } finally {
        await h.close();
      }
    });
  }

  test('a stream cut in the middle ends with an error event the SDK raises', async () => {
    const h = await faulty({ cutStreamRate: 1 });
    try {
      const stream = await h.client.chat.completions.create({ ...chat, stream: true, max_completion_tokens: 50 });
      await assert.rejects(
        (async () => {
          for await (const _ of stream) {
            // drain
          }
        })(),
        (e: unknown) => e instanceof OpenAI.APIError,
      );
      assertNoSecret('gateway logs', h.logs.join(''));
      assert.equal(h.app.pool.list()[0].inFlight, 0);
    } finally {
      await h.close();
    }
  });

  test('an upstream 400 is relayed with its status, type and param', async () => {
    const h = await faulty({});
    try {
      const r = await rawChat(h, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], n: 1, max_completion_tokens: 5 });
      assert.equal(r.status, 200);
      // dall-e-3 refuses n>1 upstream: the gateway relays the 400 untouched.
      const h2 = await startHarness();
      try {
        await assert.rejects(h2.client.images.generate({ model: 'dall-e-3', prompt: 'x', n: 2 }), (e: unknown) => e instanceof OpenAI.BadRequestError && e.status === 400);
        assert.equal(h2.sim.stats().totals.accepted, 0);
      } finally {
        await h2.close();
      }
    } finally {
      await h.close();
    }
  });
});

describe('failover before the first byte', () => {
  test('a failing account is skipped: the request succeeds on the next one', async () => {
    const h = await startHarness({
      simAccounts: [
        { name: 'a', key: 'sk-a-0000000001', faults: { error500Rate: 1 } },
        { name: 'b', key: 'sk-b-0000000002' },
      ],
      accounts: [
        { name: 'a', apiKey: 'sk-a-0000000001', models: MODELS },
        { name: 'b', apiKey: 'sk-b-0000000002', models: MODELS },
      ],
    });
    try {
      for (let i = 0; i < 4; i++) {
        const { response } = await h.client.chat.completions.create(chat).withResponse();
        assert.equal(response.headers.get('x-sluice-account'), 'b');
      }
      assert.equal(h.sim.stats().accounts.b.accepted, 4);
    } finally {
      await h.close();
    }
  });
});
