import { randomBytes } from 'node:crypto';
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { ClientPolicy, Priority } from '../config/index.ts';
import { GatewayError } from '../errors/index.ts';
import type { ClientKeysTable, StoreDb } from './db-schema.ts';
import type { ClientKeyPatch, ClientKeyRecord, KeyStore, NewClientKey } from './types.ts';

/** A new client key id: `key_` + 24 random hex digits (96 bits: unguessable, never reused). */
export function newKeyId(): string {
  return 'key_' + randomBytes(12).toString('hex');
}

function toRecord(r: Selectable<ClientKeysTable>): ClientKeyRecord {
  return {
    id: r.id,
    name: r.name,
    keyHash: r.key_hash,
    keyPrefix: r.key_prefix,
    priority: r.priority as Priority,
    models: JSON.parse(r.models) as string[],
    weight: Number(r.weight),
    rpm: r.rpm === null ? null : Number(r.rpm),
    tpm: r.tpm === null ? null : Number(r.tpm),
    ipm: r.ipm === null ? null : Number(r.ipm),
    dailyUsd: r.daily_usd === null ? null : Number(r.daily_usd),
    monthlyUsd: r.monthly_usd === null ? null : Number(r.monthly_usd),
    expiresAt: r.expires_at,
    enabled: Boolean(r.enabled),
    source: r.source as ClientKeyRecord['source'],
    createdAt: r.created_at,
    policy: r.policy ? (JSON.parse(r.policy) as ClientPolicy) : null,
  };
}

/** A policy as its column: JSON, or NULL for none (an empty policy is none). */
function policyColumn(p: ClientPolicy | null): string | null {
  return p && Object.keys(p).length > 0 ? JSON.stringify(p) : null;
}

/** The columns a patch changes; fields left `undefined` are not touched. */
function patchColumns(p: ClientKeyPatch): Updateable<ClientKeysTable> {
  const cols: Updateable<ClientKeysTable> = {
    priority: p.priority,
    models: p.models === undefined ? undefined : JSON.stringify(p.models),
    weight: p.weight,
    rpm: p.rpm,
    tpm: p.tpm,
    ipm: p.ipm,
    daily_usd: p.dailyUsd,
    monthly_usd: p.monthlyUsd,
    expires_at: p.expiresAt,
    enabled: p.enabled,
    policy: p.policy === undefined ? undefined : policyColumn(p.policy),
  };
  for (const k of Object.keys(cols) as (keyof typeof cols)[]) if (cols[k] === undefined) delete cols[k];
  return cols;
}

/** Every column of a new key except its identity (id, creation time). */
function valueColumns(rec: NewClientKey) {
  return {
    name: rec.name,
    key_hash: rec.keyHash,
    key_prefix: rec.keyPrefix,
    priority: rec.priority,
    models: JSON.stringify(rec.models),
    weight: rec.weight,
    rpm: rec.rpm,
    tpm: rec.tpm,
    ipm: rec.ipm,
    daily_usd: rec.dailyUsd,
    monthly_usd: rec.monthlyUsd,
    expires_at: rec.expiresAt,
    enabled: rec.enabled,
    source: rec.source,
    policy: policyColumn(rec.policy),
  } satisfies Omit<Insertable<ClientKeysTable>, 'id' | 'created_at'>;
}

/** {@link KeyStore} over Kysely: the same code serves SQLite and PostgreSQL. */
export class SqlKeyStore implements KeyStore {
  readonly #db: Kysely<StoreDb>;

  constructor(db: Kysely<StoreDb>) {
    this.#db = db;
  }

  /** @throws GatewayError `conflict` when a key with that name exists. */
  async create(rec: NewClientKey): Promise<ClientKeyRecord> {
    const row = await this.#db
      .insertInto('client_keys')
      .values({ ...valueColumns(rec), id: newKeyId(), created_at: new Date().toISOString() })
      .onConflict((oc) => oc.column('name').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new GatewayError('conflict', `A client key named "${rec.name}" already exists`, { param: 'name' });
    return toRecord(row);
  }

  /** Keeps `id` and `createdAt` of an existing key, so references and logs stay valid. */
  async upsertByName(rec: NewClientKey): Promise<ClientKeyRecord> {
    const cols = valueColumns(rec);
    const row = await this.#db
      .insertInto('client_keys')
      .values({ ...cols, id: newKeyId(), created_at: new Date().toISOString() })
      .onConflict((oc) => oc.column('name').doUpdateSet(cols))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  /** All keys, by name. */
  async list(): Promise<ClientKeyRecord[]> {
    const rows = await this.#db.selectFrom('client_keys').selectAll().orderBy('name').execute();
    return rows.map(toRecord);
  }

  async get(id: string): Promise<ClientKeyRecord | undefined> {
    const row = await this.#db.selectFrom('client_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  async getByName(name: string): Promise<ClientKeyRecord | undefined> {
    const row = await this.#db.selectFrom('client_keys').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toRecord(row);
  }

  /** @returns the updated key, or undefined if there is none with that id. */
  async update(id: string, patch: ClientKeyPatch): Promise<ClientKeyRecord | undefined> {
    const cols = patchColumns(patch);
    if (Object.keys(cols).length === 0) return this.get(id);
    const row = await this.#db.updateTable('client_keys').set(cols).where('id', '=', id).returningAll().executeTakeFirst();
    return row && toRecord(row);
  }

  async delete(id: string): Promise<boolean> {
    const res = await this.#db.deleteFrom('client_keys').where('id', '=', id).executeTakeFirst();
    return res.numDeletedRows > 0n;
  }
}
