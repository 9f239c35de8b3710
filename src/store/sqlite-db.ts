import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, SqliteDialect } from 'kysely';
import type { StoreDb } from './db-schema.ts';
import { NodeSqliteAdapter } from './node-sqlite-adapter.ts';

/** How long a writer waits for another process's lock before SQLITE_BUSY, in ms. */
const BUSY_TIMEOUT_MS = 5000;

/** True for names SQLite does not treat as a file path (in-memory and temporary databases). */
function isInMemory(file: string): boolean {
  return file === '' || file === ':memory:' || file.startsWith('file:');
}

/**
 * Opens (creating if missing, with its folder) a SQLite database file through Node's built-in
 * `node:sqlite`, tuned for a gateway: WAL so that readers (reports, the admin API) never block
 * the ledger's writes, `synchronous=NORMAL` (safe with WAL: a crash of the process loses
 * nothing, a power cut at most the last commits), and a busy timeout so that a second process
 * (the CLI next to a running server) waits instead of failing.
 */
export function openSqliteDb(file: string): Kysely<StoreDb> {
  if (!isInMemory(file)) mkdirSync(dirname(resolve(file)), { recursive: true });
  const raw = new DatabaseSync(file);
  try {
    raw.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    raw.exec('PRAGMA journal_mode = WAL');
    raw.exec('PRAGMA synchronous = NORMAL');
  } catch (err) {
    raw.close();
    throw err;
  }
  return new Kysely<StoreDb>({ dialect: new SqliteDialect({ database: new NodeSqliteAdapter(raw) }) });
}
