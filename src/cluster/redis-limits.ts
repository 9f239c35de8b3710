import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { LimitSync, SharedReservation } from '../pool/index.ts';

const script = (name: string): string => readFileSync(new URL(`./scripts/${name}.lua`, import.meta.url), 'utf8');

/** The Lua scripts, registered on the connection with ioredis' defineCommand (EVALSHA, EVAL on NOSCRIPT). */
interface Scripts {
  sluiceReserve(numKeys: number, ...keysAndArgs: Array<string | number>): Promise<number>;
  sluiceSettle(numKeys: number, ...keysAndArgs: Array<string | number>): Promise<number>;
  sluiceBackfill(numKeys: number, ...keysAndArgs: Array<string | number>): Promise<number>;
}

/** Whether the shared state can be used now, and where to report that it cannot. */
export interface Reachability {
  degraded(): boolean;
  failed(err: unknown): void;
}

/** Recent reservations kept to rebuild the shared windows, at most this many... */
const RECENT_MAX = 200_000;
/** ...and for windows up to this long (a day-long RPD window lost in a Redis restart is not rebuilt). */
const RECENT_WINDOW_MAX_MS = 15 * 60_000;

/**
 * The pool's limit windows shared on Redis: each window is a sorted set of requests (scored by
 * time) plus a running sum, changed only by atomic Lua scripts (src/cluster/scripts), so
 * instances never race on a read-modify-write. While Redis is unreachable every reservation
 * passes (the pool's local windows, scaled to this instance's share, keep the limits). Each
 * instance keeps its recent reservations, so that when Redis is back (or restarted empty) it
 * adds them again: the shared windows are rebuilt from what every instance really sent.
 */
export class RedisLimits implements LimitSync {
  readonly #redis: Redis & Scripts;
  readonly #prefix: string;
  readonly #reach: Reachability;
  readonly #onLearned: (account: string, model: string, dim: string, limit: number) => void;
  /** This instance's reservations still inside their windows, oldest first. */
  #recent: SharedReservation[] = [];
  #recentHead = 0;

  constructor(redis: Redis, prefix: string, reach: Reachability, onLearned: (account: string, model: string, dim: string, limit: number) => void) {
    redis.defineCommand('sluiceReserve', { lua: script('reserve') });
    redis.defineCommand('sluiceSettle', { lua: script('settle') });
    redis.defineCommand('sluiceBackfill', { lua: script('backfill') });
    this.#redis = redis as Redis & Scripts;
    this.#prefix = prefix;
    this.#reach = reach;
    this.#onLearned = onLearned;
  }

  #window(r: Pick<SharedReservation, 'account' | 'model'>, dim: string): string {
    return `${this.#prefix}w:${r.account}:${r.model}:${dim}`;
  }

  #keys(r: SharedReservation): string[] {
    const keys: string[] = [];
    for (const d of r.dims) {
      const w = this.#window(r, d.dim);
      keys.push(w, `${w}:sum`);
    }
    return keys;
  }

  async reserve(r: SharedReservation, rank: number): Promise<number> {
    const at = Date.now();
    let wait = 0;
    if (!this.#reach.degraded()) {
      try {
        // Urgency lasts past the next free slot by a little, so the waiting request gets it.
        const graceMs = Math.max(25, Math.ceil(r.dims.reduce((m, d) => Math.max(m, d.windowMs), 0) * 0.02));
        const args: Array<string | number> = [r.id, r.dims.length, rank, graceMs];
        for (const d of r.dims) args.push(d.windowMs, d.limit, d.amount);
        const keys = this.#keys(r);
        keys.push(`${this.#prefix}cool:${r.account}:${r.model}`, `${this.#prefix}urgent:${r.account}:${r.model}`);
        wait = Number(await this.#redis.sluiceReserve(keys.length, ...keys, ...args));
      } catch (err) {
        this.#reach.failed(err);
      }
    }
    if (wait === 0) {
      r.countedAt = at;
      this.#remember(r, at);
    }
    return wait;
  }

  #remember(r: SharedReservation, now: number): void {
    const recent = this.#recent;
    recent.push(r);
    // Forget what has left every window (amortised: compact when half the array is dead).
    while (this.#recentHead < recent.length) {
      const e = recent[this.#recentHead];
      const longest = e.dims.reduce((m, d) => Math.max(m, Math.min(d.windowMs, RECENT_WINDOW_MAX_MS)), 0);
      if ((e.countedAt ?? 0) > now - longest && recent.length - this.#recentHead <= RECENT_MAX) break;
      this.#recentHead++;
    }
    if (this.#recentHead > 1024 && this.#recentHead * 2 > recent.length) {
      this.#recent = recent.slice(this.#recentHead);
      this.#recentHead = 0;
    }
  }

  settle(r: SharedReservation, update: { processingMs?: number; tokens?: number }): void {
    if (update.processingMs !== undefined) r.countedAt = Math.max(r.countedAt ?? 0, Date.now() - update.processingMs);
    const args: Array<string | number> = [r.id, r.dims.length, update.processingMs ?? -1];
    for (const d of r.dims) {
      const next = d.dim === 'tpm' && update.tokens !== undefined ? update.tokens : d.amount;
      args.push(d.amount, next);
      d.amount = next;
    }
    if (this.#reach.degraded()) return; // the recent list holds the object: a rebuild adds the new amounts
    const keys = this.#keys(r);
    this.#redis.sluiceSettle(keys.length, ...keys, ...args).catch((err: unknown) => this.#reach.failed(err));
  }

  cool(account: string, model: string, ms: number): void {
    if (this.#reach.degraded() || !(ms > 0)) return;
    this.#redis.set(`${this.#prefix}cool:${account}:${model}`, '1', 'PX', Math.ceil(ms)).catch((err: unknown) => this.#reach.failed(err));
  }

  learned(account: string, model: string, dim: string, limit: number): void {
    this.#onLearned(account, model, dim, limit);
  }

  /**
   * Adds this instance's recent reservations to the shared windows again (each at most once:
   * members are unique): those counted while Redis was unreachable, and all of them when Redis
   * came back empty. Returns how many entries were missing and added.
   */
  async backfill(): Promise<number> {
    const byWindow = new Map<string, { windowMs: number; args: Array<string | number> }>();
    const now = Date.now();
    for (let i = this.#recentHead; i < this.#recent.length; i++) {
      const r = this.#recent[i];
      const at = r.countedAt ?? now;
      for (const d of r.dims) {
        if (at <= now - d.windowMs) continue;
        const key = this.#window(r, d.dim);
        let w = byWindow.get(key);
        if (!w) byWindow.set(key, (w = { windowMs: d.windowMs, args: [] }));
        w.args.push(at, `${r.id}|${d.amount}`);
      }
    }
    let added = 0;
    for (const [key, w] of byWindow) {
      // In slices, so one script never blocks Redis for long.
      for (let j = 0; j < w.args.length; j += 2000) added += Number(await this.#redis.sluiceBackfill(2, key, `${key}:sum`, w.windowMs, ...w.args.slice(j, j + 2000)));
    }
    return added;
  }
}
