import type { CachedAnswer } from './types.ts';

/** Marks (and versions) a cached answer in Redis. */
const MAGIC = Buffer.from('SLC1');

/**
 * An answer as one Redis value: `SLC1`, a big-endian uint32 length, that many bytes of JSON
 * `{status, contentType, storedAt, model}`, then the body as is (no base64).
 */
export function encodeAnswer(a: CachedAnswer): Buffer {
  const head = Buffer.from(JSON.stringify({ status: a.status, contentType: a.contentType, storedAt: a.storedAt, model: a.model }));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(head.length);
  return Buffer.concat([MAGIC, len, head, a.body]);
}

/** Reads what {@link encodeAnswer} wrote; throws on anything else. */
export function decodeAnswer(buf: Buffer): CachedAnswer {
  if (buf.length < 8 || !buf.subarray(0, 4).equals(MAGIC)) throw new Error('not a Sluice cache entry');
  const len = buf.readUInt32BE(4);
  if (8 + len > buf.length) throw new Error('truncated Sluice cache entry');
  const h = JSON.parse(buf.subarray(8, 8 + len).toString('utf8')) as Record<string, unknown>;
  if (typeof h.status !== 'number' || typeof h.contentType !== 'string' || typeof h.storedAt !== 'number' || typeof h.model !== 'string') {
    throw new Error('malformed Sluice cache entry header');
  }
  return { status: h.status, contentType: h.contentType, storedAt: h.storedAt, model: h.model, body: buf.subarray(8 + len) };
}
