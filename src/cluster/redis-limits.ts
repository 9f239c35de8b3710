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

/** Reservations counted only locally while Redis was unreachable, at most this many kept. */
const BACKLOG_MAX = 100_000;

/**
 * The pool's limit windows shared on Redis: each window is a sorted set of requests (scored by
 * time) plus a running sum, changed only by atomic Lua scripts (src/cluster/scripts), so
 * instances never race on a read-modify-write. While Redis is unreachable every reservation
 * passes (the pool's local windows, scaled to this instance's share, keep the limits) and is
 * kept, so that it is added to the shared windows when Redis is back.
 */
export class RedisLimits implements LimitSync {
  readonly #redis: Redis & Scripts;
  readonly #prefix: string;
  readonly #reach: Reachability;
  readonly #onLearned: (account: string, model: string, dim: string, limit: number) => void;
  #backlog: Array<{ at: number; r: SharedReservation }> = [];

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

  async reserve(r: SharedReservation): Promise<number> {
    if (!this.#reach.degraded()) {
      try {
        const args: Array<string | number> = [r.id, r.dims.length];
        for (const d of r.dims) args.push(d.windowMs, d.limit, d.amount);
        const keys = this.#keys(r);
        keys.push(`${this.#prefix}cool:${r.account}:${r.model}`);
        return Number(await this.#redis.sluiceReserve(keys.length, ...keys, ...args));
      } catch (err) {
        this.#reach.failed(err);
      }
    }
    this.#backlog.push({ at: Date.now(), r });
    if (this.#backlog.length > BACKLOG_MAX) this.#backlog.splice(0, this.#backlog.length - BACKLOG_MAX);
    return 0;
  }

  settle(r: SharedReservation, update: { processingMs?: number; tokens?: number }): void {
    const args: Array<string | number> = [r.id, r.dims.length, update.processingMs ?? -1];
    for (const d of r.dims) {
      const next = d.dim === 'tpm' && update.tokens !== undefined ? update.tokens : d.amount;
      args.push(d.amount, next);
      d.amount = next;
    }
    if (this.#reach.degraded()) return; // the backlog holds the object: it adds the new amounts
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

  /** Adds the reservations counted while Redis was unreachable to the shared windows. */
  async backfill(): Promise<number> {
    const backlog = this.#backlog;
    this.#backlog = [];
    const byWindow = new Map<string, { windowMs: number; args: Array<string | number> }>();
    const now = Date.now();
    for (const { at, r } of backlog) {
      for (const d of r.dims) {
        if (at <= now - d.windowMs) continue;
        const key = this.#window(r, d.dim);
        let w = byWindow.get(key);
        if (!w) byWindow.set(key, (w = { windowMs: d.windowMs, args: [] }));
        w.args.push(at, `${r.id}|${d.amount}`);
      }
    }
    let added = 0;
    for (const [key, w] of byWindow) added += Number(await this.#redis.sluiceBackfill(2, key, `${key}:sum`, w.windowMs, ...w.args));
    return added;
  }
}
