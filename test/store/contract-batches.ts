import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BatchRecord, Store } from '../../src/store/index.ts';
import { batchRecord, jobLines, quiesce, T } from './batch-fixture.ts';

const id = (n: number): string => 'batch_' + String(n).padStart(24, '0');
const ERRORS: BatchRecord['errors'] = [
  { code: 'invalid_json', message: 'Line 3 is not JSON', param: null, line: 3 },
  { code: 'missing_required_parameter', message: 'custom_id is required', param: 'custom_id', line: null },
];

/** The contract of `BatchStore` for batches themselves (the queue is in contract-jobs*.ts). */
export function batchContract(store: () => Store): void {
  test('create/get: every field round-trips; the jobs are queued, due at once, never tried', async () => {
    const rec = batchRecord(id(1), { status: 'validating', inProgressAt: null, metadata: { project: 'ümlaut ✓', run: '7' } });
    await store().batches.create(rec, jobLines(3));
    assert.deepEqual(await store().batches.get(id(1)), rec);
    assert.deepEqual(await store().batches.counts(id(1)), { total: 3, completed: 0, failed: 0, pending: 3, cancelled: 0 });
    const failed = batchRecord(id(2), { status: 'failed', errors: ERRORS, failedAt: 1_750_000_005, inProgressAt: null });
    await store().batches.create(failed, []);
    assert.deepEqual(await store().batches.get(id(2)), failed);
    assert.deepEqual(await store().batches.counts(id(2)), { total: 0, completed: 0, failed: 0, pending: 0, cancelled: 0 });
    assert.equal(await store().batches.get(id(999)), undefined);
  });

  test('create is all or nothing (a duplicate line in the third chunk writes nothing)', async () => {
    const lines = jobLines(1200);
    lines[1100] = { ...lines[1100], line: 5 };
    await assert.rejects(store().batches.create(batchRecord(id(3)), lines));
    assert.equal(await store().batches.get(id(3)), undefined);
    assert.equal((await store().batches.counts(id(3))).total, 0);
    await assert.rejects(store().batches.create(batchRecord(id(1)), jobLines(1)), 'a taken id is refused');
  });

  test('list: the owner\'s batches newest first, limit, and the `after` cursor', async () => {
    // id(1), id(2) at 1_750_000_000; three more, two of them in the same second.
    await store().batches.create(batchRecord(id(4), { createdAt: 1_750_000_100, status: 'completed' }), []);
    await store().batches.create(batchRecord(id(5), { createdAt: 1_750_000_100, status: 'completed' }), []);
    await store().batches.create(batchRecord(id(6), { createdAt: 1_750_000_050, status: 'completed' }), []);
    await store().batches.create(batchRecord(id(7), { createdAt: 1_750_000_200, owner: 'bob', status: 'completed' }), []);
    const ids = (recs: BatchRecord[]) => recs.map((r) => r.id);
    const all = [id(5), id(4), id(6), id(2), id(1)];
    assert.deepEqual(ids(await store().batches.list('alice')), all);
    assert.deepEqual(ids(await store().batches.list('alice', { limit: 2 })), all.slice(0, 2));
    // Paging by twos with the last id as cursor visits every batch once, across equal times.
    const paged: string[] = [];
    for (let after: string | undefined; ; ) {
      const page = ids(await store().batches.list('alice', { after, limit: 2 }));
      paged.push(...page);
      if (page.length < 2) break;
      after = page.at(-1);
    }
    assert.deepEqual(paged, all);
    assert.deepEqual(ids(await store().batches.list('alice', { after: id(4) })), all.slice(2));
    assert.deepEqual(await store().batches.list('alice', { after: id(1) }), []);
    assert.deepEqual(await store().batches.list('alice', { after: id(999) }), [], 'unknown cursor');
    assert.deepEqual(await store().batches.list('alice', { after: id(7) }), [], "another owner's cursor");
    assert.deepEqual(ids(await store().batches.list('bob')), [id(7)]);
    assert.deepEqual(await store().batches.list('carol'), []);
  });

  test('update: the fields given, others kept; errors set and cleared; unknown id', async () => {
    const before = (await store().batches.get(id(1)))!;
    const started = await store().batches.update(id(1), { status: 'in_progress', inProgressAt: 1_750_000_010 });
    assert.deepEqual(started, { ...before, status: 'in_progress', inProgressAt: 1_750_000_010 });
    const failed = await store().batches.update(id(1), { status: 'failed', errors: ERRORS, failedAt: 1_750_000_020 });
    assert.deepEqual(failed, { ...started, status: 'failed', errors: ERRORS, failedAt: 1_750_000_020 });
    const cleared = await store().batches.update(id(1), { errors: null, failedAt: null, cancellingAt: 1, cancelledAt: 2, finalizingAt: 3, completedAt: 4 });
    assert.deepEqual(cleared, { ...failed, errors: null, failedAt: null, cancellingAt: 1, cancelledAt: 2, finalizingAt: 3, completedAt: 4 });
    assert.deepEqual(await store().batches.update(id(1), {}), cleared);
    assert.deepEqual(await store().batches.get(id(1)), cleared);
    assert.equal(await store().batches.update(id(999), { status: 'cancelled' }), undefined);
  });

  test('idsWithStatus: oldest first; none for no statuses', async () => {
    await store().batches.update(id(6), { status: 'finalizing' });
    await store().batches.update(id(4), { status: 'cancelling' });
    assert.deepEqual(await store().batches.idsWithStatus(['finalizing', 'cancelling', 'failed']), [id(1), id(2), id(6), id(4)]);
    assert.deepEqual(await store().batches.idsWithStatus(['expired']), []);
    assert.deepEqual(await store().batches.idsWithStatus([]), []);
  });

  test('50,000 lines: created in one go, counted, leased oldest line first', async (t) => {
    await quiesce(store());
    const lines = jobLines(50_000);
    const started = performance.now();
    await store().batches.create(batchRecord(id(8)), lines);
    const created = performance.now();
    const leased = await store().batches.lease('w', 1000, 60_000, T);
    const done = performance.now();
    t.diagnostic(`${store().kind}: create 50,000 lines ${(created - started).toFixed(0)} ms; lease 1,000 of them ${(done - created).toFixed(0)} ms`);
    assert.deepEqual((await store().batches.counts(id(8))).total, 50_000);
    assert.deepEqual(
      leased.map((j) => j.line),
      lines.slice(0, 1000).map((l) => l.line),
    );
    assert.deepEqual({ customId: leased[999].customId, body: leased[999].body }, { customId: lines[999].customId, body: lines[999].body });
    await quiesce(store());
  });
}
