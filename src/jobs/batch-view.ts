import type { BatchRecord, JobCounts } from '../store/types.ts';

/** Ids of a batch's output and error files: built from its job rows when downloaded, never stored twice. */
export function outputFileId(batchId: string): string {
  return `file-${batchId}-output`;
}
export function errorFileId(batchId: string): string {
  return `file-${batchId}-errors`;
}

/** The batch id behind a virtual output/error file id, and which of the two it is. */
export function parseResultFileId(fileId: string): { batchId: string; kind: 'done' | 'failed' } | undefined {
  const m = /^file-(batch_[0-9a-f]+)-(output|errors)$/.exec(fileId);
  return m ? { batchId: m[1], kind: m[2] === 'output' ? 'done' : 'failed' } : undefined;
}

const FINAL = new Set(['completed', 'cancelled', 'failed', 'expired']);

/** A batch in OpenAI's shape (`object: "batch"`), with live `request_counts`. */
export function batchView(b: BatchRecord, counts: JobCounts) {
  const final = FINAL.has(b.status);
  return {
    id: b.id,
    object: 'batch',
    endpoint: b.endpoint,
    errors: b.errors ? { object: 'list', data: b.errors } : null,
    input_file_id: b.inputFileId,
    completion_window: b.completionWindow,
    status: b.status,
    output_file_id: final && counts.completed > 0 ? outputFileId(b.id) : null,
    error_file_id: final && counts.failed > 0 ? errorFileId(b.id) : null,
    created_at: b.createdAt,
    in_progress_at: b.inProgressAt,
    expires_at: b.expiresAt,
    finalizing_at: b.finalizingAt,
    completed_at: b.completedAt,
    failed_at: b.failedAt,
    expired_at: null,
    cancelling_at: b.cancellingAt,
    cancelled_at: b.cancelledAt,
    request_counts: { total: counts.total, completed: counts.completed, failed: counts.failed },
    metadata: b.metadata,
  };
}
