/**
 * Migration 0002 — files and batches (the OpenAI Batch API) and the durable job queue behind them.
 *
 * Creates:
 * - `files`: uploaded files keyed by `id`, with their `content` in the same row, last (so that
 *   listing reads no content). Index `files_owner_created_idx` on (owner, created_at) for listing.
 * - `batches`: one row per batch; `errors` and `metadata` as JSON text; times in epoch seconds.
 *   Indexes `batches_owner_created_idx` on (owner, created_at) for listing and
 *   `batches_status_created_idx` on (status, created_at) for leasing and resuming.
 * - `batch_jobs`: one row per input line, primary key (batch_id, line), so that a line can only
 *   ever have one result. `not_before`, `lease_until`, `updated_at` in epoch ms (BIGINT).
 *   Indexes:
 *   - `batch_jobs_due_idx` on (batch_id, line) WHERE state IN ('queued', 'leased'), for leasing:
 *     only unfinished jobs, in line order, so that a lease reads about as many entries as it
 *     takes, however many lines of the batch are done (see job-lease.ts). Indexes on
 *     (state, not_before) and (state, lease_until) would find due jobs too, but every lease
 *     would then sort all of them to take the oldest.
 *   - `batch_jobs_state_batch_idx` on (state, batch_id, line), for counts (covering), results
 *     in line order and cancelling. State first: a (batch_id, ...) index would compete with the
 *     primary key for "batch_id = ? AND line ..." lookups, and PostgreSQL with stale statistics
 *     picks it and scans the whole batch.
 * - ids are declared NOT NULL explicitly: SQLite otherwise accepts NULL in a primary key that is
 *   not an INTEGER one.
 *
 * `content` is declared `bytea`: PostgreSQL's binary type. Kysely's `blob` is not mapped per
 * dialect (PostgreSQL has no type of that name), and SQLite accepts `bytea` as a name with
 * NUMERIC affinity, which stores a bound Uint8Array unchanged as a BLOB; so one declaration
 * serves both.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('files')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('files_owner_created_idx').on('files').columns(['owner', 'created_at']).execute();

  await db.schema
    .createTable('batches')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('input_file_id', 'text', (c) => c.notNull())
    .addColumn('completion_window', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('errors', 'text')
    .addColumn('metadata', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('in_progress_at', 'bigint')
    .addColumn('finalizing_at', 'bigint')
    .addColumn('completed_at', 'bigint')
    .addColumn('failed_at', 'bigint')
    .addColumn('cancelling_at', 'bigint')
    .addColumn('cancelled_at', 'bigint')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('batches_owner_created_idx').on('batches').columns(['owner', 'created_at']).execute();
  await db.schema.createIndex('batches_status_created_idx').on('batches').columns(['status', 'created_at']).execute();

  await db.schema
    .createTable('batch_jobs')
    .addColumn('batch_id', 'text', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('custom_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('not_before', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('result', 'text')
    .addColumn('last_error', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('batch_jobs_pk', ['batch_id', 'line'])
    .execute();
  await db.schema
    .createIndex('batch_jobs_due_idx')
    .on('batch_jobs')
    .columns(['batch_id', 'line'])
    .where(sql<boolean>`state in ('queued', 'leased')`)
    .execute();
  await db.schema.createIndex('batch_jobs_state_batch_idx').on('batch_jobs').columns(['state', 'batch_id', 'line']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('batch_jobs').execute();
  await db.schema.dropTable('batches').execute();
  await db.schema.dropTable('files').execute();
}
