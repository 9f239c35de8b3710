import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ResponseCache } from '../../src/cache/index.ts';
import { ByteLru, entrySize } from '../../src/cache/lru.ts';
import { answerOf, manualClock } from './fixtures.ts';

const HOUR = 3_600_000;

describe('in-memory LRU by bytes', () => {
  test('entry size counts body, key, content type, model and a fixed overhead', () => {
    assert.equal(entrySize('k1', answerOf(100, 0)), 100 + 2 + 'application/json'.length + 'gpt-4o-mini'.length + 64);
  });

  test('the byte bound holds; least recently used go first; evictions are counted', async () => {
    const clock = manualClock();
    const size = entrySize('k0', answerOf(1000, clock.now()));
    const cache = new ResponseCache({ maxBytes: size * 4, ttlMs: () => HOUR, now: clock.now });
    for (const k of ['k0', 'k1', 'k2', 'k3']) await cache.set(k, answerOf(1000, clock.now()));
    assert.deepEqual(cache.stats(), { hits: 0, misses: 0, coalesced: 0, bytes: size * 4, entries: 4, evictions: 0, l2Hits: 0, l2Errors: 0 });
    assert.ok(await cache.get('k0'), 'k0 is now the most recently used');
    await cache.set('k4', answerOf(1000, clock.now()));
    assert.equal(await cache.get('k1'), undefined, 'k1 was the least recently used');
    for (const k of ['k0', 'k2', 'k3', 'k4']) assert.ok(await cache.get(k), k);
    const s = cache.stats();
    assert.deepEqual([s.entries, s.bytes, s.evictions, s.hits, s.misses], [4, size * 4, 1, 5, 1]);
    await cache.close();
  });

  test('a large answer pushes out as many entries as it needs, oldest first', async () => {
    const clock = manualClock();
    const size = entrySize('k0', answerOf(1000, clock.now()));
    const cache = new ResponseCache({ maxBytes: size * 8, ttlMs: () => HOUR, now: clock.now });
    for (let i = 0; i < 8; i++) await cache.set(`k${i}`, answerOf(1000, clock.now()));
    await cache.set('big', answerOf(2000, clock.now())); // about two entries' worth, under maxBytes/4
    const s = cache.stats();
    assert.ok(s.bytes <= size * 8, `${s.bytes} <= ${size * 8}`);
    assert.deepEqual([s.evictions, s.entries], [2, 7]);
    assert.equal(await cache.get('k0'), undefined);
    assert.equal(await cache.get('k1'), undefined);
    assert.ok(await cache.get('k2'));
    await cache.close();
  });

  test('ByteLru keeps recency order and replaces an entry for the same key', () => {
    const lru = new ByteLru(10_000);
    for (const k of ['a', 'b', 'c']) lru.set(k, answerOf(10, 0), Number.POSITIVE_INFINITY);
    lru.get('a', 0);
    lru.set('b', answerOf(20, 0), Number.POSITIVE_INFINITY);
    assert.deepEqual(lru.keys(), ['c', 'a', 'b']);
    assert.equal(lru.bytes, entrySize('a', answerOf(10, 0)) * 2 + entrySize('b', answerOf(20, 0)));
  });

  test('an entry larger than maxBytes/4 is not kept (and replaces nothing)', async () => {
    const clock = manualClock();
    const cache = new ResponseCache({ maxBytes: 4000, ttlMs: () => HOUR, now: clock.now });
    await cache.set('big', answerOf(100, clock.now()));
    await cache.set('big', answerOf(1000, clock.now()));
    assert.equal(await cache.get('big'), undefined, 'the old smaller answer is gone too');
    assert.deepEqual([cache.stats().entries, cache.stats().bytes, cache.stats().evictions], [0, 0, 0]);
    await cache.close();
  });

  test('TTL per model: an expired entry is a miss and frees its bytes', async () => {
    const clock = manualClock();
    const ttl: Record<string, number> = { fast: 1000, slow: 10_000 };
    const cache = new ResponseCache({ maxBytes: 1 << 20, ttlMs: (m) => ttl[m] ?? 0, now: clock.now });
    await cache.set('f', answerOf(10, clock.now(), 'fast'));
    await cache.set('s', answerOf(10, clock.now(), 'slow'));
    await cache.set('n', answerOf(10, clock.now(), 'uncached-model'));
    assert.equal(cache.stats().entries, 2, 'a TTL of 0 means not cached');
    clock.advance(999);
    assert.ok(await cache.get('f'));
    clock.advance(1);
    assert.equal(await cache.get('f'), undefined);
    assert.ok(await cache.get('s'));
    clock.advance(9000);
    assert.equal(await cache.get('s'), undefined);
    const s = cache.stats();
    assert.deepEqual([s.hits, s.misses, s.entries, s.bytes, s.evictions], [2, 2, 0, 0, 0]);
    await cache.close();
  });

  test('the TTL runs from storedAt: an answer stored late lives only what is left', async () => {
    const clock = manualClock();
    const cache = new ResponseCache({ maxBytes: 1 << 20, ttlMs: () => 1000, now: clock.now });
    await cache.set('old', answerOf(10, clock.now() - 1000));
    await cache.set('older', answerOf(10, clock.now() - 600));
    assert.equal(cache.stats().entries, 1, 'already expired: not stored');
    clock.advance(400);
    assert.equal(await cache.get('older'), undefined);
    await cache.close();
  });
});
