import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { BatchStatus, Store } from '../../src/store/index.ts';
import { batchRecord, jobLines, keysOf, quiesce, T } from './batch-fixture.ts';

const id = (n: number): string => 'batch_' + String(n).padStart(24, 'f');

/** Creates batch `n` with `lines` lines, in progress unless told otherwise. */
async function queue(store: Store, n: number, lines: number, over: { createdAt?: number; status?: BatchStatus } = {}): Promise<string> {
  await store.batches.create(batchRecord(id(n), over), jobLines(lines));
  return id(n);
}

/** The contract of `BatchStore.lease`: who gets which job, when. (Settling jobs: contract-jobs-settle.ts.) */
export function leaseContract(store: () => Store): void {
  // Every test starts with an empty queue: earlier tests' batches are taken out of progress.
  beforeEach(() => quiesce(store()));

  test('lease: up to `limit` jobs in line order, leased to the owner with attempts + 1', async () => {
    const b = await queue(store(), 1, 5);
    const first = await store().batches.lease('w1', 3, 1000, T);
    assert.deepEqual(first, jobLines(3).map((l) => ({
      batchId: b, line: l.line, customId: l.customId, body: l.body, state: 'leased', attempts: 1,
      notBefore: 0, leaseOwner: 'w1', leaseUntil: T + 1000, result: null, lastError: null, updatedAt: T,
    })));
    assert.deepEqual(keysOf(await store().batches.lease('w2', 3, 1000, T)), [`${b}:4`, `${b}:5`]);
    assert.deepEqual(await store().batches.lease('w3', 3, 1000, T), []);
    assert.deepEqual(await store().batches.lease('w3', 0, 1000, T + 10_000), []);
  });

  test('lease: 10 owners leasing 7 at once from 50 jobs get disjoint sets covering all 50', async () => {
    const b = await queue(store(), 2, 50);
    const got = await Promise.all(Array.from({ length: 10 }, (_, i) => store().batches.lease(`w${i}`, 7, 60_000, T)));
    const all = got.flatMap(keysOf);
    assert.equal(all.length, 50, 'no job leased twice');
    assert.deepEqual(new Set(all), new Set(keysOf(jobLines(50).map((l) => ({ batchId: b, line: l.line })))));
    got.forEach((jobs, i) => {
      assert.ok(jobs.length <= 7);
      for (const j of jobs) assert.deepEqual([j.leaseOwner, j.attempts], [`w${i}`, 1]);
    });
    assert.equal((await store().batches.counts(b)).pending, 50);
  });

  test('lease: oldest batch first (by creation time, not id), then line', async () => {
    const newer = await queue(store(), 3, 2, { createdAt: 1_750_000_300 });
    const older = await queue(store(), 4, 2, { createdAt: 1_750_000_100 });
    assert.deepEqual(keysOf(await store().batches.lease('w', 3, 1000, T)), [`${older}:1`, `${older}:2`, `${newer}:1`]);
  });

  test('lease: only jobs of in_progress batches', async () => {
    for (const [n, status] of [[5, 'validating'], [6, 'finalizing'], [7, 'cancelling'], [8, 'cancelled'], [9, 'completed']] as const) {
      await queue(store(), n, 2, { status });
    }
    assert.deepEqual(await store().batches.lease('w', 100, 1000, T), []);
    await store().batches.update(id(5), { status: 'in_progress' });
    assert.deepEqual(keysOf(await store().batches.lease('w', 100, 1000, T)), [`${id(5)}:1`, `${id(5)}:2`]);
    // A batch that stops being in progress keeps its leases but gives out no more.
    await store().batches.releaseLeases('w');
    await store().batches.update(id(5), { status: 'cancelling' });
    assert.deepEqual(await store().batches.lease('w', 100, 1000, T), []);
  });

  test('lease: an expired lease goes to another owner; the old owner can no longer settle it', async () => {
    const b = await queue(store(), 10, 1);
    await store().batches.lease('old', 1, 1000, T);
    assert.deepEqual(await store().batches.lease('new', 1, 1000, T + 1000), [], 'not before its lease has passed');
    const [job] = await store().batches.lease('new', 1, 5000, T + 1001);
    assert.deepEqual([job.leaseOwner, job.leaseUntil, job.attempts], ['new', T + 6001, 2]);
    assert.equal(await store().batches.finish('old', b, 1, 'done', '{"by":"old"}', T + 1002), false);
    assert.equal(await store().batches.retryLater('old', b, 1, T, 'late', T + 1002), false);
    assert.equal(await store().batches.finish('new', b, 1, 'done', '{"by":"new"}', T + 1003), true);
    assert.deepEqual((await store().batches.results(b, 'done')).map((j) => j.result), ['{"by":"new"}']);
  });

  test('lease: notBefore is respected after retryLater; attempts keep counting', async () => {
    const b = await queue(store(), 11, 1);
    await store().batches.lease('w', 1, 1000, T);
    assert.equal(await store().batches.retryLater('w', b, 1, T + 500, 'HTTP 429', T + 10), true);
    assert.deepEqual(await store().batches.lease('w', 1, 1000, T + 499), []);
    const [job] = await store().batches.lease('w2', 1, 1000, T + 500);
    assert.deepEqual([job.attempts, job.notBefore, job.lastError, job.leaseOwner], [2, T + 500, 'HTTP 429', 'w2']);
  });

  test('renew: extends only the owner\'s leases, which then are not taken', async () => {
    const b = await queue(store(), 12, 3);
    await store().batches.lease('w', 2, 1000, T);
    await store().batches.renew('w', [{ batchId: b, line: 1 }, { batchId: b, line: 2 }, { batchId: b, line: 3 }], T + 5000);
    await store().batches.renew('other', [{ batchId: b, line: 1 }, { batchId: b, line: 2 }], T + 100_000);
    await store().batches.renew('w', [], T + 100_000);
    // Line 3 was never leased: renew did not lease it; lines 1-2 now run until T + 5000.
    assert.deepEqual(keysOf(await store().batches.lease('x', 10, 100_000, T + 2000)), [`${b}:3`]);
    assert.deepEqual(await store().batches.lease('x', 10, 1000, T + 5000), []);
    assert.deepEqual(keysOf(await store().batches.lease('x', 10, 1000, T + 5001)), [`${b}:1`, `${b}:2`]);
  });
}
