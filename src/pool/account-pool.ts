import type { AccountConfig, SchedulerConfig } from '../config/index.ts';
import type { EventLog } from '../events/index.ts';
import type { UpstreamCall, UpstreamClient, UpstreamResponse } from '../providers/index.ts';
import type { LimitTiming, Need } from './limiter.ts';
import { Lease } from './lease.ts';
import type { LimitSync } from './limit-sync.ts';
import { PoolAccount } from './pool-account.ts';

/** Either a slot on an account, or how long until one may free up (Infinity: unknown). */
export type AcquireResult = { lease: Lease; waitMs: 0 } | { lease: null; waitMs: number };

export interface AcquireOptions {
  /** Accounts this request already failed on; used only if no other account serves the model. */
  avoid?: ReadonlySet<string>;
  /** A number in [0, 1) that decides canary routing for this request. */
  roll?: number;
  /** Spread this request evenly through the windows (background work, see ModelLimiter). */
  paced?: boolean;
  /**
   * The client's own groups, tried in this order, and no others (canary routing does not apply).
   * Pass the same array every time (the client's config): orders are cached by its identity.
   */
  groups?: readonly string[];
}

export interface PoolOptions {
  scheduler: SchedulerConfig;
  events: EventLog;
}

/**
 * The set of upstream accounts. It knows which account serves which model, how much room
 * each has, and picks the best one: groups in order (a later group only when earlier ones have
 * no room), and within a group the account with the most headroom × weight, so bursts spread.
 */
export class AccountPool {
  readonly #accounts = new Map<string, PoolAccount>();
  readonly #client: UpstreamClient;
  readonly #events: EventLog;
  readonly #canary: ReadonlyMap<string, { group: string; percent: number }>;
  readonly #listeners = new Set<() => void>();
  readonly #timing: LimitTiming;
  readonly #circuit: { failureThreshold: number; openMs: number; maxOpenMs: number };
  readonly #orderCache = new Map<string, readonly [PoolAccount[][], PoolAccount[][]]>();
  /** Orders for clients bound to groups: client groups array -> model -> accounts by group. */
  #boundCache = new WeakMap<readonly string[], Map<string, PoolAccount[][]>>();
  #sync: LimitSync | undefined;
  #instance = '';
  #leases = 0;
  #share = 1;
  #pacedInstances = 1;
  /** The time factor of limit windows (1 in production). */
  readonly timeScale: number;
  readonly #changed = (): void => {
    for (const fn of this.#listeners) fn();
  };

  constructor(accounts: readonly AccountConfig[], client: UpstreamClient, opts: PoolOptions) {
    this.#client = client;
    this.#events = opts.events;
    this.timeScale = opts.scheduler.timeScale;
    this.#timing = { timeScale: opts.scheduler.timeScale, marginFraction: 0.01, marginMinMs: 25 };
    const c = opts.scheduler.circuit;
    this.#circuit = { failureThreshold: c.failureThreshold, openMs: c.openMs * opts.scheduler.timeScale, maxOpenMs: c.maxOpenMs * opts.scheduler.timeScale };
    for (const a of accounts) this.#accounts.set(a.name, new PoolAccount(a, this.#timing, this.#circuit));
    this.#canary = new Map(opts.scheduler.canary.map((c) => [c.model, c]));
  }

  /** Calls `fn` whenever capacity may have freed (a slot released, tokens returned, an account back). */
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  list(): PoolAccount[] {
    return [...this.#accounts.values()];
  }

  get(name: string): PoolAccount | undefined {
    return this.#accounts.get(name);
  }

  /** The union of models served by enabled accounts, sorted. */
  models(): string[] {
    const all = new Set<string>();
    for (const a of this.#accounts.values()) if (a.enabled) for (const m of a.models) all.add(m);
    return [...all].sort();
  }

  /** True when an enabled account serves `model` (in one of `groups`, when given). */
  serves(model: string, groups?: readonly string[]): boolean {
    for (const a of this.#accounts.values()) if (a.enabled && a.models.has(model) && (!groups || groups.includes(a.group))) return true;
    return false;
  }

  /**
   * Accounts serving `model` by group, in config order (disabled ones included, skipped when
   * picking), as [canary group first, canary group last]. Built once per model: the hot path
   * only walks arrays.
   */
  #orders(model: string): readonly [PoolAccount[][], PoolAccount[][]] {
    let orders = this.#orderCache.get(model);
    if (orders) return orders;
    const groups = new Map<string, PoolAccount[]>();
    for (const a of this.#accounts.values()) {
      if (!a.models.has(model)) continue;
      let g = groups.get(a.group);
      if (!g) groups.set(a.group, (g = []));
      g.push(a);
    }
    const canary = this.#canary.get(model);
    const canaryGroup = canary && groups.get(canary.group);
    if (canary && canaryGroup) {
      groups.delete(canary.group);
      orders = [
        [canaryGroup, ...groups.values()],
        [...groups.values(), canaryGroup],
      ];
    } else {
      const all = [...groups.values()];
      orders = [all, all];
    }
    this.#orderCache.set(model, orders);
    return orders;
  }

  /** Accounts serving `model` in the client's `groups`, in the client's order; cached like {@link #orders}. */
  #bound(model: string, groups: readonly string[]): PoolAccount[][] {
    let byModel = this.#boundCache.get(groups);
    if (!byModel) this.#boundCache.set(groups, (byModel = new Map()));
    let order = byModel.get(model);
    if (!order) {
      const [all] = this.#orders(model);
      order = groups.map((g) => all.find((accounts) => accounts[0].group === g)).filter((accounts) => accounts !== undefined);
      byModel.set(model, order);
    }
    return order;
  }

  #groups(model: string, roll: number): PoolAccount[][] {
    const [canaryFirst, canaryLast] = this.#orders(model);
    const canary = this.#canary.get(model);
    return canary && roll * 100 < canary.percent ? canaryFirst : canaryLast;
  }

  /** Takes a slot for `need` on the best account with room now, or says how long to wait. */
  acquire(model: string, need: Need, now: number, opts: AcquireOptions = {}): AcquireResult {
    const groups = opts.groups ? this.#bound(model, opts.groups) : this.#groups(model, opts.roll ?? Math.random());
    const avoid = opts.avoid !== undefined && opts.avoid.size > 0 ? opts.avoid : undefined;
    const hasFresh = !avoid || groups.some((g) => g.some((a) => a.enabled && !avoid.has(a.name)));
    let wait = Number.POSITIVE_INFINITY;
    for (const group of groups) {
      let best: PoolAccount | undefined;
      let bestScore = -1;
      for (const a of group) {
        if (!a.enabled || (hasFresh && avoid?.has(a.name))) continue;
        const w = a.waitMs(model, need, now, opts.paced);
        if (w > 0) {
          wait = Math.min(wait, w);
          continue;
        }
        const score = a.weight * (a.limiter(model).headroom(need, now) + 1e-6);
        if (score > bestScore || (score === bestScore && best && a.lastPickedAt < best.lastPickedAt)) {
          best = a;
          bestScore = score;
        }
      }
      if (best) return { lease: this.#take(best, model, need, now), waitMs: 0 };
    }
    return { lease: null, waitMs: wait };
  }

  #take(a: PoolAccount, model: string, need: Need, now: number): Lease {
    a.inFlight++;
    a.lastPickedAt = now;
    a.circuit.onSend(now);
    const limiter = a.limiter(model);
    const sync = this.#sync;
    const shared = sync ? { sync, reservation: { id: `${this.#instance}.${++this.#leases}`, account: a.name, model, dims: limiter.sharedDims(need) } } : undefined;
    return new Lease(a, model, need, limiter.take(need, now), this.#changed, this.#events, shared);
  }

  /** True when instances share limit state: picks must then be confirmed ({@link confirm}). */
  get shared(): boolean {
    return this.#sync !== undefined;
  }

  /** Shares limit state with other instances through `sync`; `instance` makes reservation ids unique. */
  setSync(sync: LimitSync, instance: string): void {
    this.#sync = sync;
    this.#instance = instance;
  }

  /**
   * Confirms a lease in the shared windows, for a request of priority `rank` (0 high, 1 normal,
   * 2 low). 0: it stands. Otherwise the lease was undone (see
   * Lease.refused) and the account held back for that many ms; admission must pick again.
   */
  async confirm(lease: Lease, rank = 1): Promise<number> {
    const shared = lease.shared;
    if (!shared || shared.reservation.dims.length === 0) return 0;
    const wait = await shared.sync.reserve(shared.reservation, rank);
    if (wait > 0) lease.refused(wait);
    return wait;
  }

  /**
   * Uses only `share` of every limit (an instance cut off from the shared state); 1 restores
   * them. `freeze`: the cut came while sharing, so the current windows are first drained safely
   * (see SlidingWindow.setShare).
   */
  setShare(share: number, freeze = false): void {
    this.#share = share;
    for (const a of this.#accounts.values()) a.setShare(share, freeze);
  }

  /** `n` instances share this pool: paced (background) work keeps one pace for all of them together. */
  setPacedInstances(n: number): void {
    if (n === this.#pacedInstances) return;
    this.#pacedInstances = n;
    for (const a of this.#accounts.values()) a.setPacedInstances(n);
  }

  /**
   * Sends `call` on the leased account. Resolves with a stream's head (`body` to read), or with
   * a JSON answer whole (`raw`); throws TransportError.
   */
  send(lease: Lease, call: UpstreamCall, signal: AbortSignal): Promise<UpstreamResponse> {
    const { config, adapter } = lease.account;
    return this.#client.send(adapter.prepare(config, call), { signal, timeoutMs: config.timeoutMs, whole: !call.stream });
  }

  /** True when some enabled account limits `model` by tokens/min (configured or learned). */
  limitsTokens(model: string): boolean {
    for (const a of this.#accounts.values()) if (a.enabled && a.models.has(model) && a.limiter(model).has('tpm')) return true;
    return false;
  }

  /**
   * When `need` exceeds a limit of every enabled account serving `model` (say, more tokens than
   * any TPM), waiting cannot help: returns the smallest such limit so the request is refused now.
   */
  neverFits(model: string, need: Need, groups?: readonly string[]): { dim: string; limit: number; amount: number } | undefined {
    let worst: { dim: string; limit: number; amount: number } | undefined;
    for (const a of this.#accounts.values()) {
      if (!a.enabled || !a.models.has(model) || (groups && !groups.includes(a.group))) continue;
      const over = a.limiter(model).exceeds(need);
      if (!over) return undefined;
      worst ??= over;
    }
    return worst;
  }

  /** Requests per minute the enabled accounts can take for `model` at `need` each (Infinity: unlimited). */
  perMinute(model: string, need: Need): number {
    let total = 0;
    for (const a of this.#accounts.values()) if (a.enabled && a.models.has(model)) total += a.limiter(model).perMinute(need);
    return total;
  }

  /** Adds an account at run time; requests may use it at once. False when the name is taken. */
  add(config: AccountConfig, opts: { quiet?: boolean } = {}): boolean {
    if (this.#accounts.has(config.name)) return false;
    const a = new PoolAccount(config, this.#timing, this.#circuit);
    if (this.#share !== 1) a.setShare(this.#share);
    if (this.#pacedInstances !== 1) a.setPacedInstances(this.#pacedInstances);
    this.#accounts.set(config.name, a);
    this.#orderCache.clear();
    this.#boundCache = new WeakMap();
    if (!opts.quiet) this.#events.emit('account_added', `${config.name} added to the pool`, { account: config.name });
    this.#changed();
    return true;
  }

  /** Removes an account at run time; requests in flight on it finish. False when unknown. */
  remove(name: string, opts: { quiet?: boolean } = {}): boolean {
    const a = this.#accounts.get(name);
    if (!a) return false;
    a.enabled = false;
    this.#accounts.delete(name);
    this.#orderCache.clear();
    this.#boundCache = new WeakMap();
    if (!opts.quiet) this.#events.emit('account_removed', `${name} removed from the pool`, { account: name });
    this.#changed();
    return true;
  }

  /**
   * Takes an account out of service, or puts it back. Returns false for an unknown name.
   * `quiet`: applying another instance's change, which that instance already reported.
   */
  setEnabled(name: string, enabled: boolean, reason = 'disabled by an operator', opts: { quiet?: boolean } = {}): boolean {
    const a = this.#accounts.get(name);
    if (!a) return false;
    if (a.enabled === enabled) return true;
    a.enabled = enabled;
    a.disabledReason = enabled ? undefined : reason;
    if (!opts.quiet) this.#events.emit(enabled ? 'account_enabled' : 'account_disabled', `${name} ${enabled ? 'back in service' : `taken out of service: ${reason}`}`, { account: name });
    this.#changed();
    return true;
  }
}
