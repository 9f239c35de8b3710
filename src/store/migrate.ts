import type { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { migrationProvider } from './migrations/index.ts';

/**
 * Brings the database up to the latest migration. Kysely's `Migrator` records applied
 * migrations in `kysely_migration` and runs them in one transaction under a lock (on
 * PostgreSQL an advisory lock), so restarting, or starting several instances at once, applies
 * each migration only once.
 *
 * `schema` (PostgreSQL) names where the bookkeeping tables live. It must be given there:
 * Kysely looks for `kysely_migration` in every schema it can see, so a copy in another schema
 * (another test run, another app) would otherwise be mistaken for ours.
 *
 * @returns the names of the migrations applied by this call (empty when already up to date).
 */
export async function migrateToLatest(db: Kysely<unknown>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`store: migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
