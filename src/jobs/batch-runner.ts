import { randomBytes } from 'node:crypto';
import { GatewayError } from '../errors/index.ts';
import type { BatchRecord, BatchStore, JobRecord } from '../store/types.ts';
import type { ExecuteLine } from './execute.ts';

export interface BatchRunnerOptions {
  /** Lines in flight at once (each waits in the scheduler at low priority). */
  concurrency: number;
  /** How long a lease lasts without renewal; a dead runner's lines are taken over after it. */
  leaseMs: number;
  /** Attempts per line before it goes to the error file. */
  maxAttempts: number;
  /** How often to look for work when idle (new batches also wake the runner at once). */
  pollMs: number;
  /** Waits before retries 1, 2, 3, ... (the last repeats). */
  backoffMs: readonly number[];
  /** One process owns the store: leases left by a crash can be taken back at start at once. */
  singleProcess: boolean;
  onError?: (err: unknown) => void;
}

/** Failures worth another attempt later: capacity, upstream trouble. The rest are the line's own. */
const RETRYABLE = new Set([
  'rate_limit_exceeded',
  'client_rate_limit_exceeded',
  'no_account_available',
  'upstream_error',
  'upstream_auth_failed',
  'upstream_connection_error',
  'upstream_bad_response',
  'upstream_timeout',
  'internal_error',
]);

const key = (j: { batchId: string; line: number }): string => `${j.batchId}:${j.line}`;

/**
 * Works the durable job queue: leases lines, runs them through the scheduler at low priority,
 * records each result exactly once (a line's row is finished only by its lease holder), retries
 * with backoff, renews its leases while lines wait, and closes batches when their last line ends.
 * A crash loses nothing: unfinished lines are leased again (at once in single-process mode,
 * after the lease expires otherwise) and their results are written once.
 */
export class BatchRunner {
  readonly #store: BatchStore;
  readonly #execute: ExecuteLine;
  readonly #opts: BatchRunnerOptions;
  readonly #owner = `runner_${randomBytes(6).toString('hex')}`;
  readonly #inflight = new Map<string, { job: JobRecord; abort: AbortController }>();
  readonly #batches = new Map<string, BatchRecord>();
  readonly #closing = new Set<string>();
  #running = false;
  #loop: Promise<void> | undefined;
  #wakeUp: (() => void) | undefined;
  #renewTimer: NodeJS.Timeout | undefined;

  constructor(store: BatchStore, execute: ExecuteLine, opts: BatchRunnerOptions) {
    this.#store = store;
    this.#execute = execute;
    this.#opts = opts;
  }

  async start(): Promise<void> {
    if (this.#opts.singleProcess) await this.#store.releaseLeases(null);
    for (const id of await this.#store.idsWithStatus(['in_progress', 'cancelling'])) await this.#closeIfDone(id);
    this.#running = true;
    this.#renewTimer = setInterval(() => void this.#renew(), Math.max(50, this.#opts.leaseMs / 3));
    this.#loop = this.#run();
  }

  /** New work or a free slot: look for lines now. */
  wake(): void {
    this.#wakeUp?.();
  }

  /** Aborts the lines of `batchId` in flight (it is being cancelled). */
  cancel(batchId: string): void {
    for (const { job, abort } of this.#inflight.values()) if (job.batchId === batchId) abort.abort();
    this.#batches.delete(batchId);
    this.#maybeClose(batchId);
  }

  /** Stops taking lines, aborts those in flight and gives their leases back. */
  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#renewTimer);
    for (const { abort } of this.#inflight.values()) abort.abort();
    this.wake();
    await this.#loop;
    while (this.#inflight.size > 0) await new Promise((r) => setTimeout(r, 10));
    await this.#store.releaseLeases(this.#owner);
  }

  /** Lines in flight now. */
  get inFlight(): number {
    return this.#inflight.size;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const free = this.#opts.concurrency - this.#inflight.size;
      let leased = 0;
      if (free > 0) {
        try {
          const jobs = await this.#store.lease(this.#owner, Math.min(free, 200), this.#opts.leaseMs, Date.now());
          leased = jobs.length;
          for (const job of jobs) this.#spawn(job);
        } catch (err) {
          this.#opts.onError?.(err);
        }
      }
      if (leased === 0 || leased === free) await this.#sleep();
    }
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.#opts.pollMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wakeUp = done;
    });
  }

  #spawn(job: JobRecord): void {
    const abort = new AbortController();
    this.#inflight.set(key(job), { job, abort });
    void this.#work(job, abort.signal)
      .catch((err: unknown) => this.#opts.onError?.(err))
      .finally(() => {
        this.#inflight.delete(key(job));
        this.wake();
        this.#maybeClose(job.batchId);
      });
  }

  async #batch(id: string): Promise<BatchRecord | undefined> {
    let b = this.#batches.get(id);
    if (!b) {
      b = await this.#store.get(id);
      if (b) this.#batches.set(id, b);
    }
    return b;
  }

  async #work(job: JobRecord, signal: AbortSignal): Promise<void> {
    const batch = await this.#batch(job.batchId);
    if (!batch || batch.status !== 'in_progress') return this.#putBack(job);
    try {
      const answer = await this.#execute(batch.owner, batch.endpoint, JSON.parse(job.body) as Record<string, unknown>, signal);
      const result = { response: { status_code: answer.status, request_id: answer.requestId, body: answer.body }, error: null };
      await this.#store.finish(this.#owner, job.batchId, job.line, answer.status < 300 ? 'done' : 'failed', JSON.stringify(result), Date.now());
    } catch (err) {
      if (signal.aborted) return this.#putBack(job);
      await this.#failed(job, err);
    }
  }

  /** A line stopped before its end (cancel or shutdown): back to the queue; cancelled if its batch is. */
  async #putBack(job: JobRecord): Promise<void> {
    await this.#store.retryLater(this.#owner, job.batchId, job.line, Date.now(), 'interrupted', Date.now());
    const b = await this.#store.get(job.batchId);
    if (b && b.status !== 'in_progress') await this.#store.cancelQueued(job.batchId, Date.now());
  }

  async #failed(job: JobRecord, err: unknown): Promise<void> {
    const ge = err instanceof GatewayError ? err : new GatewayError('internal_error', 'The line failed unexpectedly.');
    if (!(err instanceof GatewayError)) this.#opts.onError?.(err);
    const now = Date.now();
    if (RETRYABLE.has(ge.code) && job.attempts < this.#opts.maxAttempts) {
      const wait = this.#opts.backoffMs[Math.min(job.attempts - 1, this.#opts.backoffMs.length - 1)];
      await this.#store.retryLater(this.#owner, job.batchId, job.line, now + wait, `${ge.code}: ${ge.message}`, now);
      return;
    }
    // Gave up (dead letter), or the line's own fault: to the error file with the last error.
    const result = RETRYABLE.has(ge.code)
      ? { response: null, error: { code: ge.code, message: `${ge.message} (after ${job.attempts} attempts)` } }
      : { response: { status_code: ge.status, request_id: null, body: ge.toBody() }, error: null };
    await this.#store.finish(this.#owner, job.batchId, job.line, 'failed', JSON.stringify(result), now);
  }

  async #renew(): Promise<void> {
    if (this.#inflight.size === 0) return;
    const jobs = [...this.#inflight.values()].map(({ job }) => ({ batchId: job.batchId, line: job.line }));
    await this.#store.renew(this.#owner, jobs, Date.now() + this.#opts.leaseMs).catch((err: unknown) => this.#opts.onError?.(err));
  }

  /**
   * Checks whether a batch is done only when this runner holds none of its lines any more, and
   * at most once per 100 ms per batch: counting a 50,000-line batch after every line would cost
   * more database time than the lines themselves.
   */
  #maybeClose(batchId: string): void {
    if (this.#closing.has(batchId)) return;
    for (const { job } of this.#inflight.values()) if (job.batchId === batchId) return;
    this.#closing.add(batchId);
    setTimeout(() => {
      this.#closing.delete(batchId);
      void this.#closeIfDone(batchId).catch((err: unknown) => this.#opts.onError?.(err));
    }, 100);
  }

  /** When no line of the batch is pending any more: in_progress → completed, cancelling → cancelled. */
  async #closeIfDone(batchId: string): Promise<void> {
    const counts = await this.#store.counts(batchId);
    if (counts.pending > 0) return;
    const b = await this.#store.get(batchId);
    const t = Math.floor(Date.now() / 1000);
    if (b?.status === 'in_progress') await this.#store.update(batchId, { status: 'completed', finalizingAt: t, completedAt: t });
    else if (b?.status === 'cancelling') await this.#store.update(batchId, { status: 'cancelled', cancelledAt: t });
    this.#batches.delete(batchId);
  }
}
