import type { Insertable, Selectable, Updateable } from 'kysely';
import type { BatchesTable, BatchJobsTable } from './db-schema.ts';
import type { BatchPatch, BatchRecord, BatchStatus, JobRecord, JobState } from './types.ts';

/** A nullable BIGINT as a number (`pg` and `node:sqlite` both give numbers here, but stay safe). */
function num(v: number | null): number | null {
  return v === null ? null : Number(v);
}

/** JSON text of a nullable value: null stays SQL NULL rather than the text "null". */
function json(v: unknown): string | null {
  return v === null ? null : JSON.stringify(v);
}

/** A batch as written to the `batches` table. */
export function toBatchColumns(b: BatchRecord): Insertable<BatchesTable> {
  return {
    id: b.id,
    owner: b.owner,
    endpoint: b.endpoint,
    input_file_id: b.inputFileId,
    completion_window: b.completionWindow,
    status: b.status,
    errors: json(b.errors),
    metadata: json(b.metadata),
    created_at: b.createdAt,
    in_progress_at: b.inProgressAt,
    finalizing_at: b.finalizingAt,
    completed_at: b.completedAt,
    failed_at: b.failedAt,
    cancelling_at: b.cancellingAt,
    cancelled_at: b.cancelledAt,
    expires_at: b.expiresAt,
  };
}

export function fromBatchColumns(r: Selectable<BatchesTable>): BatchRecord {
  return {
    id: r.id,
    owner: r.owner,
    endpoint: r.endpoint,
    inputFileId: r.input_file_id,
    completionWindow: r.completion_window,
    status: r.status as BatchStatus,
    errors: r.errors === null ? null : (JSON.parse(r.errors) as BatchRecord['errors']),
    metadata: r.metadata === null ? null : (JSON.parse(r.metadata) as BatchRecord['metadata']),
    createdAt: Number(r.created_at),
    inProgressAt: num(r.in_progress_at),
    finalizingAt: num(r.finalizing_at),
    completedAt: num(r.completed_at),
    failedAt: num(r.failed_at),
    cancellingAt: num(r.cancelling_at),
    cancelledAt: num(r.cancelled_at),
    expiresAt: Number(r.expires_at),
  };
}

/** The columns a patch changes; fields left `undefined` are not touched. */
export function batchPatchColumns(p: BatchPatch): Updateable<BatchesTable> {
  const cols: Updateable<BatchesTable> = {
    status: p.status,
    errors: p.errors === undefined ? undefined : json(p.errors),
    in_progress_at: p.inProgressAt,
    finalizing_at: p.finalizingAt,
    completed_at: p.completedAt,
    failed_at: p.failedAt,
    cancelling_at: p.cancellingAt,
    cancelled_at: p.cancelledAt,
  };
  for (const k of Object.keys(cols) as (keyof typeof cols)[]) if (cols[k] === undefined) delete cols[k];
  return cols;
}

/** A new line of a batch: queued, never tried, due at once. */
export function newJobColumns(batchId: string, job: { line: number; customId: string; body: string }, now: number): Insertable<BatchJobsTable> {
  return { batch_id: batchId, line: job.line, custom_id: job.customId, body: job.body, state: 'queued', attempts: 0, not_before: 0, updated_at: now };
}

export function fromJobColumns(r: Selectable<BatchJobsTable>): JobRecord {
  return {
    batchId: r.batch_id,
    line: Number(r.line),
    customId: r.custom_id,
    body: r.body,
    state: r.state as JobState,
    attempts: Number(r.attempts),
    notBefore: Number(r.not_before),
    leaseOwner: r.lease_owner,
    leaseUntil: num(r.lease_until),
    result: r.result,
    lastError: r.last_error,
    updatedAt: Number(r.updated_at),
  };
}
