import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import { ADMIN_TOKEN, admin, CLIENT_KEY, chatAs, startHarness } from '../helpers/harness.ts';

const TS = 0.01;
const MODELS = ['gpt-4o-mini'];

interface PoolView {
  accounts: Array<{ name: string; enabled: boolean; disabledReason: string | null; circuit: { state: string } }>;
  queue: Record<string, number>;
  scheduler: { dispatched: number; cpuMicrosPerRequest: number | null };
}
interface EventsView {
  data: Array<{ type: string; account?: string }>;
}

function account(pool: PoolView, name: string) {
  const a = pool.accounts.find((x) => x.name === name);
  assert.ok(a, `account ${name} listed`);
  return a;
}

describe('retries and health', () => {
  test('a 401 account is taken out of service and an event is recorded; requests go elsewhere', async () => {
    const h = await startHarness({
      timeScale: TS,
      simAccounts: [
        { name: 'bad', key: 'sk-bad-key-0001', faults: { invalidKey: true } },
        { name: 'good', key: 'sk-good-key-001' },
      ],
      accounts: [
        { name: 'bad', apiKey: 'sk-bad-key-0001', models: MODELS },
        { name: 'good', apiKey: 'sk-good-key-001', models: MODELS },
      ],
    });
    try {
      for (let i = 0; i < 6; i++) {
        const r = await chatAs(h, CLIENT_KEY);
        assert.equal(r.status, 200);
        assert.equal(r.account, 'good');
      }
      assert.ok(h.sim.stats().accounts.bad.faults <= 1, 'the bad account was tried at most once');
      const pool = await admin<PoolView>(h, '/pool');
      assert.equal(account(pool, 'bad').enabled, false);
      assert.match(account(pool, 'bad').disabledReason ?? '', /401/);
      const events = await admin<EventsView>(h, '/events');
      assert.ok(events.data.some((e) => e.type === 'account_disabled' && e.account === 'bad'));
    } finally {
      await h.close();
    }
  });

  test('insufficient_quota takes the account out too', async () => {
    const h = await startHarness({
      timeScale: TS,
      simAccounts: [{ name: 'broke', key: 'sk-broke-key-01', faults: { insufficientQuota: true } }, { name: 'ok', key: 'sk-ok-key-00001' }],
      accounts: [
        { name: 'broke', apiKey: 'sk-broke-key-01', models: MODELS },
        { name: 'ok', apiKey: 'sk-ok-key-00001', models: MODELS },
      ],
    });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await chatAs(h, CLIENT_KEY)).status, 200);
      assert.equal(account(await admin<PoolView>(h, '/pool'), 'broke').enabled, false);
    } finally {
      await h.close();
    }
  });

  test('a failing account’s circuit opens, and closes again once it recovers', async () => {
    const h = await startHarness({
      timeScale: TS,
      scheduler: { circuit: { failureThreshold: 3, openMs: 30_000 } }, // 300 ms at this time scale
      simAccounts: [
        { name: 'sick', key: 'sk-sick-key-001', faults: { error500Rate: 1 } },
        { name: 'well', key: 'sk-well-key-001' },
      ],
      accounts: [
        { name: 'sick', apiKey: 'sk-sick-key-001', models: MODELS },
        { name: 'well', apiKey: 'sk-well-key-001', models: MODELS },
      ],
    });
    try {
      for (let i = 0; i < 6; i++) assert.equal((await chatAs(h, CLIENT_KEY)).status, 200);
      assert.equal(h.sim.stats().accounts.sick.faults, 3, 'three failures, then the circuit kept requests away');
      assert.equal(account(await admin<PoolView>(h, '/pool'), 'sick').circuit.state, 'open');
      h.sim.setFaults('sick', {});
      await sleep(350);
      let usedSick = false;
      for (let i = 0; i < 6 && !usedSick; i++) usedSick = (await chatAs(h, CLIENT_KEY)).account === 'sick';
      assert.ok(usedSick, 'the half-open probe went to the recovered account');
      assert.equal(account(await admin<PoolView>(h, '/pool'), 'sick').circuit.state, 'closed');
      const types = (await admin<EventsView>(h, '/events')).data.map((e) => e.type);
      assert.ok(types.includes('circuit_opened') && types.includes('circuit_closed'));
    } finally {
      await h.close();
    }
  });

  test('a 429 cools that account and the request goes to another at once', async () => {
    const h = await startHarness({
      timeScale: TS,
      simAccounts: [
        { name: 'storm', key: 'sk-storm-key-01', faults: { rate429Rate: 1 } },
        { name: 'calm', key: 'sk-calm-key-001' },
      ],
      accounts: [
        { name: 'storm', apiKey: 'sk-storm-key-01', models: MODELS },
        { name: 'calm', apiKey: 'sk-calm-key-001', models: MODELS },
      ],
    });
    try {
      const rs = await Promise.all(Array.from({ length: 6 }, () => chatAs(h, CLIENT_KEY)));
      for (const r of rs) {
        assert.equal(r.status, 200);
        assert.equal(r.account, 'calm');
      }
      assert.ok(h.sim.stats().accounts.storm.rateLimited <= 6);
    } finally {
      await h.close();
    }
  });

  test('5xx on every account: bounded retries, then 502', async () => {
    const h = await startHarness({
      timeScale: TS,
      scheduler: { maxAttempts: 3 },
      simAccounts: [{ name: 'x', key: 'sk-x-key-000001', faults: { error503Rate: 1 } }],
      accounts: [{ name: 'x', apiKey: 'sk-x-key-000001', models: MODELS }],
    });
    try {
      const r = await chatAs(h, CLIENT_KEY);
      assert.equal(r.status, 502);
      assert.equal(r.code, 'upstream_error');
      assert.equal(h.sim.stats().accounts.x.faults, 3);
    } finally {
      await h.close();
    }
  });

  test('a stream is retried only before its first byte, and never duplicated', async () => {
    const h = await startHarness({
      timeScale: TS,
      simAccounts: [
        { name: 'reset', key: 'sk-reset-key-01', faults: { resetRate: 1 } },
        { name: 'fine', key: 'sk-fine-key-001' },
      ],
      accounts: [
        { name: 'reset', apiKey: 'sk-reset-key-01', models: MODELS, weight: 100 },
        { name: 'fine', apiKey: 'sk-fine-key-001', models: MODELS },
      ],
    });
    try {
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true, max_completion_tokens: 5 }),
      });
      const text = await res.text();
      assert.equal(res.headers.get('x-sluice-account'), 'fine');
      assert.equal(res.headers.get('x-sluice-attempts'), '2');
      assert.equal(text.match(/"role":"assistant"/g)?.length, 1, 'one stream, not two');
      assert.equal(text.match(/data: \[DONE\]/g)?.length, 1);
      // A stream cut after its first byte is not retried: the client sees the error.
      h.sim.setFaults('reset', {});
      h.sim.setFaults('fine', { cutStreamRate: 1 });
      await h.app.pool.setEnabled('reset', false);
      const before = h.sim.stats().totals.accepted;
      const stream = await h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true, max_completion_tokens: 50 });
      await assert.rejects(async () => {
        for await (const _ of stream) {
          // drain
        }
      }, OpenAI.APIError);
      assert.equal(h.sim.stats().totals.accepted, before, 'no second upstream call after the first byte');
      assert.equal(h.sim.stats().accounts.fine.faults, 1);
    } finally {
      await h.close();
    }
  });

  test('canary: a share of a model’s traffic goes to the canary group first', async () => {
    const names = ['p1', 'p2', 'c1'];
    const h = await startHarness({
      timeScale: TS,
      scheduler: { canary: [{ model: 'gpt-4o-mini', group: 'canary', percent: 25 }] },
      simAccounts: names.map((n) => ({ name: n, key: `sk-${n}-key-0001` })),
      accounts: names.map((n) => ({ name: n, apiKey: `sk-${n}-key-0001`, models: MODELS, group: n.startsWith('c') ? 'canary' : 'primary' })),
    });
    try {
      const N = 200;
      let canary = 0;
      for (let i = 0; i < N; i++) if ((await chatAs(h, CLIENT_KEY)).account === 'c1') canary++;
      assert.ok(canary > N * 0.12 && canary < N * 0.4, `canary got ${canary}/${N}`);
    } finally {
      await h.close();
    }
  });

  test('/admin/pool needs the admin token and shows headroom, queue and scheduler cost', async () => {
    const h = await startHarness({
      timeScale: TS,
      simAccounts: [{ name: 'a', key: 'sk-a-key-00001' }],
      accounts: [{ name: 'a', apiKey: 'sk-a-key-00001', limits: { 'gpt-4o-mini': { rpm: 100, tpm: 50_000 } } }],
    });
    try {
      assert.equal((await fetch(`${h.url}/admin/pool`)).status, 401);
      assert.equal((await fetch(`${h.url}/admin/pool`, { headers: { authorization: 'Bearer wrong-token' } })).status, 401);
      await chatAs(h, CLIENT_KEY);
      const res = await fetch(`${h.url}/admin/pool`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const text = await res.text();
      assert.ok(!text.includes('sk-a-key-00001'), 'no upstream key in the admin view');
      const pool = JSON.parse(text) as PoolView & { accounts: Array<{ models: Record<string, { headroom: Record<string, { limit: number; used: number }> }> }> };
      assert.deepEqual(pool.queue, { high: 0, normal: 0, low: 0 });
      assert.equal(pool.accounts[0].models['gpt-4o-mini'].headroom.rpm.limit, 100);
      assert.equal(pool.accounts[0].models['gpt-4o-mini'].headroom.rpm.used, 1);
      assert.equal(pool.scheduler.dispatched, 1);
      assert.equal(typeof pool.scheduler.cpuMicrosPerRequest, 'number');
    } finally {
      await h.close();
    }
  });
});
