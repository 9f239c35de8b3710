import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { Store } from '../../src/store/index.ts';
import { batchRecord, jobLines, keysOf, okResult, quiesce, T } from './batch-fixture.ts';

const id = (n: number): string => 'batch_' + String(n).padStart(24, 'e');
const ERROR_RESULT = JSON.stringify({ response: null, error: { code: 'batch_expired', message: 'gave up' } });

async function queue(store: Store, n: number, lines: number): Promise<string> {
  await store.batches.create(batchRecord(id(n)), jobLines(lines));
  return id(n);
}

/** The contract of settling leased jobs: finish, retryLater, releaseLeases, cancelQueued, counts, results. */
export function settleContract(store: () => Store): void {
  beforeEach(() => quiesce(store()));

  test('finish: done or failed with the result, lease cleared; only once', async () => {
    const b = await queue(store(), 1, 2);
    await store().batches.lease('w', 2, 1000, T);
    assert.equal(await store().batches.finish('w', b, 1, 'done', okResult('w'), T + 5), true);
    assert.equal(await store().batches.finish('w', b, 2, 'failed', ERROR_RESULT, T + 6), true);
    assert.equal(await store().batches.finish('w', b, 1, 'failed', ERROR_RESULT, T + 7), false, 'already done');
    assert.equal(await store().batches.finish('w', b, 3, 'done', okResult('w'), T + 7), false, 'no such line');
    const [done] = await store().batches.results(b, 'done');
    assert.deepEqual(done, { ...done, line: 1, state: 'done', result: okResult('w'), leaseOwner: null, leaseUntil: null, attempts: 1, updatedAt: T + 5 });
    const [failed] = await store().batches.results(b, 'failed');
    assert.deepEqual(failed, { ...failed, line: 2, state: 'failed', result: ERROR_RESULT, leaseOwner: null, leaseUntil: null, updatedAt: T + 6 });
    assert.deepEqual(await store().batches.lease('w', 10, 1000, T + 100_000), [], 'finished jobs are never leased again');
  });

  test('finish: a queued job (not leased) cannot be finished', async () => {
    const b = await queue(store(), 2, 1);
    assert.equal(await store().batches.finish('w', b, 1, 'done', okResult('w'), T), false);
    assert.equal(await store().batches.retryLater('w', b, 1, T, 'x', T), false);
    assert.equal((await store().batches.counts(b)).pending, 1);
  });

  test('exactly one result per line when two owners race to finish', async () => {
    const b = await queue(store(), 3, 20);
    await store().batches.lease('slow', 20, 1000, T);
    await store().batches.lease('fast', 20, 1000, T + 2000); // slow's leases expired: all taken over
    const race = await Promise.all(
      jobLines(20).flatMap((l) => [
        store().batches.finish('slow', b, l.line, 'done', okResult('slow'), T + 2500),
        store().batches.finish('fast', b, l.line, l.line % 2 ? 'done' : 'failed', okResult('fast'), T + 2500),
      ]),
    );
    assert.deepEqual(race, jobLines(20).flatMap(() => [false, true]));
    // The same owner finishing one line twice at once: one wins.
    const c = await queue(store(), 4, 1);
    await store().batches.lease('w', 1, 1000, T);
    const twice = await Promise.all([store().batches.finish('w', c, 1, 'done', okResult('a'), T), store().batches.finish('w', c, 1, 'failed', ERROR_RESULT, T)]);
    assert.equal(twice.filter(Boolean).length, 1);
    const results = [...(await store().batches.results(c, 'done')), ...(await store().batches.results(c, 'failed'))];
    assert.equal(results.length, 1);
    const all = [...(await store().batches.results(b, 'done')), ...(await store().batches.results(b, 'failed'))];
    assert.equal(all.length, 20);
    assert.ok(all.every((j) => j.result === okResult('fast')));
  });

  test('retryLater: back in the queue with its error, lease cleared', async () => {
    const b = await queue(store(), 5, 1);
    await store().batches.lease('w', 1, 1000, T);
    assert.equal(await store().batches.retryLater('w', b, 1, T + 60_000, 'HTTP 503', T + 3), true);
    assert.equal(await store().batches.retryLater('w', b, 1, T + 60_000, 'HTTP 503', T + 3), false, 'no longer leased');
    const [job] = await store().batches.lease('w', 1, 1000, T + 60_000);
    assert.deepEqual([job.state, job.attempts, job.lastError, job.notBefore], ['leased', 2, 'HTTP 503', T + 60_000]);
  });

  test('releaseLeases: one owner\'s leases, or everyone\'s; released jobs are due at once', async () => {
    const b = await queue(store(), 6, 6);
    await store().batches.lease('a', 2, 60_000, T);
    await store().batches.lease('b', 2, 60_000, T);
    await store().batches.lease('c', 1, 60_000, T);
    assert.equal(await store().batches.releaseLeases('a'), 2);
    assert.equal(await store().batches.releaseLeases('a'), 0);
    assert.deepEqual(keysOf(await store().batches.lease('d', 10, 60_000, T + 1)), [`${b}:1`, `${b}:2`, `${b}:6`]);
    assert.equal(await store().batches.finish('a', b, 1, 'done', okResult('a'), T + 2), false, 'a gave its lease back');
    // Everyone's: these 6, and any leases earlier tests left in batches no longer in progress.
    assert.ok((await store().batches.releaseLeases(null)) >= 6);
    assert.equal(await store().batches.releaseLeases(null), 0);
    const again = await store().batches.lease('e', 10, 60_000, T + 3);
    assert.equal(again.length, 6);
    // Lines 1-2 were leased by a, then d, now e; the others once before.
    assert.deepEqual(again.map((j) => j.attempts), [3, 3, 2, 2, 2, 2]);
  });

  test('cancelQueued: queued jobs only; leased ones can still finish; counts add up', async () => {
    const b = await queue(store(), 7, 10);
    await store().batches.lease('w', 4, 60_000, T);
    await store().batches.finish('w', b, 1, 'done', okResult('w'), T + 1);
    await store().batches.finish('w', b, 2, 'failed', ERROR_RESULT, T + 1);
    assert.deepEqual(await store().batches.counts(b), { total: 10, completed: 1, failed: 1, pending: 8, cancelled: 0 });
    assert.equal(await store().batches.cancelQueued(b, T + 2), 6);
    assert.equal(await store().batches.cancelQueued(b, T + 2), 0);
    assert.deepEqual(await store().batches.counts(b), { total: 10, completed: 1, failed: 1, pending: 2, cancelled: 6 });
    assert.equal(await store().batches.finish('w', b, 3, 'done', okResult('w'), T + 3), true);
    assert.deepEqual(await store().batches.counts(b), { total: 10, completed: 2, failed: 1, pending: 1, cancelled: 6 });
    // Only line 4 (leased, now expired) can still be leased: cancelled jobs never are.
    assert.deepEqual(keysOf(await store().batches.lease('x', 10, 60_000, T + 100_000)), [`${b}:4`]);
  });

  test('results: in line order whatever the finishing order, split by state', async () => {
    const b = await queue(store(), 8, 9);
    await store().batches.lease('w', 9, 60_000, T);
    for (const line of [9, 4, 7, 1, 3, 8, 2, 6, 5]) {
      await store().batches.finish('w', b, line, line % 3 ? 'done' : 'failed', okResult(`line ${line}`), T + line);
    }
    assert.deepEqual((await store().batches.results(b, 'done')).map((j) => [j.line, j.customId, j.result]), [1, 2, 4, 5, 7, 8].map((n) => [n, `req-${n}`, okResult(`line ${n}`)]));
    assert.deepEqual((await store().batches.results(b, 'failed')).map((j) => j.line), [3, 6, 9]);
    assert.deepEqual(await store().batches.results(id(99), 'done'), []);
  });
}
