import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Prepared statements kept per database; usage inserts repeat the same multi-row SQL. */
const STATEMENT_CACHE_SIZE = 64;

/**
 * Binds a value the way SQLite stores it: booleans become 0/1 (SQLite has no boolean type, and
 * older `node:sqlite` builds refuse to bind them); everything else is passed through.
 */
function bindable(value: unknown): SQLInputValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === undefined) return null;
  return value as SQLInputValue;
}

function bindAll(params: ReadonlyArray<unknown>): SQLInputValue[] {
  return params.map(bindable);
}

/** Statements that return rows, for Node versions without `StatementSync.columns()` (before 22.16). */
const READS = /^\s*(select|with|pragma|values)\b|\breturning\b/i;

/** One `StatementSync` seen through the better-sqlite3 shape that Kysely's `SqliteDialect` calls. */
class NodeSqliteStatement implements SqliteStatement {
  readonly reader: boolean;
  readonly #stmt: StatementSync;

  constructor(stmt: StatementSync, sql: string) {
    this.#stmt = stmt;
    // A statement that yields columns (SELECT, PRAGMA, INSERT ... RETURNING) must be read with all().
    this.reader = typeof stmt.columns === 'function' ? stmt.columns().length > 0 : READS.test(sql);
  }

  all(params: ReadonlyArray<unknown>): unknown[] {
    return this.#stmt.all(...bindAll(params));
  }

  run(params: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    const { changes, lastInsertRowid } = this.#stmt.run(...bindAll(params));
    return { changes, lastInsertRowid };
  }

  iterate(params: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.#stmt.iterate(...bindAll(params));
  }
}

/**
 * Lets Kysely's `SqliteDialect` drive Node's built-in `node:sqlite` (`DatabaseSync`), so the
 * SQLite store needs no native npm module. Prepared statements are cached per database (small
 * LRU): SQLite compiles a statement on every `prepare`, and the ledger sends the same batch
 * INSERT over and over.
 *
 * Uses `StatementSync.columns()` (Node ≥ 22.16) to tell reading statements; older Node 22
 * releases fall back to looking at the SQL. (Node 22.5–22.12 also need --experimental-sqlite.)
 */
export class NodeSqliteAdapter implements SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #cache = new Map<string, NodeSqliteStatement>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  prepare(sql: string): SqliteStatement {
    const hit = this.#cache.get(sql);
    if (hit) {
      // Re-insert to mark it most recently used.
      this.#cache.delete(sql);
      this.#cache.set(sql, hit);
      return hit;
    }
    const stmt = new NodeSqliteStatement(this.#db.prepare(sql), sql);
    this.#cache.set(sql, stmt);
    if (this.#cache.size > STATEMENT_CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    return stmt;
  }

  close(): void {
    this.#cache.clear();
    if (this.#db.isOpen) this.#db.close();
  }
}
