import { randomBytes } from 'node:crypto';
import { GatewayError } from '../errors/index.ts';
import type { BatchRecord, BatchStatus, JobCounts, Store } from '../store/types.ts';
import { batchView, parseResultFileId } from './batch-view.ts';
import { BATCH_ENDPOINTS, validateBatchInput } from './validate.ts';

/** Statuses of batches that have not ended. */
const ACTIVE: readonly BatchStatus[] = ['validating', 'in_progress', 'finalizing', 'cancelling'];

const nowSecs = (): number => Math.floor(Date.now() / 1000);

/** Creating, reading and cancelling batches; building their output and error files. */
export class BatchService {
  readonly #store: Store;
  readonly #wake: () => void;
  readonly #onCancel: (batchId: string) => void;

  /** `wake` tells the runner there is new work; `onCancel` lets it abort the batch's jobs in flight. */
  constructor(store: Store, wake: () => void, onCancel: (batchId: string) => void) {
    this.#store = store;
    this.#wake = wake;
    this.#onCancel = onCancel;
  }

  async #owned(owner: string, id: string): Promise<BatchRecord> {
    const b = await this.#store.batches.get(id);
    if (!b || b.owner !== owner) throw new GatewayError('not_found', `No batch found with id '${id}'.`, { param: 'batch_id' });
    return b;
  }

  async view(b: BatchRecord) {
    return batchView(b, await this.#store.batches.counts(b.id));
  }

  /** Every client's batches that have not ended, with their line counts (dashboard, metrics), oldest first. */
  async active(): Promise<Array<{ batch: BatchRecord; counts: JobCounts }>> {
    const ids = await this.#store.batches.idsWithStatus(ACTIVE);
    const out: Array<{ batch: BatchRecord; counts: JobCounts }> = [];
    for (const id of ids) {
      const batch = await this.#store.batches.get(id);
      if (batch && ACTIVE.includes(batch.status)) out.push({ batch, counts: await this.#store.batches.counts(id) });
    }
    return out.sort((a, b) => a.batch.createdAt - b.batch.createdAt);
  }

  /**
   * Validates the input file and queues one job per line, durably, in one transaction. An
   * invalid file gives a batch with status `failed` and per-line `errors`, as OpenAI does.
   */
  async create(owner: string, body: { input_file_id?: unknown; endpoint?: unknown; completion_window?: unknown; metadata?: unknown }) {
    const endpoint = String(body.endpoint ?? '');
    if (!BATCH_ENDPOINTS[endpoint]) {
      throw new GatewayError('invalid_value', `endpoint must be one of ${Object.keys(BATCH_ENDPOINTS).join(', ')}.`, { param: 'endpoint' });
    }
    if (body.completion_window !== undefined && body.completion_window !== '24h') {
      throw new GatewayError('invalid_value', "completion_window must be '24h'.", { param: 'completion_window' });
    }
    const fileId = String(body.input_file_id ?? '');
    const file = await this.#store.files.get(fileId);
    if (!file || file.owner !== owner) throw new GatewayError('not_found', `No file found with id '${fileId}'.`, { param: 'input_file_id' });
    const content = (await this.#store.files.content(fileId)) ?? Buffer.alloc(0);
    const { lines, errors } = validateBatchInput(content, endpoint);
    const t = nowSecs();
    const failed = errors.length > 0;
    const batch: BatchRecord = {
      id: `batch_${randomBytes(12).toString('hex')}`,
      owner,
      endpoint,
      inputFileId: fileId,
      completionWindow: '24h',
      status: failed ? 'failed' : 'in_progress',
      errors: failed ? errors : null,
      metadata: (body.metadata as Record<string, string> | null | undefined) ?? null,
      createdAt: t,
      inProgressAt: failed ? null : t,
      finalizingAt: null,
      completedAt: null,
      failedAt: failed ? t : null,
      cancellingAt: null,
      cancelledAt: null,
      expiresAt: t + 24 * 3600,
    };
    await this.#store.batches.create(batch, failed ? [] : lines);
    if (!failed) this.#wake();
    return this.view(batch);
  }

  async get(owner: string, id: string) {
    return this.view(await this.#owned(owner, id));
  }

  async list(owner: string, after?: string, limit = 20) {
    const rows = await this.#store.batches.list(owner, { after, limit: limit + 1 });
    const data = await Promise.all(rows.slice(0, limit).map((b) => this.view(b)));
    return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: rows.length > limit };
  }

  /** Stops new work at once (queued lines are cancelled, lines in flight aborted); keeps what finished. */
  async cancel(owner: string, id: string) {
    const b = await this.#owned(owner, id);
    if (b.status !== 'in_progress' && b.status !== 'validating') {
      if (b.status === 'cancelling' || b.status === 'cancelled') return this.view(b);
      throw new GatewayError('invalid_request', `Cannot cancel a batch with status '${b.status}'.`, { status: 409, param: 'batch_id' });
    }
    const updated = (await this.#store.batches.update(id, { status: 'cancelling', cancellingAt: nowSecs() })) ?? b;
    await this.#store.batches.cancelQueued(id, Date.now());
    this.#onCancel(id);
    this.#wake();
    return this.view(updated);
  }

  /** The JSONL of a finished batch's output (2xx lines) or error file, in line order. */
  async resultFile(owner: string, fileId: string): Promise<{ filename: string; content: Buffer } | undefined> {
    const ref = parseResultFileId(fileId);
    if (!ref) return undefined;
    await this.#owned(owner, ref.batchId);
    const jobs = await this.#store.batches.results(ref.batchId, ref.kind);
    const lines = jobs.map((j) => JSON.stringify({ id: `batch_req_${ref.batchId.slice(6)}_${j.line}`, custom_id: j.customId, ...JSON.parse(j.result ?? '{}') }));
    const filename = `${ref.batchId}_${ref.kind === 'done' ? 'output' : 'errors'}.jsonl`;
    return { filename, content: Buffer.from(lines.length ? `${lines.join('\n')}\n` : '', 'utf8') };
  }
}
