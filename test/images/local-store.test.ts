import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createImageStore } from '../../src/images/index.ts';
import { makePng } from './png-fixture.ts';

const root = await mkdtemp(join(tmpdir(), 'sluice-images-'));
after(() => rm(root, { recursive: true, force: true }));

describe('local image store', () => {
  test('round trip: bytes identical, id is 24 hex + extension, folder created on first write', async () => {
    const dir = join(root, 'a', 'nested');
    const store = createImageStore({ local: dir });
    assert.equal(await store.sweep(0), 0, 'a missing folder is empty');
    const png = makePng(16, 16);
    const s = await store.put(png, 'image/png');
    assert.match(s.id, /^[0-9a-f]{24}\.png$/);
    assert.deepEqual({ contentType: s.contentType, bytes: s.bytes }, { contentType: 'image/png', bytes: png.length });
    const got = await store.get(s.id);
    assert.ok(got);
    assert.ok(got.data.equals(png));
    assert.equal(got.contentType, 'image/png');
    assert.deepEqual(await readdir(dir), [s.id]);
    const jpg = await store.put(Buffer.from([0xff, 0xd8, 0xff]), 'IMAGE/JPEG; q=1');
    assert.match(jpg.id, /\.jpg$/);
    assert.equal((await store.get(jpg.id))?.contentType, 'image/jpeg');
    assert.notEqual((await store.put(png, 'image/png')).id, s.id);
  });

  test('ids cannot escape the folder: anything but a generated id is refused', async () => {
    const dir = join(root, 'escape', 'store');
    const store = createImageStore({ local: dir });
    await store.put(Buffer.from('x'), 'image/png');
    await writeFile(join(root, 'escape', 'x'), 'secret');
    await writeFile(join(root, 'escape', 'aaaaaaaaaaaaaaaaaaaaaaaa.png'), 'secret');
    for (const id of ['../x', '../aaaaaaaaaaaaaaaaaaaaaaaa.png', '..%2Fx', '/etc/passwd', 'x', '', 'AAAAAAAAAAAAAAAAAAAAAAAA.png', 'aaaaaaaaaaaaaaaaaaaaaaaa.png/', 'aaaaaaaaaaaaaaaaaaaaaaaa.html']) {
      assert.equal(await store.get(id), undefined, id);
    }
    assert.equal(await store.get('aaaaaaaaaaaaaaaaaaaaaaab.png'), undefined, 'well-formed but absent');
  });

  test('the content type never reaches the file name', async () => {
    const dir = join(root, 'types');
    const store = createImageStore({ local: dir });
    const s = await store.put(Buffer.from('<html>'), 'text/html/../../evil');
    assert.match(s.id, /^[0-9a-f]{24}\.bin$/);
    assert.equal(s.contentType, 'application/octet-stream');
    assert.deepEqual(await readdir(dir), [s.id]);
    assert.equal((await store.get(s.id))?.contentType, 'application/octet-stream');
  });

  test('sweep deletes images older than the cutoff by mtime, and only images', async () => {
    const dir = join(root, 'sweep');
    const store = createImageStore({ local: dir });
    const now = Date.now();
    const old = await store.put(Buffer.from('old'), 'image/png');
    const older = await store.put(Buffer.from('older'), 'image/webp');
    const fresh = await store.put(Buffer.from('fresh'), 'image/png');
    await utimes(join(dir, old.id), new Date(now - 2 * 3600_000), new Date(now - 2 * 3600_000));
    await utimes(join(dir, older.id), new Date(now - 48 * 3600_000), new Date(now - 48 * 3600_000));
    await writeFile(join(dir, 'notes.txt'), 'not ours');
    await utimes(join(dir, 'notes.txt'), new Date(0), new Date(0));
    assert.equal(await store.sweep(now - 3600_000), 2);
    assert.equal(await store.get(old.id), undefined);
    assert.equal(await store.get(older.id), undefined);
    assert.equal((await store.get(fresh.id))?.data.toString(), 'fresh');
    assert.deepEqual((await readdir(dir)).sort(), [fresh.id, 'notes.txt'].sort());
    assert.equal(await store.sweep(now - 3600_000), 0);
  });
});
