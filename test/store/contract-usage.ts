import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Store, UsageRow } from '../../src/store/index.ts';
import { EXPECTED, MIDNIGHT, ROWS, T0, TOTAL_COST, timeOf, usageRow, usageRows } from './usage-fixture.ts';

const ALL = { from: 0, to: Date.UTC(2100, 0, 1) };

/** The contract of `UsageStore`, on the hand-computed fixture of usage-fixture.ts. */
export function usageContract(store: () => Store): void {
  before(async () => {
    await store().usage.insertMany(usageRows());
  });

  test('insertMany of 2,000 rows, then count', async () => {
    assert.equal(await store().usage.count(), ROWS);
    await store().usage.insertMany([]);
    assert.equal(await store().usage.count(), ROWS);
  });

  test('insertMany is all or nothing (a bad row in the second chunk writes nothing)', async () => {
    const batch = Array.from({ length: 700 }, (_, i) => ({ ...usageRow(i), time: Date.UTC(2019, 0, 1) + i }));
    batch[650] = { ...batch[650], client: null as unknown as string };
    await assert.rejects(store().usage.insertMany(batch));
    assert.equal(await store().usage.count(), ROWS);
  });

  test('rows: a row round-trips exactly (null account, cache hit, big cost)', async () => {
    for (const i of [0, 7, 1999]) {
      assert.deepEqual(await store().usage.rows({ from: timeOf(i), to: timeOf(i) + 1 }), [usageRow(i)]);
    }
  });

  test('rows: from inclusive, to exclusive, client filter, oldest first, limit', async () => {
    const ids = (rows: UsageRow[]) => rows.map((r) => r.requestId);
    assert.deepEqual(ids(await store().usage.rows({ from: timeOf(10), to: timeOf(18), client: 'c2' })), ['req-00010', 'req-00014']);
    assert.deepEqual(ids(await store().usage.rows({ from: timeOf(10), to: timeOf(13) })), ['req-00010', 'req-00011', 'req-00012']);
    assert.deepEqual(ids(await store().usage.rows({ ...ALL, limit: 3 })), ['req-00000', 'req-00001', 'req-00002']);
    assert.equal((await store().usage.rows(ALL)).length, ROWS);
    assert.equal((await store().usage.rows({ ...ALL, client: 'c1' })).length, 500);
    assert.deepEqual(await store().usage.rows({ ...ALL, client: 'nobody' }), []);
  });

  test('spendSince and spendByClientSince: exact sums past 2^31', async () => {
    // Since midnight: i in [1200, 2000), 200 rows per client, cost 3e6·(c+1)·200 + 1000·(0+..+4)·40.
    const sinceMidnight = (c: number) => 600_000_000 * (c + 1) + 400_000;
    assert.equal(await store().usage.spendSince('c3', MIDNIGHT), sinceMidnight(3));
    assert.ok(sinceMidnight(3) > 2 ** 31);
    assert.equal(await store().usage.spendSince('c3', 0), EXPECTED.client[0].costNanoUsd);
    assert.equal(await store().usage.spendSince('nobody', 0), 0);
    assert.deepEqual(await store().usage.spendByClientSince(MIDNIGHT), new Map([0, 1, 2, 3].map((c) => [`c${c}`, sinceMidnight(c)])));
    assert.deepEqual(await store().usage.spendByClientSince(Date.UTC(2100, 0, 1)), new Map());
  });

  for (const groupBy of ['client', 'model', 'account', 'day'] as const) {
    test(`report by ${groupBy}: hand-computed totals, in order`, async () => {
      assert.deepEqual(await store().usage.report({ ...ALL, groupBy }), EXPECTED[groupBy]);
    });
  }

  test('report: costs add up to the total over every grouping', async () => {
    for (const groupBy of ['client', 'model', 'account', 'day'] as const) {
      const groups = await store().usage.report({ ...ALL, groupBy });
      assert.equal(
        groups.reduce((s, g) => s + g.costNanoUsd, 0),
        TOTAL_COST,
        groupBy,
      );
    }
  });

  test('report: the window splits at midnight UTC (to exclusive, from inclusive)', async () => {
    assert.deepEqual(await store().usage.report({ from: T0, to: MIDNIGHT, groupBy: 'day' }), [EXPECTED.day[0]]);
    assert.deepEqual(await store().usage.report({ from: MIDNIGHT, to: ALL.to, groupBy: 'day' }), [EXPECTED.day[1]]);
    const lastBefore = await store().usage.report({ from: timeOf(1199), to: MIDNIGHT + 1, groupBy: 'day' });
    assert.deepEqual(
      lastBefore.map((g) => [g.key, g.requests]),
      [
        ['2025-01-14', 1],
        ['2025-01-15', 1],
      ],
    );
    assert.deepEqual(await store().usage.report({ from: 0, to: T0, groupBy: 'client' }), []);
  });

  test('report: client filter', async () => {
    // c1: i ≡ 1 mod 4, 100 rows per model, cost 6e6·100 + 1000·k·100; errors (i%20 = 9) all in m4.
    const groups = await store().usage.report({ ...ALL, client: 'c1', groupBy: 'model' });
    assert.deepEqual(
      groups.map((g) => [g.key, g.requests, g.errors, g.costNanoUsd]),
      [4, 3, 2, 1, 0].map((k) => [`m${k}`, 100, k === 4 ? 100 : 0, 600_000_000 + 100_000 * k]),
    );
  });

  test('big costs: sums beyond 2^31 and 2^32 stay exact', async () => {
    const at = Date.UTC(2020, 5, 1);
    const costs = [2 ** 40 + 1, 2 ** 40, 2 ** 41 + 7, 123_456_789_012];
    await store().usage.insertMany(costs.map((costNanoUsd, i) => ({ ...usageRow(i), time: at + i, client: 'whale', costNanoUsd })));
    const sum = 2 ** 42 + 8 + 123_456_789_012;
    assert.equal(await store().usage.spendSince('whale', 0), sum);
    assert.equal((await store().usage.spendByClientSince(at)).get('whale'), sum);
    const [g] = await store().usage.report({ from: at, to: at + 10, groupBy: 'client' });
    assert.deepEqual([g.key, g.requests, g.costNanoUsd], ['whale', 4, sum]);
    assert.deepEqual(
      (await store().usage.rows({ from: at, to: at + 10 })).map((r) => r.costNanoUsd),
      costs,
    );
    assert.equal(await store().usage.count(), ROWS + 4);
  });
}
