import { type ExpressionBuilder, type Kysely, type RawBuilder, sql } from 'kysely';
import type { StoreDb } from './db-schema.ts';
import type { UsageGroup, UsageGroupBy, UsageQuery, UsageRow, UsageStore } from './types.ts';
import { fromUsageColumns, toUsageColumns } from './usage-rows.ts';

/** Rows per INSERT statement: 500 × 17 columns stays far below both databases' parameter limits. */
const INSERT_CHUNK = 500;
const DAY_MS = 86_400_000;
/** `UsageGroup.key` for requests that reached no account (refused before routing). Account names cannot contain parentheses. */
export const NO_ACCOUNT_KEY = '(none)';

type NumericColumn = 'input_text_tokens' | 'output_text_tokens' | 'input_image_tokens' | 'output_image_tokens' | 'images' | 'cost_nano_usd';
type UsageEb = ExpressionBuilder<StoreDb, 'usage'>;

/**
 * `sum(col)` as an exact integer on both databases: 0 (not NULL) when no row matches, and cast
 * to BIGINT because PostgreSQL sums a BIGINT into NUMERIC, which `pg` would return as a string.
 */
function total(col: NumericColumn | RawBuilder<number>): RawBuilder<number> {
  const expr = typeof col === 'string' ? sql.ref(col) : col;
  return sql<number>`cast(coalesce(sum(${expr}), 0) as bigint)`;
}

/**
 * The grouping expression of a report. The day is `floor(time / 86400000)` — UTC days since the
 * epoch — integer division that both databases do alike, turned into `YYYY-MM-DD` in
 * {@link groupKey}, so no dialect-specific date function is needed. Literals, not parameters: PostgreSQL
 * matches the SELECT and GROUP BY expressions textually.
 */
function groupExpr(groupBy: UsageGroupBy): RawBuilder<unknown> {
  return groupBy === 'day' ? sql`${sql.ref('time')} / ${sql.lit(DAY_MS)}` : sql.ref(groupBy);
}

function groupKey(groupBy: UsageGroupBy, value: unknown): string {
  if (groupBy === 'day') return new Date(Number(value) * DAY_MS).toISOString().slice(0, 10);
  return value === null ? NO_ACCOUNT_KEY : String(value);
}

/** Time window (and client) filter shared by reports and row listings. */
function inWindow(q: UsageQuery) {
  return (eb: UsageEb) => eb.and([eb('time', '>=', q.from), eb('time', '<', q.to), ...(q.client === undefined ? [] : [eb('client', '=', q.client)])]);
}

function byCostThenKey(a: UsageGroup, b: UsageGroup): number {
  return b.costNanoUsd - a.costNanoUsd || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/**
 * {@link UsageStore} over Kysely (SQLite and PostgreSQL alike). Costs are integer nano-USD in a
 * BIGINT column, so sums are exact; times are epoch ms, indexed alone and with the client.
 */
export class SqlUsageStore implements UsageStore {
  readonly #db: Kysely<StoreDb>;

  constructor(db: Kysely<StoreDb>) {
    this.#db = db;
  }

  /** All rows or none: one transaction, multi-row INSERTs of {@link INSERT_CHUNK} rows. */
  async insertMany(rows: readonly UsageRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await trx
          .insertInto('usage')
          .values(rows.slice(i, i + INSERT_CHUNK).map(toUsageColumns))
          .execute();
      }
    });
  }

  async spendSince(client: string, since: number): Promise<number> {
    const row = await this.#db
      .selectFrom('usage')
      .select(total('cost_nano_usd').as('cost'))
      .where('client', '=', client)
      .where('time', '>=', since)
      .executeTakeFirstOrThrow();
    return Number(row.cost);
  }

  async spendByClientSince(since: number): Promise<Map<string, number>> {
    const rows = await this.#db
      .selectFrom('usage')
      .select(['client', total('cost_nano_usd').as('cost')])
      .where('time', '>=', since)
      .groupBy('client')
      .execute();
    return new Map(rows.map((r) => [r.client, Number(r.cost)]));
  }

  /** Groups sorted by cost, highest first (ties by key); by `day`, in date order. */
  async report(q: UsageQuery & { groupBy: UsageGroupBy }): Promise<UsageGroup[]> {
    const key = groupExpr(q.groupBy);
    const rows = await this.#db
      .selectFrom('usage')
      .select([
        key.as('key'),
        sql<number>`count(*)`.as('requests'),
        total(sql<number>`case when ${sql.ref('status')} >= 400 then 1 else 0 end`).as('errors'),
        total('input_text_tokens').as('input_text_tokens'),
        total('output_text_tokens').as('output_text_tokens'),
        total('input_image_tokens').as('input_image_tokens'),
        total('output_image_tokens').as('output_image_tokens'),
        total('images').as('images'),
        total('cost_nano_usd').as('cost_nano_usd'),
      ])
      .where(inWindow(q))
      .groupBy(key)
      .execute();
    const groups = rows.map(
      (r): UsageGroup => ({
        key: groupKey(q.groupBy, r.key),
        requests: Number(r.requests),
        errors: Number(r.errors),
        inputTextTokens: Number(r.input_text_tokens),
        outputTextTokens: Number(r.output_text_tokens),
        inputImageTokens: Number(r.input_image_tokens),
        outputImageTokens: Number(r.output_image_tokens),
        images: Number(r.images),
        costNanoUsd: Number(r.cost_nano_usd),
      }),
    );
    return groups.sort(q.groupBy === 'day' ? (a, b) => (a.key < b.key ? -1 : 1) : byCostThenKey);
  }

  /** Rows in the window, oldest first (ties by request id); at most `limit` if given. */
  async rows(q: UsageQuery & { limit?: number }): Promise<UsageRow[]> {
    const rows = await this.#db
      .selectFrom('usage')
      .selectAll()
      .where(inWindow(q))
      .orderBy('time')
      .orderBy('request_id')
      .$if(q.limit !== undefined, (qb) => qb.limit(q.limit!))
      .execute();
    return rows.map(fromUsageColumns);
  }

  async count(): Promise<number> {
    const row = await this.#db.selectFrom('usage').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
