/**
 * Migration 0003 — the event log (account disabled, circuit opened, budget threshold, ...).
 *
 * Creates:
 * - `events`: one row per event, so that events survive restarts and every instance sharing a
 *   PostgreSQL store sees the others'. `id` is generated (SQLite: INTEGER PRIMARY KEY
 *   AUTOINCREMENT; PostgreSQL: BIGSERIAL) and breaks ties between events of the same
 *   millisecond; `time` in epoch ms (BIGINT); `account`, `model`, `client` NULL when the event
 *   is not about one; `message` is Sluice's own text and never holds a secret.
 * - index `events_time_idx` on events(time): listing newest first, `since` and pruning by age.
 *
 * The id column is the one declaration that differs between the databases: neither accepts
 * the other's way of generating keys. Which database it is, is read from the dialect's adapter
 * (the same Kysely handle runs both, see open.ts).
 */
import { type Kysely, PostgresAdapter } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('events')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('account', 'text')
    .addColumn('model', 'text')
    .addColumn('client', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_time_idx').on('events').column('time').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('events').execute();
}
