import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { convertImage, sniffContentType } from '../../src/images/index.ts';
import { makePng, pattern } from './png-fixture.ts';

const MAGIC = {
  png: (b: Buffer) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  jpeg: (b: Buffer) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  webp: (b: Buffer) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP',
};

async function dims(b: Buffer): Promise<[number | undefined, number | undefined]> {
  const m = await sharp(b).metadata();
  return [m.width, m.height];
}

describe('convertImage', () => {
  const png = makePng(16, 16);

  for (const format of ['jpeg', 'webp', 'png'] as const) {
    test(`png → ${format}: right magic bytes, content type and size`, async () => {
      const out = await convertImage(png, { format });
      assert.ok(MAGIC[format](out.data), `${format} magic`);
      assert.equal(out.contentType, `image/${format}`);
      assert.equal(sniffContentType(out.data), out.contentType);
      assert.deepEqual(await dims(out.data), [16, 16]);
    });
  }

  test('png → png keeps every pixel', async () => {
    const out = await convertImage(png, { format: 'png' });
    const raw = await sharp(out.data).ensureAlpha().raw().toBuffer();
    assert.deepEqual(raw, pattern(16, 16));
  });

  test('resizes to fit the box, keeping aspect, and keeps the format when none is asked', async () => {
    const wide = makePng(32, 16);
    const out = await convertImage(wide, { size: '8x8' });
    assert.equal(out.contentType, 'image/png');
    assert.deepEqual(await dims(out.data), [8, 4]);
    const jpeg = await convertImage(wide, { format: 'jpeg', size: '100x4', quality: 50 });
    assert.ok(MAGIC.jpeg(jpeg.data));
    assert.deepEqual(await dims(jpeg.data), [8, 4]);
    const webpIn = (await convertImage(wide, { format: 'webp' })).data;
    assert.equal((await convertImage(webpIn, { size: '16x16' })).contentType, 'image/webp');
  });

  test('never enlarges', async () => {
    assert.deepEqual(await dims((await convertImage(png, { size: '64x64' })).data), [16, 16]);
  });

  test('transparency becomes white in jpeg', async () => {
    const clear = await sharp({ create: { width: 4, height: 4, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const raw = await sharp((await convertImage(clear, { format: 'jpeg' })).data).raw().toBuffer();
    assert.ok(raw.every((v) => v > 245), 'white, not black');
  });

  test('clear errors for an unsupported format, a bad size or quality, and bytes that are no image', async () => {
    await assert.rejects(convertImage(png, { format: 'gif' as 'png' }), /Unsupported image format "gif"/);
    await assert.rejects(convertImage(png, { size: '0x10' }), /Invalid image size "0x10"/);
    await assert.rejects(convertImage(png, { size: '10' }), /Invalid image size/);
    await assert.rejects(convertImage(png, { format: 'jpeg', quality: 101 }), /Invalid image quality/);
    await assert.rejects(convertImage(Buffer.from('not an image'), { format: 'png' }), /Cannot convert image to png/);
  });
});

describe('sniffContentType', () => {
  test('png, jpeg, webp, gif by magic bytes; anything else is octet-stream', async () => {
    const png = makePng(2, 2);
    assert.equal(sniffContentType(png), 'image/png');
    assert.equal(sniffContentType((await convertImage(png, { format: 'jpeg' })).data), 'image/jpeg');
    assert.equal(sniffContentType((await convertImage(png, { format: 'webp' })).data), 'image/webp');
    assert.equal(sniffContentType(await sharp(png).gif().toBuffer()), 'image/gif');
    assert.equal(sniffContentType(Buffer.from('GIF87a....')), 'image/gif');
    for (const other of [Buffer.alloc(0), Buffer.from([0xff, 0xd8]), Buffer.from('RIFF\0\0\0\0WAVE'), Buffer.from('<svg/>'), png.subarray(0, 7)]) {
      assert.equal(sniffContentType(other), 'application/octet-stream');
    }
  });
});
