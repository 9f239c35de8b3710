import { createHmac, timingSafeEqual } from 'node:crypto';

/** Path under which stored images are served. */
const FILES_PATH = '/v1/images/files/';

/** What {@link UrlSigner.verify} finds. */
export type SignatureCheck = 'ok' | 'expired' | 'bad_signature';

/**
 * HMAC-SHA256 signed, expiring URLs for stored images. The key comes from the caller (derived from
 * SLUICE_SECRET, or random per process when unset — then URLs die with the process). The signature
 * covers the id and the expiry, so neither can be changed.
 */
export class UrlSigner {
  readonly #key: Buffer;

  /** @param key the HMAC key; must not be empty. */
  constructor(key: Buffer | string) {
    this.#key = Buffer.isBuffer(key) ? Buffer.from(key) : Buffer.from(key, 'utf8');
    if (this.#key.length === 0) throw new Error('UrlSigner: the signing key must not be empty');
  }

  #mac(id: string, expires: string): string {
    return createHmac('sha256', this.#key).update(`sluice-image\n${id}\n${expires}`).digest('base64url');
  }

  /** Path + query for `id` valid until `expiresAt` (epoch ms): `/v1/images/files/<id>?expires=<epoch s>&sig=<base64url>` */
  sign(id: string, expiresAt: number): string {
    const expires = String(Math.floor(expiresAt / 1000));
    return `${FILES_PATH}${encodeURIComponent(id)}?expires=${expires}&sig=${this.#mac(id, expires)}`;
  }

  /** 'ok' | 'expired' | 'bad_signature' — constant-time comparison. The signature is checked before the expiry. */
  verify(id: string, expires: string | undefined, sig: string | undefined, now: number = Date.now()): SignatureCheck {
    if (expires === undefined || sig === undefined || !/^\d{1,12}$/.test(expires)) return 'bad_signature';
    const want = Buffer.from(this.#mac(id, expires), 'utf8');
    const got = Buffer.from(sig, 'utf8');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return 'bad_signature';
    return now >= Number(expires) * 1000 ? 'expired' : 'ok';
  }
}
