import type { BatchRecord, FileRecord, Store } from '../../src/store/index.ts';

/** A base time (epoch ms) for the queue tests; leases and backoffs are offsets from it. */
export const T = 1_750_000_000_000;

/** A batch of `owner` created at `createdAt` (epoch s), in progress unless told otherwise. */
export function batchRecord(id: string, over: Partial<BatchRecord> = {}): BatchRecord {
  const createdAt = over.createdAt ?? 1_750_000_000;
  return {
    id,
    owner: 'alice',
    endpoint: '/v1/chat/completions',
    inputFileId: 'file-' + 'a'.repeat(24),
    completionWindow: '24h',
    status: 'in_progress',
    errors: null,
    metadata: null,
    createdAt,
    inProgressAt: createdAt + 1,
    finalizingAt: null,
    completedAt: null,
    failedAt: null,
    cancellingAt: null,
    cancelledAt: null,
    expiresAt: createdAt + 86_400,
    ...over,
  };
}

/** `n` input lines numbered from 1, each with a distinct custom id and body. */
export function jobLines(n: number): Array<{ line: number; customId: string; body: string }> {
  return Array.from({ length: n }, (_, i) => ({
    line: i + 1,
    customId: `req-${i + 1}`,
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `line ${i + 1} ✓` }] }),
  }));
}

export function fileRecord(id: string, over: Partial<FileRecord> = {}): FileRecord {
  return { id, owner: 'alice', purpose: 'batch', filename: 'input.jsonl', bytes: 0, createdAt: 1_750_000_000, ...over };
}

/**
 * Takes every in_progress batch out of the queue (marks it completed), so that the next queue
 * test leases only from the batches it creates: the contract suite shares one store.
 */
export async function quiesce(store: Store): Promise<void> {
  for (const id of await store.batches.idsWithStatus(['in_progress'])) await store.batches.update(id, { status: 'completed' });
}

/** `batchId:line` of each job, to compare sets of jobs. */
export const keysOf = (jobs: ReadonlyArray<{ batchId: string; line: number }>): string[] => jobs.map((j) => `${j.batchId}:${j.line}`);

/** A result line as the runner would write it, tagged with who wrote it. */
export const okResult = (by: string): string => JSON.stringify({ response: { status_code: 200, request_id: by, body: {} }, error: null });
