import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createImageStore, type ImageStore } from '../../src/images/index.ts';
import { type FakeS3, startFakeS3 } from './fake-s3.ts';
import { makePng } from './png-fixture.ts';

describe('S3 image store (real AWS SDK client against a fake S3 over HTTP)', () => {
  let s3: FakeS3;
  let store: ImageStore;
  before(async () => {
    s3 = await startFakeS3('imgs', 2); // pages of 2 keys, so the sweep has to follow continuation tokens
    store = createImageStore({ s3: { bucket: 'imgs', endpoint: s3.endpoint, region: 'eu-west-1', accessKeyId: 'TESTKEY', secretAccessKey: 'shh', prefix: 'sluice/images', forcePathStyle: true } });
  });
  after(() => s3.close());

  test('round trip: bytes identical, stored under the prefix with its content type', async () => {
    const png = makePng(16, 16);
    const s = await store.put(png, 'image/png');
    assert.match(s.id, /^[0-9a-f]{24}\.png$/);
    assert.deepEqual({ contentType: s.contentType, bytes: s.bytes }, { contentType: 'image/png', bytes: png.length });
    const obj = s3.objects.get(`sluice/images/${s.id}`);
    assert.ok(obj, 'object under the prefix');
    assert.ok(obj.data.equals(png));
    assert.equal(obj.contentType, 'image/png');
    const got = await store.get(s.id);
    assert.ok(got);
    assert.ok(got.data.equals(png));
    assert.equal(got.contentType, 'image/png');
    assert.ok(s3.requests.some((r) => r.startsWith(`PUT /imgs/sluice/images/${s.id}?`)), s3.requests.join('\n'));
  });

  test('absent or malformed ids are undefined; malformed ones never reach the bucket', async () => {
    assert.equal(await store.get('aaaaaaaaaaaaaaaaaaaaaaab.webp'), undefined);
    const before = s3.requests.length;
    s3.objects.set('sluice/x', { data: Buffer.from('secret'), contentType: 'text/plain', lastModified: new Date() });
    for (const id of ['../x', '..%2Fx', 'x', '']) assert.equal(await store.get(id), undefined, id);
    assert.equal(s3.requests.length, before);
  });

  test('sweep deletes objects older than the cutoff by LastModified, only generated ids under the prefix', async () => {
    s3.objects.clear();
    const now = Date.now();
    const ids = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((t) => store.put(Buffer.from(t), 'image/jpeg')));
    for (const s of ids.slice(0, 3)) (s3.objects.get(`sluice/images/${s.id}`) as { lastModified: Date }).lastModified = new Date(now - 25 * 3600_000);
    const ancient = new Date(0);
    s3.objects.set('sluice/images/readme.txt', { data: Buffer.from('keep'), contentType: 'text/plain', lastModified: ancient });
    s3.objects.set('other/aaaaaaaaaaaaaaaaaaaaaaaa.png', { data: Buffer.from('keep'), contentType: 'image/png', lastModified: ancient });
    s3.objects.set('sluice/images/sub/aaaaaaaaaaaaaaaaaaaaaaaa.png', { data: Buffer.from('keep'), contentType: 'image/png', lastModified: ancient });
    assert.equal(await store.sweep(now - 24 * 3600_000), 3);
    for (const s of ids.slice(0, 3)) assert.equal(await store.get(s.id), undefined);
    for (const s of ids.slice(3)) assert.ok(await store.get(s.id));
    assert.deepEqual([...s3.objects.keys()].sort(), [
      'other/aaaaaaaaaaaaaaaaaaaaaaaa.png',
      `sluice/images/${ids[3].id}`,
      `sluice/images/${ids[4].id}`,
      'sluice/images/readme.txt',
      'sluice/images/sub/aaaaaaaaaaaaaaaaaaaaaaaa.png',
    ].sort());
    assert.equal(s3.requests.filter((r) => /^GET \/imgs\/\?.*list-type=2/.test(r)).length, 4, 'paged listing');
    assert.equal(s3.requests.filter((r) => r.startsWith('POST /imgs/?delete')).length, 1);
    assert.equal(await store.sweep(now - 24 * 3600_000), 0);
  });
});
