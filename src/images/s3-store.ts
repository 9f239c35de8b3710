import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { contentTypeOfId, isImageId, newImageId } from './ids.ts';
import type { ImageStore, S3StoreConfig, StoredImage } from './types.ts';

/** S3 allows at most this many keys in one DeleteObjects call. */
const DELETE_BATCH = 1000;

function clientConfig(cfg: S3StoreConfig): S3ClientConfig {
  const out: S3ClientConfig = {
    region: cfg.region ?? 'us-east-1',
    endpoint: cfg.endpoint,
    forcePathStyle: cfg.forcePathStyle,
    // S3-compatible servers (MinIO, Ceph, R2, …) do not all accept the SDK's newer default checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (cfg.accessKeyId && cfg.secretAccessKey) out.credentials = { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey };
  return out;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/**
 * Images as objects under `prefix` in an S3-compatible bucket: PutObject, GetObject, and
 * ListObjectsV2 + DeleteObjects for the sweep (by LastModified). Only keys that are `prefix` plus a
 * generated id are ever read or deleted.
 */
export class S3ImageStore implements ImageStore {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  /** @param cfg the bucket and how to reach it; the client is created here and kept for the store's life. */
  constructor(cfg: S3StoreConfig) {
    this.#s3 = new S3Client(clientConfig(cfg));
    this.#bucket = cfg.bucket;
    const prefix = (cfg.prefix ?? '').replace(/^\/+/, '');
    this.#prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  }

  async put(data: Buffer, contentType: string): Promise<StoredImage> {
    const { id, contentType: type } = newImageId(contentType);
    await this.#s3.send(new PutObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + id, Body: data, ContentType: type, ContentLength: data.length }));
    return { id, contentType: type, bytes: data.length };
  }

  async get(id: string): Promise<{ data: Buffer; contentType: string } | undefined> {
    if (!isImageId(id)) return undefined;
    try {
      const res = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + id }));
      if (!res.Body) return undefined;
      return { data: Buffer.from(await res.Body.transformToByteArray()), contentType: contentTypeOfId(id) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async sweep(olderThanMs: number): Promise<number> {
    const old: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#s3.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        if (!o.Key || !o.LastModified || !isImageId(o.Key.slice(this.#prefix.length))) continue;
        if (o.LastModified.getTime() < olderThanMs) old.push(o.Key);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    let deleted = 0;
    for (let i = 0; i < old.length; i += DELETE_BATCH) {
      const keys = old.slice(i, i + DELETE_BATCH);
      const res = await this.#s3.send(
        new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
      );
      deleted += keys.length - (res.Errors?.length ?? 0);
    }
    return deleted;
  }
}
