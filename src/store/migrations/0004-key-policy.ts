import type { Kysely } from 'kysely';

/**
 * Keys made through the admin API may carry a policy (groups, fallbacks, guardrails, image
 * ceilings, ...), kept as JSON; NULL for config keys, whose policy is in the config file.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('client_keys').addColumn('policy', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('client_keys').dropColumn('policy').execute();
}
