import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NewClientKey, Store } from '../../src/store/index.ts';
import { batchContract } from './contract-batches.ts';
import { fileContract } from './contract-files.ts';
import { leaseContract } from './contract-jobs.ts';
import { settleContract } from './contract-jobs-settle.ts';
import { usageContract } from './contract-usage.ts';

function newKey(name: string, over: Partial<NewClientKey> = {}): NewClientKey {
  return {
    name,
    keyHash: 'a'.repeat(64),
    keyPrefix: 'sk-slc-AbCd',
    priority: 'normal',
    models: ['gpt-4o-mini', 'gpt-image-1'],
    weight: 0.5,
    rpm: 60,
    tpm: null,
    ipm: 5,
    dailyUsd: 12.34,
    monthlyUsd: null,
    expiresAt: '2030-01-01T00:00:00.000Z',
    enabled: true,
    source: 'api',
    policy: null,
    ...over,
  };
}

const ACCOUNT_SETTINGS = {
  provider: 'azure',
  baseUrl: 'https://example.openai.azure.com',
  group: 'eu',
  weight: 2.5,
  limits: { 'gpt-4o': { rpm: 500, tpm: 150_000_000 } },
  deployments: { 'gpt-4o': 'prod-4o' },
  models: ['gpt-4o', 'ümlaut-✓'],
  enabled: true,
  maxConcurrent: null,
};

/** The contract of `KeyStore`. */
function keyContract(store: () => Store): void {
  test('create: a key_ id, a creation time, every field as given', async () => {
    const rec = await store().keys.create(newKey('bravo'));
    assert.match(rec.id, /^key_[0-9a-f]{24}$/);
    assert.ok(!Number.isNaN(Date.parse(rec.createdAt)), rec.createdAt);
    assert.deepEqual({ ...rec, id: undefined, createdAt: undefined }, { ...newKey('bravo'), id: undefined, createdAt: undefined });
    assert.deepEqual(await store().keys.get(rec.id), rec);
    assert.deepEqual(await store().keys.getByName('bravo'), rec);
  });

  test("a key's policy is kept as given, replaced by a patch, and cleared with null", async () => {
    const policy = { groups: ['primary'], fallbacks: { 'gpt-image-1': ['dall-e-3'] }, guardrails: { words: ['weapon'], patterns: [], moderation: false as const }, images: { maxQuality: 'medium' as const } };
    const rec = await store().keys.create(newKey('policed', { keyHash: 'c'.repeat(64), policy }));
    assert.deepEqual(rec.policy, policy);
    assert.deepEqual((await store().keys.getByName('policed'))?.policy, policy);
    assert.deepEqual((await store().keys.update(rec.id, { policy: { cache: false } }))?.policy, { cache: false });
    assert.deepEqual((await store().keys.update(rec.id, { weight: 2 }))?.policy, { cache: false }, 'a patch without policy leaves it');
    assert.equal((await store().keys.update(rec.id, { policy: null }))?.policy, null);
    await store().keys.delete(rec.id);
  });

  test('create: a taken name is a conflict; unknown ids and names are undefined', async () => {
    await assert.rejects(store().keys.create(newKey('bravo', { keyHash: 'b'.repeat(64) })), { code: 'conflict' });
    assert.equal(await store().keys.get('key_000000000000000000000000'), undefined);
    assert.equal(await store().keys.getByName('nobody'), undefined);
  });

  test('list: every key, by name', async () => {
    await store().keys.create(newKey('alpha', { source: 'config', enabled: false }));
    assert.deepEqual((await store().keys.list()).map((k) => [k.name, k.enabled, k.source]), [
      ['alpha', false, 'config'],
      ['bravo', true, 'api'],
    ]);
  });

  test('update: enable/disable, budgets, limits and models; other fields kept', async () => {
    const before = (await store().keys.getByName('bravo'))!;
    const off = await store().keys.update(before.id, { enabled: false, dailyUsd: null, monthlyUsd: 100.5, tpm: 40_000 });
    assert.deepEqual(off, { ...before, enabled: false, dailyUsd: null, monthlyUsd: 100.5, tpm: 40_000 });
    const on = await store().keys.update(before.id, { enabled: true, models: ['*'], priority: 'high', expiresAt: null });
    assert.deepEqual(on, { ...off, enabled: true, models: ['*'], priority: 'high', expiresAt: null });
    assert.deepEqual(await store().keys.update(before.id, {}), on);
    assert.deepEqual(await store().keys.get(before.id), on);
    assert.equal(await store().keys.update('key_000000000000000000000000', { enabled: false }), undefined);
  });

  test('upsertByName: inserts once, then updates in place keeping id and createdAt', async () => {
    const first = await store().keys.upsertByName(newKey('charlie', { source: 'config' }));
    const again = await store().keys.upsertByName(newKey('charlie', { source: 'config' }));
    assert.deepEqual(again, first);
    const changed = await store().keys.upsertByName(newKey('charlie', { source: 'config', keyHash: 'c'.repeat(64), rpm: null, models: [] }));
    assert.deepEqual(changed, { ...first, keyHash: 'c'.repeat(64), rpm: null, models: [] });
    assert.equal((await store().keys.list()).length, 3);
  });

  test('delete: true once, then false; the key is gone', async () => {
    const rec = (await store().keys.getByName('charlie'))!;
    assert.equal(await store().keys.delete(rec.id), true);
    assert.equal(await store().keys.delete(rec.id), false);
    assert.equal(await store().keys.get(rec.id), undefined);
    assert.deepEqual((await store().keys.list()).map((k) => k.name), ['alpha', 'bravo']);
  });
}

/** The contract of `AccountStore`. */
function accountContract(store: () => Store): void {
  test('upsert/get: settings JSON round trip, creation time', async () => {
    const rec = await store().accounts.upsert({ name: 'zeta', settings: ACCOUNT_SETTINGS, apiKeyEncrypted: 'v1:abc', enabled: true, source: 'api' });
    assert.ok(!Number.isNaN(Date.parse(rec.createdAt)));
    assert.deepEqual(rec, { name: 'zeta', settings: ACCOUNT_SETTINGS, apiKeyEncrypted: 'v1:abc', enabled: true, source: 'api', createdAt: rec.createdAt });
    assert.deepEqual(await store().accounts.get('zeta'), rec);
    assert.equal(await store().accounts.get('nope'), undefined);
  });

  test('upsert again: replaces everything but createdAt', async () => {
    const before = (await store().accounts.get('zeta'))!;
    const after = await store().accounts.upsert({ name: 'zeta', settings: { provider: 'openai' }, apiKeyEncrypted: 'v1:def', enabled: false, source: 'config' });
    assert.deepEqual(after, { name: 'zeta', settings: { provider: 'openai' }, apiKeyEncrypted: 'v1:def', enabled: false, source: 'config', createdAt: before.createdAt });
  });

  test('list by name; setEnabled; delete', async () => {
    await store().accounts.upsert({ name: 'eta', settings: {}, apiKeyEncrypted: 'v1:x', enabled: true, source: 'api' });
    assert.deepEqual((await store().accounts.list()).map((a) => [a.name, a.enabled]), [
      ['eta', true],
      ['zeta', false],
    ]);
    assert.equal(await store().accounts.setEnabled('zeta', true), true);
    assert.equal((await store().accounts.get('zeta'))!.enabled, true);
    assert.equal(await store().accounts.setEnabled('eta', false), true);
    assert.equal((await store().accounts.get('eta'))!.enabled, false);
    assert.equal(await store().accounts.setEnabled('nope', true), false);
    assert.equal(await store().accounts.delete('eta'), true);
    assert.equal(await store().accounts.delete('eta'), false);
    assert.deepEqual((await store().accounts.list()).map((a) => a.name), ['zeta']);
  });
}

/**
 * The contract every `Store` implementation must pass (SQLite file, SQLite in memory,
 * PostgreSQL): one suite, run by each implementation's test file, like hono's shared router
 * tests. `open` must return a fresh, empty store; `cleanup` runs after it is closed.
 */
export function storeContract(name: string, open: () => Promise<Store>, cleanup?: () => Promise<void>): void {
  describe(`store contract: ${name}`, () => {
    let store: Store | undefined;
    const current = (): Store => store!;
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store?.close();
      await cleanup?.();
    });
    describe('keys', () => keyContract(current));
    describe('accounts', () => accountContract(current));
    describe('usage', () => usageContract(current));
    describe('files', () => fileContract(current));
    describe('batches', () => batchContract(current));
    describe('jobs: leasing', () => leaseContract(current));
    describe('jobs: settling', () => settleContract(current));
  });
}
