import type { Kysely, Selectable } from 'kysely';
import type { AccountsTable, StoreDb } from './db-schema.ts';
import type { AccountRecord, AccountStore } from './types.ts';

function toRecord(r: Selectable<AccountsTable>): AccountRecord {
  return {
    name: r.name,
    settings: JSON.parse(r.settings) as Record<string, unknown>,
    apiKeyEncrypted: r.api_key_encrypted,
    enabled: Boolean(r.enabled),
    source: r.source as AccountRecord['source'],
    createdAt: r.created_at,
  };
}

/**
 * {@link AccountStore} over Kysely (SQLite and PostgreSQL alike). Settings are kept as JSON
 * text so that new account options need no migration; the API key only ever arrives here
 * encrypted (see secret-box.ts).
 */
export class SqlAccountStore implements AccountStore {
  readonly #db: Kysely<StoreDb>;

  constructor(db: Kysely<StoreDb>) {
    this.#db = db;
  }

  /** All accounts, by name. */
  async list(): Promise<AccountRecord[]> {
    const rows = await this.#db.selectFrom('accounts').selectAll().orderBy('name').execute();
    return rows.map(toRecord);
  }

  async get(name: string): Promise<AccountRecord | undefined> {
    const row = await this.#db.selectFrom('accounts').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Inserts or replaces the account `rec.name`; an existing one keeps its `createdAt`. */
  async upsert(rec: Omit<AccountRecord, 'createdAt'>): Promise<AccountRecord> {
    const cols = {
      settings: JSON.stringify(rec.settings),
      api_key_encrypted: rec.apiKeyEncrypted,
      enabled: rec.enabled,
      source: rec.source,
    };
    const row = await this.#db
      .insertInto('accounts')
      .values({ ...cols, name: rec.name, created_at: new Date().toISOString() })
      .onConflict((oc) => oc.column('name').doUpdateSet(cols))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRecord(row);
  }

  /** @returns false if there is no such account. */
  async setEnabled(name: string, enabled: boolean): Promise<boolean> {
    const res = await this.#db.updateTable('accounts').set({ enabled }).where('name', '=', name).executeTakeFirst();
    return res.numUpdatedRows > 0n;
  }

  async delete(name: string): Promise<boolean> {
    const res = await this.#db.deleteFrom('accounts').where('name', '=', name).executeTakeFirst();
    return res.numDeletedRows > 0n;
  }
}
