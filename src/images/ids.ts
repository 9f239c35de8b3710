import { randomBytes } from 'node:crypto';

/** Content types the stores keep, with the extension their ids end in. Anything else is stored as `.bin`. */
const EXTENSIONS: Readonly<Record<string, string>> = Object.freeze({
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
});

/** A valid id: exactly what {@link newImageId} makes, so no id can name a path or key outside the store. */
const ID_PATTERN = /^[0-9a-f]{24}\.(png|jpg|webp|gif|bin)$/;

/** A fresh random id (96 bits) whose extension records `contentType`. */
export function newImageId(contentType: string): { id: string; contentType: string } {
  const type = contentType.split(';')[0].trim().toLowerCase();
  const ext = EXTENSIONS[type];
  const hex = randomBytes(12).toString('hex');
  return ext ? { id: `${hex}.${ext}`, contentType: type } : { id: `${hex}.bin`, contentType: 'application/octet-stream' };
}

/** Whether `id` is a well-formed image id (never a path: no slash, no dot-dot). */
export function isImageId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** The content type recorded by a valid id's extension. */
export function contentTypeOfId(id: string): string {
  const ext = id.slice(id.lastIndexOf('.') + 1);
  const found = Object.entries(EXTENSIONS).find(([, e]) => e === ext);
  return found ? found[0] : 'application/octet-stream';
}
