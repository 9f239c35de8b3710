import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { EventLog, type WebhookOptions, WebhookNotifier } from '../../src/events/index.ts';
import { openStore } from '../../src/store/index.ts';
import { ADMIN_TOKEN, admin, CLIENT_KEY, chatAs, startHarness } from '../helpers/harness.ts';
import { startReceiver } from './receiver.ts';

const MODELS = ['gpt-4o-mini'];
const BAD_KEY = 'sk-bad-upstream-key-0001';
/** Stands for the secret part of a Slack or DingTalk webhook URL. */
const SECRET_PATH = '/services/T000/B000/hook-secret-xyz?access_token=tok-secret-123';

/** A notifier on its own EventLog, with fast defaults; `warnings` collects what it logs. */
function notifierFor(webhooks: WebhookOptions['webhooks'], over: Partial<WebhookOptions> = {}) {
  const warnings: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  const log = new EventLog();
  const notifier = new WebhookNotifier({ webhooks, retries: 3, backoffMs: 20, timeoutMs: 2000, dedupeSeconds: 300, ...over }, (fields, msg) => warnings.push({ fields, msg }));
  log.subscribe((e) => notifier.notify(e));
  return { log, notifier, warnings };
}

const DEFAULT_EVENTS = ['account_disabled', 'circuit_opened', 'budget_threshold'] as const;

describe('webhook alerts', () => {
  test('an upstream account whose key is refused fires exactly one webhook, naming the account and never its key', async () => {
    const recv = await startReceiver();
    const h = await startHarness({
      timeScale: 0.01,
      simAccounts: [
        { name: 'bad', key: BAD_KEY, faults: { invalidKey: true } },
        { name: 'good', key: 'sk-good-upstream-key-01' },
      ],
      accounts: [
        { name: 'bad', apiKey: BAD_KEY, models: MODELS },
        { name: 'good', apiKey: 'sk-good-upstream-key-01', models: MODELS },
      ],
      alerts: { webhooks: [{ url: recv.url + SECRET_PATH }] },
    });
    try {
      const burst = await Promise.all(Array.from({ length: 8 }, () => chatAs(h, CLIENT_KEY)));
      for (let i = 0; i < 4; i++) burst.push(await chatAs(h, CLIENT_KEY));
      assert.deepEqual(new Set(burst.map((r) => r.status)), new Set([200]));
      const [hook] = await recv.waitFor(1);
      await sleep(300); // room for a second (wrong) POST to arrive
      assert.equal(recv.got.length, 1, recv.got.map((r) => r.raw).join('\n'));
      assert.equal(hook.url, SECRET_PATH);
      assert.equal(hook.headers['content-type'], 'application/json');
      assert.equal(hook.body.source, 'sluice');
      assert.equal(hook.body.type, 'account_disabled');
      assert.equal(hook.body.account, 'bad');
      assert.match(String(hook.body.message), /401/);
      assert.ok(!Number.isNaN(Date.parse(String(hook.body.time))));
      assert.ok(!hook.raw.includes(BAD_KEY) && !hook.raw.includes('sk-bad'), 'the API key never leaves');
      const stored = await admin<{ data: Array<{ type: string; account?: string }> }>(h, '/events?type=account_disabled');
      assert.deepEqual(stored.data.map((e) => [e.type, e.account]), [['account_disabled', 'bad']]);
    } finally {
      await h.close();
      await recv.close();
    }
  });

  test('a receiver answering 500 twice then 200 gets the event on the third attempt, after exponential backoff', async () => {
    const recv = await startReceiver((n) => (n <= 2 ? 500 : 200));
    const { log, notifier, warnings } = notifierFor([{ url: `${recv.url}/hook`, events: [...DEFAULT_EVENTS], format: 'json' }], { backoffMs: 40 });
    try {
      log.emit('circuit_opened', 'circuit of oa-1 opened after 5 failures (last: server_error)', { account: 'oa-1' });
      const got = await recv.waitFor(3);
      assert.deepEqual(got.map((r) => r.raw), Array(3).fill(got[0].raw), 'the same body each time');
      assert.equal(got[2].body.type, 'circuit_opened');
      assert.ok(got[1].at - got[0].at >= 35, `first retry after ~40 ms, was ${got[1].at - got[0].at}`);
      assert.ok(got[2].at - got[1].at >= 75, `second retry after ~80 ms, was ${got[2].at - got[1].at}`);
      await sleep(200);
      assert.equal(recv.got.length, 3, 'delivered: no more attempts');
      assert.deepEqual(warnings, []);
    } finally {
      await notifier.close();
      await recv.close();
    }
  });

  test('after the last retry fails, one warning that names the origin only (never the path, query or headers)', async () => {
    const recv = await startReceiver(() => 503);
    const h = await startHarness({
      alerts: { retries: 2, backoffMs: 10, webhooks: [{ url: recv.url + SECRET_PATH, format: 'slack', headers: { authorization: 'Bearer hdr-secret-456' } }] },
    });
    try {
      h.app.events.emit('budget_threshold', 'tester used 80% of its daily budget ($1)', { client: 'tester' });
      const got = await recv.waitFor(3);
      assert.equal(got[0].headers.authorization, 'Bearer hdr-secret-456', 'configured headers are sent');
      const deadline = Date.now() + 2000;
      let line: string | undefined;
      while (!(line = h.logs.find((l) => l.includes('webhook delivery failed'))) && Date.now() < deadline) await sleep(10);
      assert.ok(line, 'a warning is logged');
      const entry = JSON.parse(line) as Record<string, unknown>;
      assert.equal(entry.webhook, recv.url);
      assert.equal(entry.reason, 'HTTP 503');
      assert.equal(entry.attempts, 3);
      assert.equal(recv.got.length, 3, 'retries: 2 means three attempts');
      const all = h.logs.join('\n');
      for (const secret of ['hook-secret-xyz', 'tok-secret-123', 'hdr-secret-456', '/services/']) assert.ok(!all.includes(secret), `logs never hold ${secret}`);
    } finally {
      await h.close();
      await recv.close();
    }
  });

  test('slack, feishu and dingtalk get their own text-message shapes', async () => {
    const recv = await startReceiver();
    const { log, notifier } = notifierFor([
      { url: `${recv.url}/slack`, events: ['account_disabled'], format: 'slack' },
      { url: `${recv.url}/feishu`, events: ['account_disabled'], format: 'feishu' },
      { url: `${recv.url}/dingtalk`, events: ['account_disabled'], format: 'dingtalk' },
    ]);
    try {
      log.emit('account_disabled', 'oa-1 taken out of service: insufficient_quota', { account: 'oa-1', model: 'gpt-image-1' });
      const got = await recv.waitFor(3);
      const text = '[sluice] account_disabled: oa-1 taken out of service: insufficient_quota';
      const byPath = Object.fromEntries(got.map((r) => [r.url, r.body]));
      assert.deepEqual(byPath['/slack'], { text });
      assert.deepEqual(byPath['/feishu'], { msg_type: 'text', content: { text } });
      assert.deepEqual(byPath['/dingtalk'], { msgtype: 'text', text: { content: text } });
    } finally {
      await notifier.close();
      await recv.close();
    }
  });

  test('dedupe: the same (type, account, client) at most once per dedupeSeconds; other events pass; unlisted types are not sent', async () => {
    const recv = await startReceiver();
    const { log, notifier } = notifierFor([{ url: `${recv.url}/hook`, events: [...DEFAULT_EVENTS], format: 'json' }], { dedupeSeconds: 0.3 });
    try {
      for (let i = 0; i < 5; i++) log.emit('account_disabled', 'oa-1 flapping', { account: 'oa-1' });
      log.emit('account_disabled', 'oa-2 down', { account: 'oa-2' });
      log.emit('circuit_opened', 'circuit of oa-1 opened', { account: 'oa-1' });
      log.emit('budget_threshold', 'shop at 80%', { client: 'shop' });
      log.emit('budget_threshold', 'shop at 80% again', { client: 'shop' });
      log.emit('budget_threshold', 'lab at 80%', { client: 'lab' });
      log.emit('account_enabled', 'oa-1 back in service', { account: 'oa-1' });
      await recv.waitFor(5);
      await sleep(100);
      const seen = recv.got.map((r) => `${r.body.type}/${r.body.account ?? r.body.client}`).sort();
      assert.deepEqual(seen, ['account_disabled/oa-1', 'account_disabled/oa-2', 'budget_threshold/lab', 'budget_threshold/shop', 'circuit_opened/oa-1']);
      await sleep(300); // the window has passed
      log.emit('account_disabled', 'oa-1 flapping', { account: 'oa-1' });
      await recv.waitFor(6);
      assert.equal(recv.got[5].body.account, 'oa-1');
    } finally {
      await notifier.close();
      await recv.close();
    }
  });

  test('emit() never waits for or fails because of a webhook; close() abandons a delivery stuck in backoff or on a hung receiver', async () => {
    const recv = await startReceiver(() => 'hang');
    const { log, notifier, warnings } = notifierFor(
      [
        { url: `${recv.url}/a`, events: ['account_disabled'], format: 'json' },
        { url: 'http://127.0.0.1:9/refused', events: ['account_disabled'], format: 'json' },
      ],
      { backoffMs: 60_000, timeoutMs: 60_000 },
    );
    const started = performance.now();
    log.emit('account_disabled', 'oa-1 down', { account: 'oa-1' });
    assert.ok(performance.now() - started < 50, 'emit returns at once');
    await recv.waitFor(1);
    const closing = performance.now();
    await notifier.close(100);
    assert.ok(performance.now() - closing < 1000, `close() took ${performance.now() - closing} ms`);
    assert.ok(warnings.some((w) => w.msg.includes('abandoned')));
    log.emit('account_disabled', 'oa-9 down', { account: 'oa-9' });
    await sleep(50);
    assert.equal(recv.got.length, 1, 'nothing is sent after close()');
    await recv.close();
  });
});

describe('GET /admin/events', () => {
  test('reads the store: filters, limit, newest first, and events of another instance on the same store', async () => {
    const store = await openStore({ sqlite: ':memory:' });
    const a = await startHarness({ store });
    const b = await startHarness({ store });
    try {
      const t0 = Date.now();
      a.app.events.emit('account_disabled', 'acct-1 taken out of service: test', { account: 'acct-1', model: 'gpt-4o-mini' });
      a.app.events.emit('budget_threshold', 'shop used 80% of its daily budget ($5)', { client: 'shop' });
      await sleep(5);
      const mid = Date.now();
      a.app.events.emit('circuit_opened', 'circuit of acct-2 opened after 5 failures (last: server_error)', { account: 'acct-2' });
      await a.app.events.flush();

      type View = { object: string; data: Array<Record<string, unknown>> };
      const all = await admin<View>(b, '/events');
      assert.equal(all.object, 'list');
      assert.deepEqual(
        all.data.map((e) => e.type),
        ['circuit_opened', 'budget_threshold', 'account_disabled'],
        'instance b lists what instance a emitted, newest first',
      );
      const disabled = all.data[2];
      assert.deepEqual(Object.keys(disabled).sort(), ['account', 'message', 'model', 'time', 'type']);
      assert.ok(Date.parse(String(disabled.time)) >= t0 - 1 && String(disabled.time).endsWith('Z'));

      const pick = async (qs: string) => (await admin<View>(b, `/events?${qs}`)).data.map((e) => e.type);
      assert.deepEqual(await pick('type=budget_threshold'), ['budget_threshold']);
      assert.deepEqual(await pick('account=acct-2'), ['circuit_opened']);
      assert.deepEqual(await pick('client=shop'), ['budget_threshold']);
      assert.deepEqual(await pick(`since=${mid}`), ['circuit_opened']);
      assert.deepEqual(await pick(`since=${encodeURIComponent(new Date(mid).toISOString())}`), ['circuit_opened']);
      assert.deepEqual(await pick('limit=2'), ['circuit_opened', 'budget_threshold']);
      assert.deepEqual(await pick('type=account_disabled&account=acct-2'), []);
    } finally {
      await a.close();
      await b.close();
      await store.close();
    }
  });

  test('a bad since, limit or type is a 400 invalid_value naming the parameter', async () => {
    const h = await startHarness();
    try {
      for (const [qs, param] of [
        ['since=yesterday-ish', 'since'],
        ['since=2030-13-45', 'since'],
        ['limit=0', 'limit'],
        ['limit=1001', 'limit'],
        ['limit=ten', 'limit'],
        ['type=account_exploded', 'type'],
      ]) {
        const res = await fetch(`${h.url}/admin/events?${qs}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        assert.equal(res.status, 400, qs);
        const body = (await res.json()) as { error: { code: string; param: string; type: string } };
        assert.equal(body.error.code, 'invalid_value', qs);
        assert.equal(body.error.param, param, qs);
        assert.equal(body.error.type, 'invalid_request_error');
      }
    } finally {
      await h.close();
    }
  });
});
