import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openStore, type Store } from '../../src/store/index.ts';

export const PG_URL = process.env.SLUICE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** True when PostgreSQL answers; in CI its absence is an error, not a skip. */
export async function postgresAvailable(): Promise<boolean> {
  const c = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    if (process.env.CI) throw new Error(`PostgreSQL is required in CI but ${PG_URL} does not answer`);
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

/** A store kind to run a test against: SQLite in memory always, PostgreSQL (own schema) when it runs. */
export interface StoreKind {
  name: 'sqlite' | 'postgres';
  /** Why it is skipped, if it is. */
  skip: string | false;
  open(): Promise<Store>;
  /** Drops what open() created. */
  cleanup(): Promise<void>;
}

export async function storeKinds(): Promise<StoreKind[]> {
  const pg = await postgresAvailable();
  const schemas: string[] = [];
  return [
    { name: 'sqlite', skip: false, open: () => openStore({ sqlite: ':memory:' }), cleanup: async () => {} },
    {
      name: 'postgres',
      skip: pg ? false : `PostgreSQL not reachable at ${PG_URL} (CI is not set, so skipping)`,
      open: () => {
        const schema = `t_${randomBytes(6).toString('hex')}`;
        schemas.push(schema);
        return openStore({ postgres: PG_URL }, { schema });
      },
      cleanup: async () => {
        const c = new Client({ connectionString: PG_URL });
        await c.connect();
        for (const s of schemas.splice(0)) await c.query(`drop schema if exists ${s} cascade`);
        await c.end();
      },
    },
  ];
}
