import type { Kysely } from 'kysely';
import type { StoreDb } from './db-schema.ts';
import type { EventQuery, EventStore, SluiceEventRow } from './types.ts';

/**
 * {@link EventStore} over Kysely (SQLite and PostgreSQL alike). Newest first is `time desc, id
 * desc`: the generated id keeps events of one millisecond in the order they were written.
 */
export class SqlEventStore implements EventStore {
  readonly #db: Kysely<StoreDb>;

  constructor(db: Kysely<StoreDb>) {
    this.#db = db;
  }

  async insert(e: SluiceEventRow): Promise<void> {
    await this.#db
      .insertInto('events')
      .values({ time: e.time, type: e.type, account: e.account, model: e.model, client: e.client, message: e.message })
      .execute();
  }

  async list(q: EventQuery): Promise<SluiceEventRow[]> {
    const rows = await this.#db
      .selectFrom('events')
      .select(['time', 'type', 'account', 'model', 'client', 'message'])
      .$if(q.type !== undefined, (qb) => qb.where('type', '=', q.type!))
      .$if(q.account !== undefined, (qb) => qb.where('account', '=', q.account!))
      .$if(q.client !== undefined, (qb) => qb.where('client', '=', q.client!))
      .$if(q.since !== undefined, (qb) => qb.where('time', '>=', q.since!))
      .orderBy('time', 'desc')
      .orderBy('id', 'desc')
      .limit(q.limit)
      .execute();
    return rows.map((r) => ({ ...r, time: Number(r.time) }));
  }

  async prune(olderThan: number): Promise<number> {
    const res = await this.#db.deleteFrom('events').where('time', '<', olderThan).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
