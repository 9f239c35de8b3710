import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { Store } from '../../src/store/index.ts';
import { fileRecord } from './batch-fixture.ts';

const id = (n: number): string => 'file-' + String(n).padStart(24, '0');

/** The contract of `FileStore`. */
export function fileContract(store: () => Store): void {
  test('put/get/content: metadata as given, bytes from the content, content binary-exact', async () => {
    // Every byte value (NUL, 0xFF, invalid UTF-8 sequences) plus random bytes.
    const content = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(256 * 1024)]);
    const rec = await store().files.put(fileRecord(id(1), { filename: 'ümlaut ✓.jsonl', bytes: 1 }), content);
    assert.deepEqual(rec, fileRecord(id(1), { filename: 'ümlaut ✓.jsonl', bytes: content.length }));
    assert.deepEqual(await store().files.get(id(1)), rec);
    const back = await store().files.content(id(1));
    assert.ok(Buffer.isBuffer(back));
    assert.ok(back.equals(content));
  });

  test('put: an empty file; a taken id is refused; unknown ids are undefined', async () => {
    const rec = await store().files.put(fileRecord(id(2), { createdAt: 1_750_000_001 }), Buffer.alloc(0));
    assert.equal(rec.bytes, 0);
    assert.equal((await store().files.content(id(2)))?.length, 0);
    await assert.rejects(store().files.put(fileRecord(id(2)), Buffer.from('again')));
    assert.equal((await store().files.content(id(2)))?.length, 0);
    assert.equal(await store().files.get(id(999)), undefined);
    assert.equal(await store().files.content(id(999)), undefined);
  });

  test('list: the owner\'s files, newest first, by purpose, limited', async () => {
    await store().files.put(fileRecord(id(3), { createdAt: 1_750_000_003, purpose: 'user_data' }), Buffer.from('3'));
    await store().files.put(fileRecord(id(4), { createdAt: 1_750_000_003, purpose: 'batch' }), Buffer.from('4'));
    await store().files.put(fileRecord(id(5), { createdAt: 1_750_000_009, owner: 'bob' }), Buffer.from('5'));
    const ids = (recs: Array<{ id: string }>) => recs.map((r) => r.id);
    // Same second: the larger id first.
    assert.deepEqual(ids(await store().files.list('alice')), [id(4), id(3), id(2), id(1)]);
    assert.deepEqual(ids(await store().files.list('alice', { purpose: 'batch' })), [id(4), id(2), id(1)]);
    assert.deepEqual(ids(await store().files.list('alice', { purpose: 'batch', limit: 2 })), [id(4), id(2)]);
    assert.deepEqual(ids(await store().files.list('alice', { limit: 1 })), [id(4)]);
    assert.deepEqual(ids(await store().files.list('bob')), [id(5)]);
    assert.deepEqual(await store().files.list('carol'), []);
    assert.deepEqual(await store().files.list('alice', { purpose: 'fine-tune' }), []);
  });

  test('delete: true once, then false; metadata and content are gone', async () => {
    assert.equal(await store().files.delete(id(3)), true);
    assert.equal(await store().files.delete(id(3)), false);
    assert.equal(await store().files.get(id(3)), undefined);
    assert.equal(await store().files.content(id(3)), undefined);
    assert.deepEqual((await store().files.list('alice')).map((r) => r.id), [id(4), id(2), id(1)]);
  });
}
