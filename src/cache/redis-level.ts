import { Redis, type RedisOptions } from 'ioredis';

/** How long one Redis command may take before it counts as failed. */
const COMMAND_TIMEOUT_MS = 1000;
/** How long operations right after start wait for the first connection. */
const STARTUP_GRACE_MS = 1000;

/**
 * The shared second level: raw values in Redis under `prefix + key`. Commands fail fast while
 * Redis is unreachable (no offline queue, so nothing piles up in memory) and the client keeps
 * reconnecting in the background; only operations in the first second wait for the first
 * connection. Every method may throw: the caller counts and reports.
 */
export class RedisLevel {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #startup: Promise<void>;
  #lastError = 'not connected yet';

  constructor(url: string, prefix: string) {
    this.#prefix = prefix;
    // `disconnectTimeout` (a real ioredis option missing from its types, default 2000 ms) bounds
    // how long a closed client waits for its socket: a dead one would keep the process 2 s.
    const options: RedisOptions & { disconnectTimeout: number } = {
      enableOfflineQueue: false,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 2000,
      disconnectTimeout: 200,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 200, 5000),
    };
    this.#client = new Redis(url, options);
    // Connection errors repeat on every reconnect attempt: keep the last, for operation errors.
    this.#client.on('error', (err: Error) => {
      this.#lastError = err.message;
    });
    this.#startup = new Promise((resolve) => {
      const timer = setTimeout(resolve, STARTUP_GRACE_MS);
      timer.unref();
      this.#client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** The value under `key`, or null. */
  async get(key: string): Promise<Buffer | null> {
    await this.#usable();
    return this.#client.getBuffer(this.#prefix + key);
  }

  /** Stores `value` under `key` for `ttlMs` (SET PX). */
  async set(key: string, value: Buffer, ttlMs: number): Promise<void> {
    await this.#usable();
    await this.#client.set(this.#prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  /** Closes the connection (QUIT when connected, else stops reconnecting). */
  async close(): Promise<void> {
    try {
      if (this.#client.status === 'ready') await this.#client.quit();
    } catch {
      // Closing anyway.
    } finally {
      this.#client.disconnect();
    }
  }

  async #usable(): Promise<void> {
    if (this.#client.status !== 'ready') await this.#startup;
    if (this.#client.status !== 'ready') throw new Error(`Redis unavailable (${this.#client.status}): ${this.#lastError}`);
  }
}
