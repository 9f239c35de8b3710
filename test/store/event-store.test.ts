import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SluiceEventRow, Store } from '../../src/store/index.ts';
import { storeKinds } from '../helpers/stores.ts';

const T0 = Date.UTC(2030, 0, 1);

function row(minute: number, over: Partial<SluiceEventRow> = {}): SluiceEventRow {
  return { time: T0 + minute * 60_000, type: 'account_disabled', account: 'oa-1', model: null, client: null, message: `event at minute ${minute}`, ...over };
}

/** The contract of `EventStore`, run on every store kind (SQLite always, PostgreSQL when it answers). */
for (const kind of await storeKinds()) {
  describe(`event store contract (${kind.name})`, { skip: kind.skip }, () => {
    let store: Store;
    before(async () => {
      store = await kind.open();
    });
    after(async () => {
      await store?.close();
      await kind.cleanup();
    });

    test('insert then list: every field round trips, NULLs stay NULL', async () => {
      const full = row(0, { type: 'budget_threshold', account: null, model: 'gpt-4o-mini', client: 'shop', message: 'shop used 80% of its daily budget ($50) — ünïcode ✓' });
      await store.events.insert(full);
      assert.deepEqual(await store.events.list({ limit: 10 }), [full]);
    });

    test('list: newest first; same millisecond in reverse insertion order; limit', async () => {
      await store.events.insert(row(5, { message: 'five-a' }));
      await store.events.insert(row(2));
      await store.events.insert(row(5, { message: 'five-b' }));
      await store.events.insert(row(9, { type: 'circuit_opened', account: 'oa-2' }));
      const all = await store.events.list({ limit: 100 });
      assert.deepEqual(
        all.map((e) => e.message),
        ['event at minute 9', 'five-b', 'five-a', 'event at minute 2', 'shop used 80% of its daily budget ($50) — ünïcode ✓'],
      );
      assert.deepEqual((await store.events.list({ limit: 2 })).map((e) => e.message), ['event at minute 9', 'five-b']);
    });

    test('list: filters by type, account, client and since (inclusive), combined with AND', async () => {
      await store.events.insert(row(7, { type: 'budget_threshold', account: null, client: 'lab', message: 'lab budget' }));
      const messages = async (q: Parameters<Store['events']['list']>[0]) => (await store.events.list(q)).map((e) => e.message);
      assert.deepEqual(await messages({ limit: 100, type: 'circuit_opened' }), ['event at minute 9']);
      assert.deepEqual(await messages({ limit: 100, account: 'oa-1' }), ['five-b', 'five-a', 'event at minute 2']);
      assert.deepEqual(await messages({ limit: 100, client: 'lab' }), ['lab budget']);
      assert.deepEqual(await messages({ limit: 100, since: T0 + 5 * 60_000 }), ['event at minute 9', 'lab budget', 'five-b', 'five-a']);
      assert.deepEqual(await messages({ limit: 100, type: 'budget_threshold', since: T0 + 60_000 }), ['lab budget']);
      assert.deepEqual(await messages({ limit: 100, type: 'account_disabled', account: 'oa-1', since: T0 + 3 * 60_000 }), ['five-b', 'five-a']);
      assert.deepEqual(await messages({ limit: 100, account: 'nobody' }), []);
    });

    test('prune: deletes strictly older events, returns how many, keeps the rest', async () => {
      assert.equal(await store.events.prune(T0 + 5 * 60_000), 2);
      assert.equal(await store.events.prune(T0 + 5 * 60_000), 0);
      assert.deepEqual(
        (await store.events.list({ limit: 100 })).map((e) => e.message),
        ['event at minute 9', 'lab budget', 'five-b', 'five-a'],
      );
      assert.equal(await store.events.prune(T0 + 60 * 60_000), 4);
      assert.deepEqual(await store.events.list({ limit: 100 }), []);
    });
  });
}
