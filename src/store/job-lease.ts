import { type Kysely, type QueryCreator, sql } from 'kysely';
import { fromJobColumns } from './batch-rows.ts';
import type { StoreDb } from './db-schema.ts';
import type { JobRecord } from './types.ts';

const UNFINISHED = sql<boolean>`state in ('queued', 'leased')`;

/** What a lease asks for: who, how many, for how long (ms), at what time (epoch ms). */
export interface LeaseRequest {
  owner: string;
  limit: number;
  leaseMs: number;
  now: number;
}

/**
 * The lines of up to `limit` jobs of batch `batchId` that may be leased at `now`, in line order:
 * queued and due, or leased by a holder whose lease ran out — and none unless the batch is (still)
 * in progress. The redundant `state IN (...)` matches the partial index `batch_jobs_due_idx` on
 * (batch_id, line) of unfinished jobs: both databases then walk the batch in line order and stop
 * after `limit` hits, however many of its lines are done or still queued.
 */
function dueLines(qc: QueryCreator<StoreDb>, batchId: string, req: LeaseRequest) {
  return qc
    .selectFrom('batch_jobs')
    .select('line')
    .where('batch_id', '=', batchId)
    // Written as literals, not bound parameters: only then can SQLite's planner see that the
    // query implies the partial index's condition and use batch_jobs_due_idx.
    .where(UNFINISHED)
    .where((eb) =>
      eb.or([
        eb.and([eb('state', '=', 'queued'), eb('not_before', '<=', req.now)]),
        eb.and([eb('state', '=', 'leased'), eb('lease_until', '<', req.now)]),
      ]),
    )
    .where((eb) => eb.exists(eb.selectFrom('batches').select('id').where('id', '=', batchId).where('status', '=', 'in_progress')))
    .orderBy('line')
    .limit(req.limit);
}

/** An UPDATE leasing jobs of batch `batchId`: the caller says which lines. */
function leaseUpdate(qc: QueryCreator<StoreDb>, batchId: string, req: LeaseRequest) {
  return qc
    .updateTable('batch_jobs')
    .set((eb) => ({ state: 'leased', lease_owner: req.owner, lease_until: req.now + req.leaseMs, attempts: eb('attempts', '+', 1), updated_at: req.now }))
    .where('batch_id', '=', batchId)
    .returningAll();
}

/**
 * Leases up to `req.limit` due jobs of one batch. The only place where the dialects differ:
 * - PostgreSQL has concurrent writers: in a transaction, the due rows are locked FOR UPDATE SKIP
 *   LOCKED, so that concurrent leasers each pass over the others' picks instead of taking them or
 *   waiting for them, then leased by key. (A single `UPDATE ... WHERE line IN (SELECT ... FOR
 *   UPDATE SKIP LOCKED LIMIT n)` leaves PostgreSQL's planner free to re-run the subquery, or, with
 *   stale statistics, to scan the whole batch against it: 0.5 s for 50,000 lines.)
 * - SQLite has a single writer: one `UPDATE ... WHERE line IN (SELECT ... LIMIT n)` statement is
 *   atomic, and takes the write lock at once (a transaction reading first would have to upgrade
 *   its lock, which fails at once when another process wrote in between).
 */
async function leaseFromBatch(db: Kysely<StoreDb>, batchId: string, req: LeaseRequest, lockRows: boolean): Promise<JobRecord[]> {
  const rows = lockRows
    ? await db.transaction().execute(async (trx) => {
        const lines = (await dueLines(trx, batchId, req).forUpdate().skipLocked().execute()).map((r) => r.line);
        if (lines.length === 0) return [];
        // The redundant state and range make each index of batch_jobs a tight scan whatever
        // the planner estimates: with stale statistics it may otherwise scan the whole batch
        // against the list.
        return leaseUpdate(trx, batchId, req)
          .where('state', 'in', ['queued', 'leased'])
          .where('line', '>=', lines[0])
          .where('line', '<=', lines.at(-1)!)
          .where('line', 'in', lines)
          .execute();
      })
    : await leaseUpdate(db, batchId, req).where('line', 'in', dueLines(db, batchId, req)).execute();
  // An UPDATE returns its rows in no particular order.
  return rows.sort((a, b) => a.line - b.line).map(fromJobColumns);
}

/**
 * Leases jobs batch by batch, oldest batch first, until `req.limit` are leased. Per batch the due
 * lines come from an index in line order (see {@link dueLines}), where one query over every
 * batch would sort all their due jobs on each call (on PostgreSQL, 100+ ms with two batches of
 * 50,000 lines). Each job is leased atomically; the call as a whole needs no transaction, as a
 * job leased by someone else in between is simply not ours, and without one SQLite never has
 * to upgrade a read lock to a write lock (which fails at once when another process wrote).
 */
export async function leaseJobs(db: Kysely<StoreDb>, req: LeaseRequest, lockRows: boolean): Promise<JobRecord[]> {
  const leased: JobRecord[] = [];
  if (req.limit <= 0) return leased;
  const batches = await db.selectFrom('batches').select('id').where('status', '=', 'in_progress').orderBy('created_at').orderBy('id').execute();
  for (const { id } of batches) {
    if (leased.length >= req.limit) break;
    leased.push(...(await leaseFromBatch(db, id, { ...req, limit: req.limit - leased.length }, lockRows)));
  }
  return leased;
}
