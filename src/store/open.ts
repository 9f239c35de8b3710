import type { Kysely } from 'kysely';
import { SqlAccountStore } from './account-store.ts';
import { SqlBatchStore } from './batch-store.ts';
import type { StoreDb } from './db-schema.ts';
import { SqlEventStore } from './event-store.ts';
import { SqlFileStore } from './file-store.ts';
import { SqlKeyStore } from './key-store.ts';
import { migrateToLatest } from './migrate.ts';
import { openPostgresDb } from './postgres-db.ts';
import { openSqliteDb } from './sqlite-db.ts';
import type { Store } from './types.ts';
import { SqlUsageStore } from './usage-store.ts';

/** Where the store lives: the `store` entry of the config file. */
export type StoreConfig = { sqlite: string } | { postgres: string };

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /**
   * PostgreSQL only: keep every table in this schema (created if missing) by setting it as the
   * `search_path` of each pooled connection. Meant for tests, one schema per suite, dropped
   * afterwards. Lowercase letters, digits and `_`. Ignored for SQLite.
   */
  schema?: string;
  /** PostgreSQL only: told about errors of idle pooled connections (which are then replaced). */
  onError?: (err: Error) => void;
}

/**
 * Opens the durable store and applies pending migrations before returning, so callers always
 * see the latest schema. SQLite (`{ sqlite: path }`, or `":memory:"`) uses Node's built-in
 * `node:sqlite`; PostgreSQL (`{ postgres: url }`) a `pg` pool. Both share every query: only
 * the connection differs. Call `close()` to release the file or the pool.
 */
export async function openStore(cfg: StoreConfig, opts: OpenStoreOptions = {}): Promise<Store> {
  const kind = 'sqlite' in cfg ? 'sqlite' : 'postgres';
  const { db, schema } = 'sqlite' in cfg ? { db: openSqliteDb(cfg.sqlite), schema: undefined } : await openPostgresDb(cfg.postgres, opts.schema, opts.onError);
  try {
    await migrateToLatest(db as Kysely<unknown>, schema);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return createStore(kind, db);
}

function createStore(kind: Store['kind'], db: Kysely<StoreDb>): Store {
  let closing: Promise<void> | undefined;
  return {
    kind,
    keys: new SqlKeyStore(db),
    accounts: new SqlAccountStore(db),
    usage: new SqlUsageStore(db),
    files: new SqlFileStore(db),
    batches: new SqlBatchStore(db, kind),
    events: new SqlEventStore(db),
    // Idempotent: shutdown paths (signal handler and finally) may both call it.
    close: () => (closing ??= db.destroy()),
  };
}
