import { createHash } from 'node:crypto';
import type { ClientConfig, Priority } from '../config/index.ts';

/** Who is calling: what the rest of the request path may know about a client (never its key). */
export interface ClientIdentity {
  readonly name: string;
  readonly priority: Priority;
  readonly weight: number;
  /** Allowed models; contains "*" when every model is allowed. */
  readonly models: ReadonlySet<string>;
}

/** SHA-256 of a client key, hex. Keys are only ever held and compared in this form. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * The clients allowed to call Sluice, looked up by the hash of their key, so the directory
 * holds no usable secret and lookups take the same time whatever the key.
 */
export class ClientDirectory {
  readonly #byHash = new Map<string, ClientIdentity>();

  constructor(clients: readonly ClientConfig[]) {
    for (const c of clients) {
      this.#byHash.set(hashKey(c.key), { name: c.name, priority: c.priority, weight: c.weight, models: new Set(c.models) });
    }
  }

  /** The client holding `key`, or undefined. */
  authenticate(key: string): ClientIdentity | undefined {
    return this.#byHash.get(hashKey(key));
  }

  get size(): number {
    return this.#byHash.size;
  }
}

/** True when `client` may call `model`. */
export function mayUseModel(client: ClientIdentity, model: string): boolean {
  return client.models.has('*') || client.models.has(model);
}
