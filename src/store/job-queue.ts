import { type Kysely, sql, type Updateable } from 'kysely';
import { fromJobColumns } from './batch-rows.ts';
import type { BatchJobsTable, StoreDb } from './db-schema.ts';
import { leaseJobs } from './job-lease.ts';
import { type BatchStore, JOB_STATES, type JobCounts, type JobRecord, type Store } from './types.ts';

/** Jobs per statement when renewing: 2 parameters each, far below both databases' limits. */
const RENEW_CHUNK = 500;

/** The queue half of {@link BatchStore}. */
export type JobQueue = Pick<BatchStore, 'lease' | 'renew' | 'finish' | 'retryLater' | 'releaseLeases' | 'cancelQueued' | 'counts' | 'results'>;

/**
 * The durable job queue behind batches, over Kysely for both databases. Every change to a
 * leased job is conditioned on `state = 'leased' AND lease_owner = owner`: a worker whose lease
 * expired and was taken over can no longer finish or requeue the job, so each line gets exactly
 * one result however workers crash, stall or race. Times are the caller's `now` (epoch ms), not
 * the database clock, so that every instance and every test agrees on what is due.
 */
export class SqlJobQueue implements JobQueue {
  readonly #db: Kysely<StoreDb>;
  readonly #lockRows: boolean;

  constructor(db: Kysely<StoreDb>, kind: Store['kind']) {
    this.#db = db;
    // The only difference between the dialects: PostgreSQL has concurrent writers to fend off.
    this.#lockRows = kind === 'postgres';
  }

  /** See {@link leaseJobs}: batch by batch, oldest first, each job leased atomically. */
  lease(owner: string, limit: number, leaseMs: number, now: number): Promise<JobRecord[]> {
    return leaseJobs(this.#db, { owner, limit, leaseMs, now }, this.#lockRows);
  }

  /** Jobs this owner no longer holds (finished, or taken over after expiry) are left alone. */
  async renew(owner: string, jobs: ReadonlyArray<{ batchId: string; line: number }>, until: number): Promise<void> {
    for (let i = 0; i < jobs.length; i += RENEW_CHUNK) {
      const chunk = jobs.slice(i, i + RENEW_CHUNK);
      await this.#db
        .updateTable('batch_jobs')
        .set({ lease_until: until })
        .where('state', '=', 'leased')
        .where('lease_owner', '=', owner)
        .where(({ eb, refTuple, tuple }) => eb(refTuple('batch_id', 'line'), 'in', chunk.map((j) => tuple(j.batchId, j.line))))
        .execute();
    }
  }

  /** The lease is cleared with the result: the job is no one's any more. */
  async finish(owner: string, batchId: string, line: number, state: 'done' | 'failed', result: string, now: number): Promise<boolean> {
    return this.#settleLeased(owner, batchId, line, { state, result, lease_owner: null, lease_until: null, updated_at: now });
  }

  /** `attempts` is kept: it counts leases, and the caller decides when to give up. */
  async retryLater(owner: string, batchId: string, line: number, notBefore: number, lastError: string, now: number): Promise<boolean> {
    return this.#settleLeased(owner, batchId, line, { state: 'queued', not_before: notBefore, last_error: lastError, lease_owner: null, lease_until: null, updated_at: now });
  }

  async #settleLeased(owner: string, batchId: string, line: number, cols: Updateable<BatchJobsTable>): Promise<boolean> {
    const res = await this.#db
      .updateTable('batch_jobs')
      .set(cols)
      .where('batch_id', '=', batchId)
      .where('line', '=', line)
      .where('state', '=', 'leased')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return res.numUpdatedRows > 0n;
  }

  /**
   * Released jobs are due at once and keep their `attempts` (the attempt was made, perhaps
   * upstream). Stamped with the wall clock, as there is no caller's `now` here.
   */
  async releaseLeases(owner: string | null): Promise<number> {
    const res = await this.#db
      .updateTable('batch_jobs')
      .set({ state: 'queued', lease_owner: null, lease_until: null, updated_at: Date.now() })
      .where('state', '=', 'leased')
      .$if(owner !== null, (qb) => qb.where('lease_owner', '=', owner!))
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** Leased jobs are left alone: their holders finish them, and their results count. */
  async cancelQueued(batchId: string, now: number): Promise<number> {
    const res = await this.#db
      .updateTable('batch_jobs')
      .set({ state: 'cancelled', updated_at: now })
      .where('batch_id', '=', batchId)
      .where('state', '=', 'queued')
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /**
   * One grouped query. `state IN (every state)` filters nothing, but lets both databases count
   * from the (state, batch_id, line) index alone instead of reading every row with its body.
   */
  async counts(batchId: string): Promise<JobCounts> {
    const rows = await this.#db
      .selectFrom('batch_jobs')
      .select(['state', sql<number>`count(*)`.as('n')])
      .where('state', 'in', JOB_STATES)
      .where('batch_id', '=', batchId)
      .groupBy('state')
      .execute();
    const by = new Map(rows.map((r) => [r.state, Number(r.n)]));
    const n = (state: string): number => by.get(state) ?? 0;
    const pending = n('queued') + n('leased');
    return { total: pending + n('done') + n('failed') + n('cancelled'), completed: n('done'), failed: n('failed'), pending, cancelled: n('cancelled') };
  }

  async results(batchId: string, state: 'done' | 'failed'): Promise<JobRecord[]> {
    const rows = await this.#db.selectFrom('batch_jobs').selectAll().where('batch_id', '=', batchId).where('state', '=', state).orderBy('line').execute();
    return rows.map(fromJobColumns);
  }
}
