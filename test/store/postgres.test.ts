import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/store/index.ts';
import { storeContract } from './contract.ts';
import { usageRows } from './usage-fixture.ts';

/** The test database; override with SLUICE_TEST_PG. */
const URL = process.env.SLUICE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Runs one statement on a fresh connection (schema set-up and clean-up, outside the store under test). */
async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Why PostgreSQL cannot be used, or undefined when it can. */
async function unreachable(): Promise<string | undefined> {
  try {
    await admin('select 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL at ${URL} is unreachable (${err instanceof Error ? err.message : String(err)}); start it with ../shared/services.sh`;
  }
}

/** A schema name unique to this run, so parallel runs and leftovers never collide. */
const uniqueSchema = (what: string): string => `sluice_test_${what}_${process.pid}_${randomBytes(4).toString('hex')}`;

const reason = await unreachable();
if (reason && process.env.CI) {
  test('PostgreSQL is reachable (required when CI is set)', () => assert.fail(reason));
} else if (reason) {
  console.log(`# skipping PostgreSQL store tests: ${reason}`);
  test('PostgreSQL store contract', { skip: reason }, () => {});
} else {
  const contractSchema = uniqueSchema('contract');
  storeContract(
    'postgres',
    () => openStore({ postgres: URL }, { schema: contractSchema }),
    () => admin(`drop schema if exists ${contractSchema} cascade`),
  );

  describe('postgres', () => {
    test('reopening a schema keeps the data and does not re-run migrations', async (t) => {
      const schema = uniqueSchema('reopen');
      t.after(() => admin(`drop schema if exists ${schema} cascade`));
      const first = await openStore({ postgres: URL }, { schema });
      assert.equal(first.kind, 'postgres');
      await first.usage.insertMany(usageRows().slice(0, 10));
      await first.close();
      await first.close(); // idempotent

      const second = await openStore({ postgres: URL }, { schema });
      assert.equal(await second.usage.count(), 10);
      await second.close();

      const client = new pg.Client({ connectionString: URL });
      await client.connect();
      const { rows } = await client.query(`select name from ${schema}.kysely_migration order by name`);
      await client.end();
      assert.deepEqual(
        rows.map((r) => r.name),
        ['0001-initial', '0002-batches', '0003-events', '0004-key-policy'],
      );
    });

    test('schemas are isolated from each other', async (t) => {
      const [a, b] = [uniqueSchema('iso_a'), uniqueSchema('iso_b')];
      t.after(() => admin(`drop schema if exists ${a} cascade; drop schema if exists ${b} cascade`));
      const sa = await openStore({ postgres: URL }, { schema: a });
      const sb = await openStore({ postgres: URL }, { schema: b });
      try {
        await sa.usage.insertMany(usageRows().slice(0, 3));
        assert.deepEqual([await sa.usage.count(), await sb.usage.count()], [3, 0]);
      } finally {
        await Promise.all([sa.close(), sb.close()]);
      }
    });

    test('a schema name that is not a plain identifier is refused', async () => {
      await assert.rejects(openStore({ postgres: URL }, { schema: 'x; drop table y' }), /invalid PostgreSQL schema name/);
    });
  });
}
