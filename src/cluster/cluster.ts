import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis';
import type { EventLog, SluiceEvent } from '../events/index.ts';
import type { AccountPool } from '../pool/index.ts';
import { RedisLimits } from './redis-limits.ts';

/** A change one instance made that the others must apply (published on the bus). */
export type BusMessage =
  | { kind: 'account'; name: string; enabled: boolean; reason: string | null }
  | { kind: 'account_added' | 'account_removed'; name: string }
  | { kind: 'circuit'; name: string; open: boolean; restMs: number }
  | { kind: 'learned'; account: string; model: string; dim: string; limit: number }
  | { kind: 'keys' };

/** What remote changes are applied to, beyond the pool (they need the store). */
export interface ClusterTarget {
  pool: AccountPool;
  events: EventLog;
  /** Load the account `name` from the shared store into the pool (another instance added it). */
  accountAdded(name: string): Promise<void>;
  /** Reload client keys from the shared store. */
  keysChanged(): Promise<void>;
}

export interface ClusterOptions {
  url: string;
  prefix: string;
  heartbeatMs: number;
  commandTimeoutMs: number;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/** Events whose change the other instances must apply. */
const SHARED_EVENTS = new Set(['account_disabled', 'account_enabled', 'account_added', 'account_removed', 'circuit_opened', 'circuit_closed']);

/**
 * Makes several Sluice instances act as one pool through Redis: limit windows and cooldowns in
 * atomic scripts ({@link RedisLimits}), account states and learned limits in hashes (read by
 * instances that start later), and every change published on one channel so the others apply
 * it at once. A heartbeat counts the live instances; when Redis is unreachable this instance
 * keeps serving on `1/instances` of each limit, logs it, and re-syncs when Redis is back.
 */
export class Cluster {
  readonly id = randomBytes(6).toString('hex');
  readonly limits: RedisLimits;
  readonly #opts: ClusterOptions;
  readonly #target: ClusterTarget;
  readonly #redis: Redis;
  readonly #sub: Redis;
  readonly #channel: string;
  #instances = 1;
  /** True once a heartbeat reached Redis (a loss after that drains the windows first). */
  #connectedOnce = false;
  /** Live instances when this one lost Redis. */
  #instancesBefore = 1;
  /** The value of the epoch key this instance last saw. */
  #epoch: string | undefined;
  #degraded = false;
  /** Back on the shared windows after an outage, but still held to this instance's share. */
  #capped = false;
  #recovering = false;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #closed = false;

  constructor(opts: ClusterOptions, target: ClusterTarget) {
    this.#opts = opts;
    this.#target = target;
    this.#channel = `${opts.prefix}bus`;
    // No offline queue: while Redis is away, commands fail at once instead of piling up.
    const options: RedisOptions & { disconnectTimeout: number } = {
      enableOfflineQueue: false,
      commandTimeout: opts.commandTimeoutMs,
      connectTimeout: 2000,
      disconnectTimeout: 200,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(times * 100, 2000),
      lazyConnect: true,
    };
    this.#redis = new Redis(opts.url, options);
    this.#sub = new Redis(opts.url, { ...options, commandTimeout: undefined, enableOfflineQueue: true });
    for (const c of [this.#redis, this.#sub]) c.on('error', () => {}); // reported through failed()
    this.limits = new RedisLimits(this.#redis, opts.prefix, { degraded: () => this.#degraded, failed: (err) => this.#failed(err) }, (account, model, dim, limit) =>
      this.#learned(account, model, dim, limit),
    );
  }

  /** Live instances (this one included) at the last heartbeat. */
  get instances(): number {
    return this.#instances;
  }

  get degraded(): boolean {
    return this.#degraded;
  }

  /** Back on the shared windows after an outage, still held to its share until every instance has re-synced. */
  get recovering(): boolean {
    return this.#capped && !this.#degraded;
  }

  /** Connects, applies the shared state, starts sharing limits and changes (degraded at first if Redis is away). */
  async start(): Promise<void> {
    this.#sub.on('message', (_channel: string, text: string) => this.#onMessage(text));
    // The subscriber queues the SUBSCRIBE until it connects; ioredis subscribes again after reconnects.
    this.#sub.connect().catch(() => {});
    const subscribed = this.#sub.subscribe(this.#channel).catch(() => {});
    try {
      await this.#redis.connect();
      await subscribed;
      await this.#heartbeat();
      await this.#applySharedState();
    } catch (err) {
      // Start anyway, on this instance's share of the limits; the heartbeat re-syncs later.
      this.#failed(err);
    }
    this.#target.pool.setSync(this.limits, this.id);
    this.#unsubscribe = this.#target.events.subscribe((e) => this.#onLocalEvent(e));
    this.#timer = setInterval(() => void this.#heartbeat(), this.#opts.heartbeatMs);
    this.#timer.unref();
  }

  /** Tells the other instances that client keys changed in the store. */
  keysChanged(): void {
    this.#publish({ kind: 'keys' });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#unsubscribe?.();
    await this.#redis.zrem(`${this.#opts.prefix}instances`, this.id).catch(() => {});
    this.#redis.disconnect();
    this.#sub.disconnect();
  }

  async #heartbeat(): Promise<void> {
    const key = `${this.#opts.prefix}instances`;
    const now = Date.now();
    try {
      const epochKey = `${this.#opts.prefix}epoch`;
      const res = await this.#redis
        .multi()
        .zadd(key, now, this.id)
        .zremrangebyscore(key, '-inf', now - this.#opts.heartbeatMs * 4)
        .zcard(key)
        .pexpire(key, this.#opts.heartbeatMs * 10)
        .set(epochKey, `${this.id}.${now}`, 'NX')
        .get(epochKey)
        .exec();
      this.#connectedOnce = true;
      const n = Number(res?.[2]?.[1] ?? 1);
      this.#instances = Math.max(1, n);
      this.#target.pool.setPacedInstances(this.#instances);
      // A new epoch: Redis started empty (restarted without persistence, or flushed).
      const epoch = String(res?.[5]?.[1] ?? '');
      const emptied = this.#epoch !== undefined && epoch !== this.#epoch;
      this.#epoch = epoch;
      // Also while capped: a re-sync that failed half-way (after going back to the shared windows) is retried.
      if (this.#degraded || this.#capped || emptied) await this.#recover(emptied);
    } catch (err) {
      this.#failed(err);
    }
  }

  #failed(err: unknown): void {
    if (this.#degraded || this.#closed) return;
    this.#degraded = true;
    this.#capped = true;
    this.#instancesBefore = this.#instances;
    const share = 1 / this.#instances;
    this.#target.pool.setShare(share, this.#connectedOnce);
    this.#opts.log.warn(
      { err: String(err), instances: this.#instances, share },
      `Redis unreachable: serving on this instance's share (1/${this.#instances}) of every account limit until it is back`,
    );
    this.#target.events.emit('cluster_degraded', `instance ${this.id} lost Redis; limits scaled to 1/${this.#instances}`);
  }

  /** Re-syncs after Redis was away or came back empty: windows rebuilt, states exchanged. */
  async #recover(emptied = false): Promise<void> {
    if (this.#recovering) return;
    this.#recovering = true;
    try {
      if (!this.#degraded && !this.#capped) this.#failed(new Error('Redis came back without the shared state'));
      let added = await this.limits.backfill();
      if (emptied) await this.#writeAccountStates();
      // Back on the shared windows at once: from here every request of this instance is checked
      // and counted in Redis, where the others see it. Still capped at this instance's share,
      // though: an instance that has not re-synced yet serves on its own share, and what it sent
      // is not in Redis until it backfills. The second backfill adds what this one sent while
      // the first ran. Once every live instance has re-synced (or a few heartbeats passed), the
      // cap goes and the shared windows alone decide.
      this.#degraded = false;
      added += await this.limits.backfill();
      await this.#awaitOthersSynced(Date.now());
      await this.#applySharedState();
      await this.#target.keysChanged();
      this.#target.pool.setShare(1);
      this.#capped = false;
      this.#opts.log.info({ backfilled: added, instances: this.#instances, emptied }, emptied ? 'Redis came back empty: shared windows rebuilt' : 'Redis is back: limits shared again');
      this.#target.events.emit('cluster_recovered', `instance ${this.id} re-synced with Redis${emptied ? ' (it had restarted empty)' : ''}; ${added} recent requests added to the shared windows`);
    } catch (err) {
      this.#opts.log.warn({ err: String(err) }, 'Redis re-sync failed; will retry');
    } finally {
      this.#recovering = false;
    }
  }

  /** Marks this instance re-synced; waits until every live instance has re-synced since `since`, at most 8 heartbeats. */
  async #awaitOthersSynced(since: number): Promise<void> {
    const p = this.#opts.prefix;
    const hb = this.#opts.heartbeatMs;
    await this.#redis.multi().zadd(`${p}synced`, Date.now(), this.id).pexpire(`${p}synced`, hb * 20).exec();
    for (let i = 0; i < 8; i++) {
      const now = Date.now();
      const res = await this.#redis
        .multi()
        .zcount(`${p}synced`, since - hb * 2, '+inf')
        .zcount(`${p}instances`, now - hb * 4, '+inf')
        .exec();
      // After a restart the instance list is rebuilt only as instances reconnect: expect at
      // least as many as there were before the outage.
      const live = Math.max(Number(res?.[1]?.[1] ?? 1), this.#instancesBefore);
      if (Number(res?.[0]?.[1] ?? 0) >= live) return;
      await sleep(hb);
    }
  }

  /** After Redis lost its data: this instance's view of which accounts are out, unless another instance wrote first. */
  async #writeAccountStates(): Promise<void> {
    const key = `${this.#opts.prefix}accounts`;
    for (const a of this.#target.pool.list()) {
      if (!a.enabled) await this.#redis.hsetnx(key, a.name, JSON.stringify({ enabled: false, reason: a.disabledReason ?? null }));
    }
  }

  /** Account states and learned limits, as the hashes hold them (for a new or returning instance). */
  async #applySharedState(): Promise<void> {
    const p = this.#opts.prefix;
    const [accounts, learned] = await Promise.all([this.#redis.hgetall(`${p}accounts`), this.#redis.hgetall(`${p}learned`)]);
    for (const [name, json] of Object.entries(accounts)) {
      const s = JSON.parse(json) as { enabled: boolean; reason: string | null };
      this.#target.pool.setEnabled(name, s.enabled, s.reason ?? undefined, { quiet: true });
    }
    for (const [field, limit] of Object.entries(learned)) {
      const [account, model, dim] = field.split('\u0000');
      this.#target.pool.get(account)?.limiter(model).learn(dim as 'rpm', Number(limit));
    }
  }

  #learned(account: string, model: string, dim: string, limit: number): void {
    if (this.#degraded) return;
    this.#redis.hset(`${this.#opts.prefix}learned`, `${account}\u0000${model}\u0000${dim}`, String(limit)).catch((err: unknown) => this.#failed(err));
    this.#publish({ kind: 'learned', account, model, dim, limit });
  }

  #onLocalEvent(e: SluiceEvent): void {
    if (!e.account || !SHARED_EVENTS.has(e.type)) return;
    const a = this.#target.pool.get(e.account);
    switch (e.type) {
      case 'account_disabled':
      case 'account_enabled': {
        const state = { enabled: e.type === 'account_enabled', reason: a?.disabledReason ?? null };
        if (!this.#degraded) this.#redis.hset(`${this.#opts.prefix}accounts`, e.account, JSON.stringify(state)).catch((err: unknown) => this.#failed(err));
        this.#publish({ kind: 'account', name: e.account, ...state });
        return;
      }
      case 'account_added':
      case 'account_removed':
        if (e.type === 'account_removed' && !this.#degraded) this.#redis.hdel(`${this.#opts.prefix}accounts`, e.account).catch(() => {});
        this.#publish({ kind: e.type, name: e.account });
        return;
      default:
        this.#publish({ kind: 'circuit', name: e.account, open: e.type === 'circuit_opened', restMs: a ? Math.max(0, a.circuit.openUntil - Date.now()) : 0 });
    }
  }

  #publish(msg: BusMessage): void {
    if (this.#degraded) return;
    this.#redis.publish(this.#channel, JSON.stringify({ from: this.id, ...msg })).catch((err: unknown) => this.#failed(err));
  }

  #onMessage(text: string): void {
    let msg: BusMessage & { from: string };
    try {
      msg = JSON.parse(text) as BusMessage & { from: string };
    } catch {
      return;
    }
    if (msg.from === this.id) return;
    const { pool } = this.#target;
    switch (msg.kind) {
      case 'account':
        pool.setEnabled(msg.name, msg.enabled, msg.reason ?? undefined, { quiet: true });
        return;
      case 'account_removed':
        pool.remove(msg.name, { quiet: true });
        return;
      case 'account_added':
        this.#target.accountAdded(msg.name).catch((err: unknown) => this.#opts.log.warn({ err: String(err), account: msg.name }, 'could not load an account another instance added'));
        return;
      case 'circuit': {
        const a = pool.get(msg.name);
        if (a && msg.open) a.circuit.openElsewhere(Date.now() + msg.restMs);
        else if (a) a.circuit.closedElsewhere();
        return;
      }
      case 'learned':
        pool.get(msg.account)?.limiter(msg.model).learn(msg.dim as 'rpm', msg.limit);
        return;
      case 'keys':
        this.#target.keysChanged().catch((err: unknown) => this.#opts.log.warn({ err: String(err) }, 'could not reload client keys'));
    }
  }
}
