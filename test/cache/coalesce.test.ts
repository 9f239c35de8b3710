import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { type CachedAnswer, ResponseCache } from '../../src/cache/index.ts';
import { answerOf } from './fixtures.ts';

const newCache = () => new ResponseCache({ maxBytes: 1 << 20, ttlMs: () => 60_000 });

describe('coalescing', () => {
  test('10 concurrent identical requests: one producer, 9 shared, the answer cached', async () => {
    const cache = newCache();
    let runs = 0;
    const produce = async (): Promise<CachedAnswer> => {
      runs++;
      await sleep(50);
      return answerOf(100, Date.now());
    };
    const results = await Promise.all(Array.from({ length: 10 }, () => cache.coalesce('k', produce)));
    assert.equal(runs, 1);
    assert.equal(results.filter((r) => r.shared).length, 9);
    assert.equal(new Set(results.map((r) => r.answer)).size, 1, 'everyone got the same answer');
    assert.equal(cache.stats().coalesced, 9);
    assert.equal(await cache.get('k'), results[0].answer);
    await cache.close();
  });

  test('a failing producer: its caller gets the error, waiters get undefined, nothing is cached', async () => {
    const cache = newCache();
    const produce = async (): Promise<CachedAnswer> => {
      await sleep(30);
      throw new Error('upstream broke');
    };
    const first = cache.coalesce('k', produce);
    const waiters = Array.from({ length: 4 }, () => cache.coalesce('k', produce));
    await assert.rejects(first, /upstream broke/);
    for (const w of await Promise.all(waiters)) assert.deepEqual(w, { answer: undefined, shared: true });
    assert.deepEqual([cache.stats().entries, cache.stats().coalesced], [0, 0], 'waiters that got nothing are not counted as coalesced');
    const again = await cache.coalesce('k', async () => answerOf(10, Date.now()));
    assert.equal(again.shared, false, 'the next request produces again');
    await cache.close();
  });

  test('a producer whose answer must not be cached: waiters get undefined', async () => {
    const cache = newCache();
    const produce = async () => {
      await sleep(20);
      return undefined;
    };
    const rs = await Promise.all([cache.coalesce('k', produce), cache.coalesce('k', produce)]);
    assert.deepEqual(rs, [
      { answer: undefined, shared: false },
      { answer: undefined, shared: true },
    ]);
    assert.equal(cache.stats().entries, 0);
    await cache.close();
  });

  test('different keys do not wait for each other', async () => {
    const cache = newCache();
    let runs = 0;
    const produce = async () => {
      runs++;
      await sleep(10);
      return answerOf(10, Date.now());
    };
    const rs = await Promise.all([cache.coalesce('a', produce), cache.coalesce('b', produce)]);
    assert.equal(runs, 2);
    assert.ok(rs.every((r) => !r.shared));
    await cache.close();
  });

  test('a caller that comes just after the producer finished gets the fresh answer, shared', async () => {
    const cache = newCache();
    await cache.coalesce('k', async () => answerOf(10, Date.now()));
    let ran = false;
    const late = await cache.coalesce('k', async () => {
      ran = true;
      return answerOf(10, Date.now());
    });
    assert.equal(ran, false);
    assert.equal(late.shared, true);
    assert.equal(cache.stats().coalesced, 1);
    await cache.close();
  });
});
