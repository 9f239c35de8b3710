/** One image kept by an {@link ImageStore}. */
export interface StoredImage {
  /** Random 24 hex digits plus an extension from the content type, e.g. `3f…a1.png`. */
  id: string;
  contentType: string;
  bytes: number;
}

/** Where images delivered as URLs are kept: a local folder or an S3-compatible bucket. */
export interface ImageStore {
  /** Stores `data` under a new random id; `contentType` decides the id's extension. */
  put(data: Buffer, contentType: string): Promise<StoredImage>;
  /** The image stored under `id`, or undefined when there is none or `id` is not a valid id. */
  get(id: string): Promise<{ data: Buffer; contentType: string } | undefined>;
  /** Deletes images older than `olderThanMs` epoch ms; returns how many. */
  sweep(olderThanMs: number): Promise<number>;
}

/** An S3-compatible bucket; credentials default to the AWS SDK's usual chain (environment, profile, role). */
export interface S3StoreConfig {
  bucket: string;
  /** e.g. `http://127.0.0.1:9000` for MinIO; default: AWS S3 for `region`. */
  endpoint?: string;
  /** Default `us-east-1`. */
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Key prefix, e.g. `sluice/images/` (a trailing slash is added when missing). */
  prefix?: string;
  /** Path-style URLs (`endpoint/bucket/key`), which most S3-compatible servers need. */
  forcePathStyle?: boolean;
}

/** The `images.store` configuration: a local folder or an S3-compatible bucket. */
export type ImageStoreConfig = { local: string } | { s3: S3StoreConfig };
