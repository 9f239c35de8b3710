import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { CLIENT_KEY, startHarness } from '../helpers/harness.ts';

describe('image delivery as URLs', () => {
  test('response_format url: a signed URL that downloads the same image b64_json gives; tampering is refused', async () => {
    const h = await startHarness({ cache: { defaultOn: false } });
    try {
      const b64 = await h.client.images.generate({ model: 'gpt-image-1', prompt: 'a red shoe', quality: 'low' });
      const viaUrl = await h.client.images.generate({ model: 'gpt-image-1', prompt: 'a red shoe', quality: 'low', response_format: 'url' });
      const url = viaUrl.data?.[0].url ?? '';
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1\/images\/files\/[0-9a-f]+\.png\?expires=\d+&sig=/);
      assert.equal(viaUrl.data?.[0].b64_json, undefined);
      const res = await fetch(url); // no key needed: the signature is the credential
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/png');
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), Buffer.from(b64.data?.[0].b64_json ?? '', 'base64'));
      const tampered = url.replace(/expires=(\d+)/, (_m, e: string) => `expires=${Number(e) + 1}`);
      assert.equal((await fetch(tampered)).status, 403);
      assert.equal((await fetch(url.replace(/sig=[^&]+/, 'sig=AAAA'))).status, 403);
    } finally {
      await h.close();
    }
  });

  test('an expired signed URL is refused', async () => {
    const h = await startHarness({ images: { urlTtlSeconds: 1 } });
    try {
      const r = await h.client.images.generate({ model: 'gpt-image-1', prompt: 'expiring', response_format: 'url' });
      const url = r.data?.[0].url ?? '';
      assert.equal((await fetch(url)).status, 200);
      await sleep(2100);
      const late = await fetch(url);
      assert.equal(late.status, 403);
      assert.match(((await late.json()) as { error: { message: string } }).error.message, /expired/);
    } finally {
      await h.close();
    }
  });

  test('a client whose default is url gets URLs without asking; conversion to jpeg on request', async () => {
    const h = await startHarness({ clients: [{ name: 'tester', key: CLIENT_KEY, imageResponseFormat: 'url' }] });
    try {
      const r = await h.client.images.generate({ model: 'gpt-image-1', prompt: 'default url' });
      assert.ok(r.data?.[0].url);
      const jpeg = await h.client.images.generate({ model: 'gpt-image-1', prompt: 'as jpeg', response_format: 'b64_json', sluice_output_format: 'jpeg' } as never);
      const bytes = Buffer.from(jpeg.data?.[0].b64_json ?? '', 'base64');
      assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], 'JPEG magic bytes');
    } finally {
      await h.close();
    }
  });
});
