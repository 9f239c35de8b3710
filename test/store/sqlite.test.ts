import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, test } from 'node:test';
import { openStore } from '../../src/store/index.ts';
import { storeContract } from './contract.ts';
import { usageRows } from './usage-fixture.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-store-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

storeContract('sqlite file', async () => openStore({ sqlite: join(await tempDir(), 'contract.db') }));
storeContract('sqlite :memory:', () => openStore({ sqlite: ':memory:' }));

describe('sqlite file', () => {
  test('creates the file and its missing folders, in WAL mode', async () => {
    const file = join(await tempDir(), 'nested', 'deeper', 'sluice.db');
    const store = await openStore({ sqlite: file });
    assert.equal(store.kind, 'sqlite');
    assert.ok(existsSync(file));
    await store.close();
    await store.close(); // idempotent
    const raw = new DatabaseSync(file, { readOnly: true });
    assert.deepEqual({ ...raw.prepare('pragma journal_mode').get() }, { journal_mode: 'wal' });
    raw.close();
  });

  test('reopening keeps the data and does not re-run migrations', async () => {
    const file = join(await tempDir(), 'sluice.db');
    const first = await openStore({ sqlite: file });
    const key = await first.keys.create({
      name: 'kept', keyHash: 'f'.repeat(64), keyPrefix: 'sk-kept', priority: 'low', models: ['*'], weight: 1,
      rpm: null, tpm: null, ipm: null, dailyUsd: null, monthlyUsd: null, expiresAt: null, enabled: true, source: 'api', policy: null,
    });
    await first.usage.insertMany(usageRows().slice(0, 10));
    await first.close();

    const second = await openStore({ sqlite: file });
    assert.deepEqual(await second.keys.get(key.id), key);
    assert.equal(await second.usage.count(), 10);
    await second.close();

    const raw = new DatabaseSync(file, { readOnly: true });
    const applied = raw.prepare('select name from kysely_migration order by name').all().map((r) => r.name);
    raw.close();
    assert.deepEqual(applied, ['0001-initial', '0002-batches', '0003-events', '0004-key-policy']);
  });
});
