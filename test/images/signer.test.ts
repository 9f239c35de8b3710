import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createImageStore, UrlSigner } from '../../src/images/index.ts';
import { makePng } from './png-fixture.ts';

const ID = '0123456789abcdef01234567.png';
const NOW = 1_750_000_000_000;

/** The id, expires and sig of a signed path. */
function parts(path: string): { id: string; expires: string | undefined; sig: string | undefined } {
  const u = new URL(path, 'http://sluice.test');
  return { id: decodeURIComponent(u.pathname.replace('/v1/images/files/', '')), expires: u.searchParams.get('expires') ?? undefined, sig: u.searchParams.get('sig') ?? undefined };
}

describe('UrlSigner', () => {
  const signer = new UrlSigner(randomBytes(32));

  test('sign gives /v1/images/files/<id>?expires=<epoch s>&sig=<base64url>, and it verifies', () => {
    const path = signer.sign(ID, NOW + 3600_000);
    assert.match(path, /^\/v1\/images\/files\/0123456789abcdef01234567\.png\?expires=1750003600&sig=[A-Za-z0-9_-]{43}$/);
    const p = parts(path);
    assert.equal(signer.verify(p.id, p.expires, p.sig, NOW), 'ok');
    assert.equal(signer.verify(p.id, p.expires, p.sig, NOW + 3599_000), 'ok');
  });

  test('tampered id, expires or sig, or a missing part, is bad_signature', () => {
    const p = parts(signer.sign(ID, NOW + 3600_000));
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    assert.equal(signer.verify('1123456789abcdef01234567.png', p.expires, p.sig, NOW), 'bad_signature');
    assert.equal(signer.verify(ID.replace('.png', '.jpg'), p.expires, p.sig, NOW), 'bad_signature');
    assert.equal(signer.verify(p.id, String(Number(p.expires) + 1), p.sig, NOW), 'bad_signature');
    assert.equal(signer.verify(p.id, `0${p.expires}`, p.sig, NOW), 'bad_signature');
    assert.equal(signer.verify(p.id, `${p.expires}.0`, p.sig, NOW), 'bad_signature');
    assert.equal(signer.verify(p.id, p.expires, flip(p.sig ?? ''), NOW), 'bad_signature');
    assert.equal(signer.verify(p.id, p.expires, `${p.sig}=`, NOW), 'bad_signature');
    assert.equal(signer.verify(p.id, p.expires, '', NOW), 'bad_signature');
    assert.equal(signer.verify(p.id, undefined, p.sig, NOW), 'bad_signature');
    assert.equal(signer.verify(p.id, p.expires, undefined, NOW), 'bad_signature');
    assert.equal(new UrlSigner('another key').verify(p.id, p.expires, p.sig, NOW), 'bad_signature');
  });

  test('past expiry is expired; a tampered expired URL is still bad_signature', () => {
    const p = parts(signer.sign(ID, NOW));
    assert.equal(signer.verify(p.id, p.expires, p.sig, NOW - 1), 'ok');
    assert.equal(signer.verify(p.id, p.expires, p.sig, NOW), 'expired');
    assert.equal(signer.verify(p.id, p.expires, p.sig, NOW + 86400_000), 'expired');
    assert.equal(signer.verify(p.id, String(Number(p.expires) - 1), p.sig, NOW), 'bad_signature');
    const short = parts(signer.sign(ID, Date.now() - 1000));
    assert.equal(signer.verify(short.id, short.expires, short.sig), 'expired', 'now defaults to Date.now()');
  });

  test('string and Buffer keys agree; an empty key is refused', () => {
    const path = new UrlSigner('s3cret').sign(ID, NOW + 1000);
    assert.equal(path, new UrlSigner(Buffer.from('s3cret')).sign(ID, NOW + 1000));
    assert.throws(() => new UrlSigner(''), /must not be empty/);
    assert.throws(() => new UrlSigner(Buffer.alloc(0)), /must not be empty/);
  });

  test('a signed URL for a stored image gives back the very bytes that were stored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-signed-'));
    try {
      const store = createImageStore({ local: dir });
      const b64 = makePng(16, 16).toString('base64'); // what b64_json would have carried
      const stored = await store.put(Buffer.from(b64, 'base64'), 'image/png');
      const p = parts(signer.sign(stored.id, Date.now() + 60_000));
      assert.equal(signer.verify(p.id, p.expires, p.sig), 'ok');
      assert.equal((await store.get(p.id))?.data.toString('base64'), b64);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
