/**
 * Image delivery: stores generated images (local folder or S3-compatible bucket), signs expiring
 * URLs for them, and converts between png, jpeg and webp. See docs/IMAGES.md.
 */
export { convertImage } from './convert.ts';
export { UrlSigner } from './signer.ts';
export { sniffContentType } from './sniff.ts';
export { createImageStore } from './store.ts';
export type { ImageStore, StoredImage } from './types.ts';
