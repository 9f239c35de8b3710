/**
 * Migration 0001 — the initial schema.
 *
 * Creates:
 * - `client_keys`: one row per client key (SHA-256 of the secret, never the secret); `name` unique.
 * - `accounts`: upstream accounts keyed by `name`; settings as JSON text, the API key AES-GCM encrypted.
 * - `usage`: the usage ledger, one row per request; `time` in epoch ms, `cost_nano_usd` BIGINT
 *   so that sums stay exact integers.
 * - indexes `usage_time_idx` on usage(time) (reports over a period) and `usage_client_time_idx`
 *   on usage(client, time) (budget spend per client).
 *
 * Column types are the ones both databases understand: text, integer, bigint, double precision
 * and boolean (SQLite stores booleans as 0/1 integers).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('client_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('key_hash', 'text', (c) => c.notNull())
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('models', 'text', (c) => c.notNull())
    .addColumn('weight', 'double precision', (c) => c.notNull())
    .addColumn('rpm', 'bigint')
    .addColumn('tpm', 'bigint')
    .addColumn('ipm', 'bigint')
    .addColumn('daily_usd', 'double precision')
    .addColumn('monthly_usd', 'double precision')
    .addColumn('expires_at', 'text')
    .addColumn('enabled', 'boolean', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('accounts')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('api_key_encrypted', 'text', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('usage')
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('client', 'text', (c) => c.notNull())
    .addColumn('account', 'text')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('input_text_tokens', 'integer', (c) => c.notNull())
    .addColumn('output_text_tokens', 'integer', (c) => c.notNull())
    .addColumn('input_image_tokens', 'integer', (c) => c.notNull())
    .addColumn('output_image_tokens', 'integer', (c) => c.notNull())
    .addColumn('images', 'integer', (c) => c.notNull())
    .addColumn('cost_nano_usd', 'bigint', (c) => c.notNull())
    .addColumn('queue_ms', 'integer', (c) => c.notNull())
    .addColumn('upstream_ms', 'integer', (c) => c.notNull())
    .addColumn('cache_hit', 'boolean', (c) => c.notNull())
    .execute();

  await db.schema.createIndex('usage_time_idx').on('usage').column('time').execute();
  await db.schema.createIndex('usage_client_time_idx').on('usage').columns(['client', 'time']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('usage').execute();
  await db.schema.dropTable('accounts').execute();
  await db.schema.dropTable('client_keys').execute();
}
