import { LocalImageStore } from './local-store.ts';
import { S3ImageStore } from './s3-store.ts';
import type { ImageStore, ImageStoreConfig } from './types.ts';

/** The image store for the `images.store` configuration: `{ local: folder }` or `{ s3: {...} }`. */
export function createImageStore(cfg: ImageStoreConfig): ImageStore {
  return 'local' in cfg ? new LocalImageStore(cfg.local) : new S3ImageStore(cfg.s3);
}
