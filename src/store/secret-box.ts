import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** Encrypts upstream API keys before they reach the store, and decrypts them when loading. */
export interface SecretBox {
  /** @returns a `v1:` token; a fresh random IV makes every call's output different. */
  encrypt(plain: string): string;
  /** @throws SecretBoxError when the token is malformed, altered, or made with another secret. */
  decrypt(token: string): string;
}

/** Why a secret could not be set up or opened. Messages never contain the secret or the plaintext. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

/** Shortest accepted master secret. */
export const MIN_SECRET_LENGTH = 16;
const VERSION = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Fixed, app-specific HKDF inputs: the same master secret used elsewhere yields an unrelated key.
const HKDF_SALT = 'sluice.secret-box.v1';
const HKDF_INFO = 'sluice upstream api keys / aes-256-gcm';

/**
 * Creates a box keyed by `masterSecret` (normally `SLUICE_SECRET`): AES-256-GCM, key derived
 * with HKDF-SHA256. Tokens are `v1:` + base64url(iv(12) | tag(16) | ciphertext): the version
 * prefix leaves room to change the scheme while still reading old tokens; GCM's tag makes any
 * change to a token, or a wrong secret, fail loudly instead of yielding a garbage key.
 */
export function createSecretBox(masterSecret: string): SecretBox {
  if (masterSecret.length < MIN_SECRET_LENGTH) {
    throw new SecretBoxError(`the master secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  const key = Buffer.from(hkdfSync('sha256', masterSecret, HKDF_SALT, HKDF_INFO, 32));
  return {
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return VERSION + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
    },
    decrypt(token) {
      if (!token.startsWith(VERSION)) throw new SecretBoxError('not a secret-box token (expected the "v1:" prefix)');
      const raw = Buffer.from(token.slice(VERSION.length), 'base64url');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('secret-box token is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('cannot decrypt secret: it was encrypted with a different SLUICE_SECRET, or the stored value was altered');
      }
    },
  };
}

/**
 * The master secret from the environment (`SLUICE_SECRET`). Read when called, never at module
 * load. Throws when it is missing or too short, with instructions; the caller decides whether
 * that is fatal (it is only needed once accounts are added at run time).
 */
export function masterSecretFrom(env: Readonly<Record<string, string | undefined>>): string {
  const secret = env.SLUICE_SECRET;
  if (!secret) {
    throw new SecretBoxError(
      'SLUICE_SECRET is not set: it encrypts upstream API keys stored by Sluice. Set it to a long random value ' +
        '(e.g. `export SLUICE_SECRET=$(openssl rand -base64 32)`) and keep it: keys stored with it cannot be read without it.',
    );
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new SecretBoxError(`SLUICE_SECRET is too short (${secret.length} characters): use at least ${MIN_SECRET_LENGTH}, e.g. \`openssl rand -base64 32\``);
  }
  return secret;
}
