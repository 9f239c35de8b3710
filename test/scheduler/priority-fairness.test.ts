import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { chatAs, type Harness, startHarness } from '../helpers/harness.ts';

const TS = 0.01;
const KEYS = { bulk: 'sk-client-bulk-0001', vip: 'sk-client-vip-00001', other: 'sk-client-other-001' };

/** One account allowing `rpm` requests per (scaled) minute, and three clients. */
function oneAccount(rpm: number): Promise<Harness> {
  return startHarness({
    timeScale: TS,
    simAccounts: [{ name: 'a', key: 'sk-a-key-0001', limits: { 'gpt-4o-mini': { rpm } } }],
    accounts: [{ name: 'a', apiKey: 'sk-a-key-0001', limits: { 'gpt-4o-mini': { rpm } } }],
    clients: [
      { name: 'bulk', key: KEYS.bulk, priority: 'low' },
      { name: 'vip', key: KEYS.vip, priority: 'high' },
      { name: 'other', key: KEYS.other, priority: 'normal' },
    ],
  });
}

/** Sends `n` requests as `key` at once; pushes each client's name to `order` as it completes. */
function burst(h: Harness, key: string, name: string, n: number, order: string[], headers: Record<string, string> = {}) {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const r = await chatAs(h, key, headers);
      order.push(name);
      return r;
    }),
  );
}

describe('priorities and fairness', () => {
  test('high priority overtakes a low-priority backlog (and a client cannot raise itself)', async () => {
    const h = await oneAccount(10);
    try {
      const order: string[] = [];
      // bulk is configured low and asks for high: it stays low.
      const backlog = burst(h, KEYS.bulk, 'bulk', 40, order, { 'x-sluice-priority': 'high', 'x-sluice-max-wait-ms': '60000' });
      await sleep(50); // the backlog is queued
      const vip = await burst(h, KEYS.vip, 'vip', 5, order);
      const bulkDoneWhenVipDone = order.filter((n) => n === 'bulk').length;
      await backlog;
      assert.deepEqual(new Set(vip.map((r) => r.status)), new Set([200]));
      assert.ok(bulkDoneWhenVipDone <= 20, `vip finished after ${bulkDoneWhenVipDone} of 40 bulk requests: it overtook the backlog`);
      assert.equal(h.sim.stats().totals.violations, 0, JSON.stringify(h.sim.stats().accounts));
    } finally {
      await h.close();
    }
  });

  test('two clients of equal weight under overload share capacity fairly', async () => {
    const h = await oneAccount(10);
    try {
      const order: string[] = [];
      const big = burst(h, KEYS.other, 'big', 40, order);
      await sleep(20);
      const small = burst(h, KEYS.vip, 'small', 10, order, { 'x-sluice-priority': 'normal' });
      await Promise.all([big, small]);
      // The first window's 10 slots went to the burst before the trickle arrived; of the next 20,
      // a fair scheduler gives the trickle about half (FIFO would give it none).
      const next20 = order.slice(10, 30);
      const smallShare = next20.filter((n) => n === 'small').length;
      assert.ok(smallShare >= 8, `the trickle got ${smallShare} of the next 20 slots despite 30 burst requests queued ahead of it`);
    } finally {
      await h.close();
    }
  });

  test('an invalid x-sluice-priority header is a 400 naming it', async () => {
    const h = await oneAccount(10);
    try {
      const r = await chatAs(h, KEYS.vip, { 'x-sluice-priority': 'urgent' });
      assert.equal(r.status, 400);
      assert.equal(r.code, 'invalid_value');
    } finally {
      await h.close();
    }
  });
});
