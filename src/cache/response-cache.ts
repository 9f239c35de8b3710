import { decodeAnswer, encodeAnswer } from './codec.ts';
import { ByteLru } from './lru.ts';
import { RedisLevel } from './redis-level.ts';
import type { CachedAnswer, CacheStats, ResponseCacheOptions } from './types.ts';

/**
 * The response cache: an in-memory LRU by bytes (L1), Redis as a shared second level (L2) when
 * configured, and coalescing of identical requests in flight. An answer lives until
 * `storedAt + ttlMs(model)` on both levels; an L2 hit is copied into L1 with that same expiry.
 * L2 failures never surface to callers: they are counted (`l2Errors`) and reported through
 * `onError` once per outage (the first failure after L2 worked, or the first ever).
 */
export class ResponseCache {
  readonly #l1: ByteLru;
  readonly #l2: RedisLevel | undefined;
  readonly #ttlMs: (model: string) => number;
  readonly #now: () => number;
  readonly #onError: (err: unknown) => void;
  readonly #inflight = new Map<string, Promise<CachedAnswer | undefined>>();
  readonly #writes = new Set<Promise<void>>();
  readonly #n = { hits: 0, misses: 0, coalesced: 0, l2Hits: 0, l2Errors: 0 };
  #l2Healthy = true;
  #closed = false;

  constructor(opts: ResponseCacheOptions) {
    this.#l1 = new ByteLru(opts.maxBytes);
    this.#l2 = opts.redis ? new RedisLevel(opts.redis.url, opts.redis.prefix ?? 'sluice:cache:') : undefined;
    this.#ttlMs = opts.ttlMs;
    this.#now = opts.now ?? Date.now;
    this.#onError = opts.onError ?? (() => {});
  }

  /** L1, then L2 (an L2 hit is copied into L1). Expired entries are misses. Counts hits/misses. */
  async get(key: string): Promise<CachedAnswer | undefined> {
    const local = this.#l1.get(key, this.#now());
    if (local) {
      this.#n.hits++;
      return local;
    }
    const remote = await this.#l2Get(key);
    if (remote) {
      this.#n.hits++;
      this.#n.l2Hits++;
      return remote;
    }
    this.#n.misses++;
    return undefined;
  }

  /**
   * Stores in L1 (evicting least recently used entries beyond maxBytes; an entry larger than
   * maxBytes/4 is not kept in L1) and L2 (SET with PX = what is left of the TTL). An answer
   * already expired, or of a model whose TTL is 0 or less, is not stored. Never throws.
   */
  async set(key: string, answer: CachedAnswer): Promise<void> {
    const expiresAt = this.#expiresAt(answer);
    if (expiresAt === undefined) return;
    this.#l1.set(key, answer, expiresAt);
    await this.#l2Set(key, answer, expiresAt);
  }

  /**
   * Coalescing: if a producer for `key` is already running, waits for its result and returns
   * it as `shared` (counts `coalesced` when there is an answer: the count is of requests
   * answered without going upstream themselves, as `x-sluice-cache: coalesced` shows). Otherwise, if L1 holds a fresh answer (a producer
   * finished while this caller was looking in L2), returns it as `shared` too (counts
   * `coalesced`). Otherwise runs `produce` (the answer to cache, or undefined when it must not
   * be cached), stores it, and returns it. Waiters get the answer as soon as it is in L1;
   * waiters of a producer that throws or returns undefined get undefined and must go upstream
   * themselves. A producer's error is rethrown to its own caller only.
   */
  async coalesce(key: string, produce: () => Promise<CachedAnswer | undefined>): Promise<{ answer: CachedAnswer | undefined; shared: boolean }> {
    const running = this.#inflight.get(key);
    if (running) {
      const answer = await running;
      if (answer) this.#n.coalesced++;
      return { answer, shared: true };
    }
    const done = this.#l1.get(key, this.#now());
    if (done) {
      this.#n.coalesced++;
      return { answer: done, shared: true };
    }
    let resolve: (a: CachedAnswer | undefined) => void = () => {};
    this.#inflight.set(key, new Promise((r) => (resolve = r)));
    let answer: CachedAnswer | undefined;
    try {
      answer = await produce();
    } finally {
      const expiresAt = answer && this.#expiresAt(answer);
      if (answer && expiresAt !== undefined) this.#l1.set(key, answer, expiresAt);
      this.#inflight.delete(key);
      resolve(answer);
      if (answer && expiresAt !== undefined) await this.#l2Set(key, answer, expiresAt);
    }
    return { answer, shared: false };
  }

  /** The counters (see {@link CacheStats}). */
  stats(): CacheStats {
    return { ...this.#n, bytes: this.#l1.bytes, entries: this.#l1.entries, evictions: this.#l1.evictions };
  }

  /** Waits for L2 writes under way, then closes the Redis connection. L1 keeps working. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled(this.#writes);
    await this.#l2?.close();
  }

  #expiresAt(answer: CachedAnswer): number | undefined {
    let ttl: number;
    try {
      ttl = this.#ttlMs(answer.model);
    } catch (err) {
      this.#report(err);
      return undefined;
    }
    const expiresAt = answer.storedAt + ttl;
    return ttl > 0 && expiresAt > this.#now() ? expiresAt : undefined;
  }

  async #l2Get(key: string): Promise<CachedAnswer | undefined> {
    if (!this.#l2 || this.#closed) return undefined;
    try {
      const raw = await this.#l2.get(key);
      this.#l2Healthy = true;
      if (!raw) return undefined;
      const answer = decodeAnswer(raw);
      const expiresAt = this.#expiresAt(answer);
      if (expiresAt === undefined) return undefined;
      this.#l1.set(key, answer, expiresAt);
      return answer;
    } catch (err) {
      this.#l2Failed(err);
      return undefined;
    }
  }

  async #l2Set(key: string, answer: CachedAnswer, expiresAt: number): Promise<void> {
    if (!this.#l2 || this.#closed) return;
    const l2 = this.#l2;
    const write = l2.set(key, encodeAnswer(answer), expiresAt - this.#now()).then(
      () => {
        this.#l2Healthy = true;
      },
      (err: unknown) => this.#l2Failed(err),
    );
    this.#writes.add(write);
    await write;
    this.#writes.delete(write);
  }

  #l2Failed(err: unknown): void {
    this.#n.l2Errors++;
    if (!this.#l2Healthy) return;
    this.#l2Healthy = false;
    this.#report(err);
  }

  #report(err: unknown): void {
    try {
      this.#onError(err);
    } catch {
      // A failing reporter must not break the cache.
    }
  }
}
