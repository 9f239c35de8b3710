import type { UsageRow, UsageStore } from '../store/types.ts';

export interface LedgerOptions {
  /** Write at least this often. */
  flushEveryMs?: number;
  /** ...or as soon as this many rows wait. */
  batchSize?: number;
  /** Rows kept in memory while the store is failing; beyond this the oldest are dropped (and counted). */
  maxBuffered?: number;
  onError?: (err: unknown, rows: number) => void;
}

/**
 * The usage ledger's writer: rows are queued in memory on the request path (a push, nothing
 * more) and written in batches off it, one multi-row insert at a time. `close()` writes what
 * is left, so a graceful shutdown (SIGTERM) loses nothing.
 */
export class Ledger {
  readonly #store: UsageStore;
  readonly #opts: Required<Omit<LedgerOptions, 'onError'>> & Pick<LedgerOptions, 'onError'>;
  #buffer: UsageRow[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;
  /** Rows dropped because the store kept failing and the buffer was full. */
  dropped = 0;
  written = 0;

  constructor(store: UsageStore, opts: LedgerOptions = {}) {
    this.#store = store;
    this.#opts = { flushEveryMs: opts.flushEveryMs ?? 1000, batchSize: opts.batchSize ?? 500, maxBuffered: opts.maxBuffered ?? 200_000, onError: opts.onError };
  }

  /** Queues one row. Never blocks, never throws. */
  add(row: UsageRow): void {
    this.#buffer.push(row);
    if (this.#buffer.length > this.#opts.maxBuffered) {
      this.#buffer.shift();
      this.dropped++;
    }
    if (this.#buffer.length >= this.#opts.batchSize) void this.flush();
    else if (!this.#timer && !this.#closed) this.#timer = setTimeout(() => void this.flush(), this.#opts.flushEveryMs);
  }

  /** Writes everything queued so far (batches run one after another). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#buffer.length === 0) return this.#writing;
    const rows = this.#buffer;
    this.#buffer = [];
    this.#writing = this.#writing.then(() => this.#write(rows));
    return this.#writing;
  }

  async #write(rows: UsageRow[]): Promise<void> {
    try {
      await this.#store.insertMany(rows);
      this.written += rows.length;
    } catch (err) {
      this.#opts.onError?.(err, rows.length);
      // Keep them for the next flush, ahead of newer rows.
      this.#buffer = rows.concat(this.#buffer);
      if (!this.#closed && !this.#timer) this.#timer = setTimeout(() => void this.flush(), this.#opts.flushEveryMs);
    }
  }

  /** Rows waiting to be written. */
  get pending(): number {
    return this.#buffer.length;
  }

  /** Writes what is left; retries a failing store a few times before giving up. */
  async close(): Promise<void> {
    this.#closed = true;
    for (let i = 0; i < 5 && (this.#buffer.length > 0 || i === 0); i++) await this.flush();
    clearTimeout(this.#timer);
  }
}
