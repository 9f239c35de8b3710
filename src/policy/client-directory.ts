import { createHash } from 'node:crypto';
import type { Priority } from '../config/index.ts';
import type { ClientKeyRecord } from '../store/types.ts';
import { extrasOf } from './client-extras.ts';
import { ClientLimiter } from './client-limiter.ts';
import type { Guardrails } from './guardrails.ts';
import type { ImagePolicy } from './image-policy.ts';

/** Who is calling: what the rest of the request path may know about a client (never its key). */
export interface ClientIdentity {
  readonly id: string;
  readonly name: string;
  readonly priority: Priority;
  readonly weight: number;
  /** Allowed models; contains "*" when every model is allowed. */
  readonly models: ReadonlySet<string>;
  readonly budget: { readonly dailyUsd: number | null; readonly monthlyUsd: number | null };
  /** The client's own per-minute limits across the pool. */
  readonly limiter: ClientLimiter;
  readonly expiresAt: number | null;
  readonly enabled: boolean;
  /** Past this share of a budget, image quality is served one step lower. */
  readonly degradeImagesAbove: number | null;
  /** Response cache choice: true opted in, false opted out, null the config default. */
  readonly cache: boolean | null;
  readonly normalizePrompts: boolean;
  readonly imageResponseFormat: 'b64_json' | 'url';
  /** Account groups this client may use, in order; undefined: every group. */
  readonly groups: readonly string[] | undefined;
  /** Model -> models tried when it cannot be served before the deadline. */
  readonly fallbacks: Readonly<Record<string, readonly string[]>>;
  /** Prompt screening before anything is sent upstream. */
  readonly guardrails: Guardrails | undefined;
  /** Image quality and size ceilings and defaults. */
  readonly images: ImagePolicy | undefined;
}

/** A client's policy settings: from the config file, or from the key store's `policy` (keys made through the admin API). */
export interface ClientExtras {
  degradeImagesAbove?: number;
  cache?: boolean;
  normalizePrompts?: boolean;
  imageResponseFormat?: 'b64_json' | 'url';
  groups?: readonly string[];
  fallbacks?: Readonly<Record<string, readonly string[]>>;
  guardrails?: Guardrails;
  images?: ImagePolicy;
}

/** SHA-256 of a client key, hex. Keys are only ever held and compared in this form. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The client a key record describes. */
export function identityOf(r: ClientKeyRecord, timeScale = 1, extras: ClientExtras = {}): ClientIdentity {
  return {
    id: r.id,
    name: r.name,
    priority: r.priority,
    weight: r.weight,
    models: new Set(r.models),
    budget: { dailyUsd: r.dailyUsd, monthlyUsd: r.monthlyUsd },
    limiter: new ClientLimiter({ rpm: r.rpm, tpm: r.tpm, ipm: r.ipm }, timeScale),
    expiresAt: r.expiresAt ? Date.parse(r.expiresAt) : null,
    enabled: r.enabled,
    degradeImagesAbove: extras.degradeImagesAbove ?? null,
    cache: extras.cache ?? null,
    normalizePrompts: extras.normalizePrompts ?? false,
    imageResponseFormat: extras.imageResponseFormat ?? 'b64_json',
    groups: extras.groups,
    fallbacks: extras.fallbacks ?? {},
    guardrails: extras.guardrails,
    images: extras.images,
  };
}

/** Why a key was not accepted. */
export type AuthFailure = 'unknown' | 'disabled' | 'expired';

/**
 * The clients allowed to call Sluice, looked up by the hash of their key, so the directory
 * holds no usable secret. Loaded from the store at start and kept current by the admin API.
 */
export class ClientDirectory {
  readonly #byHash = new Map<string, ClientIdentity>();
  readonly #hashById = new Map<string, string>();
  readonly #timeScale: number;
  readonly #extras: ReadonlyMap<string, ClientExtras>;

  constructor(timeScale = 1, extras: ReadonlyMap<string, ClientExtras> = new Map()) {
    this.#timeScale = timeScale;
    this.#extras = extras;
  }

  /** Adds or replaces the client of `record`. */
  set(record: ClientKeyRecord): void {
    this.remove(record.id);
    // A config client's settings come from the config file; a key made through the admin API carries its own.
    const extras = this.#extras.get(record.name) ?? (record.policy ? extrasOf(record.policy, `keys[${record.name}].policy`) : undefined);
    this.#byHash.set(record.keyHash, identityOf(record, this.#timeScale, extras));
    this.#hashById.set(record.id, record.keyHash);
  }

  /** Makes the directory hold exactly `records` (another instance changed keys in the shared store). */
  replaceAll(records: readonly ClientKeyRecord[]): void {
    const keep = new Set(records.map((r) => r.id));
    for (const id of [...this.#hashById.keys()]) if (!keep.has(id)) this.remove(id);
    for (const r of records) this.set(r);
  }

  remove(id: string): void {
    const hash = this.#hashById.get(id);
    if (hash) this.#byHash.delete(hash);
    this.#hashById.delete(id);
  }

  /** The client holding `key`, or why not. */
  authenticate(key: string, now = Date.now()): ClientIdentity | AuthFailure {
    const c = this.#byHash.get(hashKey(key));
    if (!c) return 'unknown';
    if (!c.enabled) return 'disabled';
    if (c.expiresAt !== null && c.expiresAt <= now) return 'expired';
    return c;
  }

  /** The client named `name` (batch jobs run as their owner), whatever its key. */
  byName(name: string): ClientIdentity | undefined {
    for (const c of this.#byHash.values()) if (c.name === name) return c;
    return undefined;
  }

  /** Every client (for budgets seeding and reports). */
  list(): ClientIdentity[] {
    return [...this.#byHash.values()];
  }

  get size(): number {
    return this.#byHash.size;
  }
}

/** True when `client` may call `model`. */
export function mayUseModel(client: ClientIdentity, model: string): boolean {
  return client.models.has('*') || client.models.has(model);
}
