import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { StoreDb } from './db-schema.ts';

/** PostgreSQL's type oid for BIGINT (int8): `count(*)`, our epoch-ms times, nano-USD costs. */
const INT8_OID = 20;
/** A schema name we are willing to splice into `search_path` and DDL. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The Kysely handle plus the schema our tables (and Kysely's migration bookkeeping) live in. */
export interface PostgresHandle {
  db: Kysely<StoreDb>;
  schema: string;
}

/**
 * BIGINT comes back from `pg` as a string by default (it can exceed 2^53). Our BIGINTs are
 * epoch ms, counts and nano-USD sums, all far below 2^53 (9 million USD), so they are parsed as
 * numbers — in this pool only, not through the global `pg.types`, which other code may share.
 */
function storeTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, 'text', Number);
  return types;
}

/**
 * Opens a pool of connections to PostgreSQL. With `schema` (tests: one per suite), the schema
 * is created if missing and set as `search_path` on every pooled connection (as a startup
 * option, so no connection ever runs a query outside it). Without it, the connection's own
 * `current_schema()` is used (normally `public`).
 */
export async function openPostgresDb(url: string, schema?: string, onError?: (err: Error) => void): Promise<PostgresHandle> {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`store: invalid PostgreSQL schema name "${schema}" (use lowercase letters, digits and "_")`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    types: storeTypes(),
    connectionTimeoutMillis: 10_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle connection that drops emits 'error' on the pool; unhandled it would kill the
  // process. The pool replaces the connection; the next query reports any lasting problem.
  pool.on('error', (err) => onError?.(err));
  const db = new Kysely<StoreDb>({ dialect: new PostgresDialect({ pool }) });
  try {
    if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    const current = rows[0]?.schema;
    if (!current) throw new Error('store: PostgreSQL has no current schema (check search_path and that the schema exists)');
    return { db, schema: current };
  } catch (err) {
    await db.destroy();
    throw err;
  }
}
