import type { Migration, MigrationProvider } from 'kysely/migration';
import * as m0001 from './0001-initial.ts';
import * as m0002 from './0002-batches.ts';
import * as m0003 from './0003-events.ts';
import * as m0004 from './0004-key-policy.ts';

/**
 * Every migration, by name, in the order they apply. Imported statically (not read from the
 * folder at run time) so that they are type-checked and bundled like any other module.
 * Add new ones at the end, named `NNNN-what`; never edit or rename one that has shipped.
 */
const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-initial': m0001,
  '0002-batches': m0002,
  '0003-events': m0003,
  '0004-key-policy': m0004,
});

/** The provider Kysely's `Migrator` reads migrations from. */
export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
