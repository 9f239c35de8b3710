import type { Kysely } from 'kysely';
import { batchPatchColumns, fromBatchColumns, newJobColumns, toBatchColumns } from './batch-rows.ts';
import type { StoreDb } from './db-schema.ts';
import { type JobQueue, SqlJobQueue } from './job-queue.ts';
import type { BatchPatch, BatchRecord, BatchStatus, BatchStore, JobCounts, JobRecord, Store } from './types.ts';

/** Jobs per INSERT: 500 × 8 columns stays far below both databases' parameter limits. */
const INSERT_CHUNK = 500;

/**
 * {@link BatchStore} over Kysely (SQLite and PostgreSQL alike): the batches themselves here,
 * their jobs' queue in {@link SqlJobQueue}, to which the queue methods delegate.
 */
export class SqlBatchStore implements BatchStore {
  readonly #db: Kysely<StoreDb>;
  readonly #queue: JobQueue;

  constructor(db: Kysely<StoreDb>, kind: Store['kind']) {
    this.#db = db;
    this.#queue = new SqlJobQueue(db, kind);
  }

  /**
   * All or nothing, in one transaction with multi-row INSERTs of {@link INSERT_CHUNK} jobs, so
   * that a runner never sees half a batch and 50,000 lines take 100 statements, not 50,000.
   * Jobs are queued and due at once; their `updatedAt` is the batch's creation time.
   */
  async create(batch: BatchRecord, jobs: ReadonlyArray<{ line: number; customId: string; body: string }>): Promise<void> {
    const now = batch.createdAt * 1000;
    await this.#db.transaction().execute(async (trx) => {
      await trx.insertInto('batches').values(toBatchColumns(batch)).execute();
      for (let i = 0; i < jobs.length; i += INSERT_CHUNK) {
        await trx
          .insertInto('batch_jobs')
          .values(jobs.slice(i, i + INSERT_CHUNK).map((j) => newJobColumns(batch.id, j, now)))
          .execute();
      }
    });
  }

  async get(id: string): Promise<BatchRecord | undefined> {
    const row = await this.#db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromBatchColumns(row);
  }

  /**
   * Newest first (ties by id, descending); all of them without `limit`. With `after`, the
   * batches that come after that one in this order; none if it is unknown or not the owner's
   * (a cursor never leaks, nor restarts the listing from the top).
   */
  async list(owner: string, opts: { after?: string; limit?: number } = {}): Promise<BatchRecord[]> {
    const cursor = opts.after === undefined ? undefined : await this.get(opts.after);
    if (opts.after !== undefined && cursor?.owner !== owner) return [];
    const rows = await this.#db
      .selectFrom('batches')
      .selectAll()
      .where('owner', '=', owner)
      .$if(cursor !== undefined, (qb) =>
        qb.where((eb) => eb.or([eb('created_at', '<', cursor!.createdAt), eb.and([eb('created_at', '=', cursor!.createdAt), eb('id', '<', cursor!.id)])])),
      )
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .$if(opts.limit !== undefined, (qb) => qb.limit(opts.limit!))
      .execute();
    return rows.map(fromBatchColumns);
  }

  /** @returns the updated batch, or undefined if there is none with that id. */
  async update(id: string, patch: BatchPatch): Promise<BatchRecord | undefined> {
    const cols = batchPatchColumns(patch);
    if (Object.keys(cols).length === 0) return this.get(id);
    const row = await this.#db.updateTable('batches').set(cols).where('id', '=', id).returningAll().executeTakeFirst();
    return row && fromBatchColumns(row);
  }

  /** Oldest first, the order the runner resumes them in. */
  async idsWithStatus(statuses: readonly BatchStatus[]): Promise<string[]> {
    if (statuses.length === 0) return [];
    const rows = await this.#db.selectFrom('batches').select('id').where('status', 'in', statuses).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  lease(owner: string, limit: number, leaseMs: number, now: number): Promise<JobRecord[]> {
    return this.#queue.lease(owner, limit, leaseMs, now);
  }

  renew(owner: string, jobs: ReadonlyArray<{ batchId: string; line: number }>, until: number): Promise<void> {
    return this.#queue.renew(owner, jobs, until);
  }

  finish(owner: string, batchId: string, line: number, state: 'done' | 'failed', result: string, now: number): Promise<boolean> {
    return this.#queue.finish(owner, batchId, line, state, result, now);
  }

  retryLater(owner: string, batchId: string, line: number, notBefore: number, lastError: string, now: number): Promise<boolean> {
    return this.#queue.retryLater(owner, batchId, line, notBefore, lastError, now);
  }

  releaseLeases(owner: string | null): Promise<number> {
    return this.#queue.releaseLeases(owner);
  }

  cancelQueued(batchId: string, now: number): Promise<number> {
    return this.#queue.cancelQueued(batchId, now);
  }

  counts(batchId: string): Promise<JobCounts> {
    return this.#queue.counts(batchId);
  }

  results(batchId: string, state: 'done' | 'failed'): Promise<JobRecord[]> {
    return this.#queue.results(batchId, state);
  }
}
