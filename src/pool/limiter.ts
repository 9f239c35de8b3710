import type { ModelLimits } from '../config/index.ts';
import type { SharedDim } from './limit-sync.ts';
import { SlidingWindow, type WindowEntry } from './window.ts';

/** The dimensions OpenAI limits by, plus the optional short burst window. */
export const LIMIT_DIMS = ['rpm', 'rpd', 'tpm', 'ipm', 'burst'] as const;
export type LimitDim = (typeof LIMIT_DIMS)[number];

/** What one request will consume. */
export interface Need {
  requests: number;
  tokens: number;
  images: number;
  /** Of `tokens`, the completion expected (chat: n × max tokens), for a cost estimate before sending. */
  outputTokens?: number;
}

/** How time is measured for limits. */
export interface LimitTiming {
  /** 1 in production; the simulator's time scale in tests (a "minute" lasts 60 000 × timeScale ms). */
  timeScale: number;
  /** Extra time an entry stays counted, as a share of its window, for transit to the upstream. */
  marginFraction: number;
  /** ... and at least this many ms. */
  marginMinMs: number;
}

/** A reservation in each window, kept to reconcile tokens when the real usage is known. */
export interface Reservation {
  readonly entries: readonly WindowEntry[];
  /** The window of each entry. */
  readonly windows: readonly SlidingWindow[];
  readonly tokens: WindowEntry | undefined;
}

/** A paced request may use a window's limit in at most this many even slices of it. */
const PACE_SLICES = 60;
const MINUTE = 60_000;
/** Dimensions upstreams announce in headers, counted even before their limit is known. */
const SHADOWED: ReadonlySet<LimitDim> = new Set(['rpm', 'tpm']);
const DAY = 86_400_000;

function amountOf(dim: LimitDim, need: Need): number {
  if (dim === 'tpm') return need.tokens;
  if (dim === 'ipm') return need.images;
  return need.requests;
}

/**
 * The limits of one account for one model: a sliding window per configured (or learned)
 * dimension, and a cooldown set when the upstream said "wait" (429, remaining 0).
 */
export class ModelLimiter {
  readonly #timing: LimitTiming;
  readonly #windows = new Map<LimitDim, SlidingWindow>();
  /** Per limited window, a short window holding one slice of its limit: the pace for paced requests. */
  readonly #pacers = new Map<LimitDim, SlidingWindow>();
  readonly configured: Readonly<ModelLimits>;
  /** Limits learned from upstream headers that differ from the configured ones. */
  readonly learned: Partial<Record<LimitDim, number>> = {};
  cooldownUntil = 0;
  /** Held back until then because the shared windows (other instances' use) are full. */
  heldUntil = 0;

  constructor(limits: ModelLimits, timing: LimitTiming) {
    this.configured = limits;
    this.#timing = timing;
    for (const dim of LIMIT_DIMS) {
      const limit = dim === 'burst' ? limits.burst?.requests : limits[dim];
      // rpm and tpm are always counted, limited or not, so that a limit learned later from
      // the upstream's headers starts from the true recent usage.
      if (limit !== undefined || SHADOWED.has(dim)) this.#windows.set(dim, new SlidingWindow(this.#windowMs(dim), limit ?? Number.POSITIVE_INFINITY));
      if (limit !== undefined) this.#setPacer(dim, limit);
    }
  }

  /**
   * A window of `limit` per W is paced as `limit / n` per `W / n` (n = min(limit, 60)): paced
   * requests then start evenly through the window instead of all at its start, so slots also
   * free evenly and a later, more urgent request finds one within a refill interval (W / limit).
   */
  #setPacer(dim: LimitDim, limit: number): void {
    if (dim === 'burst' || dim === 'rpd') return;
    const slices = Math.min(limit, PACE_SLICES);
    // With several instances pacing alone, each takes its slice over an `instances` times longer time.
    this.#pacers.set(dim, new SlidingWindow((this.#windowMs(dim) / slices) * this.#pacedInstances, Math.ceil(limit / slices)));
  }

  #pacedInstances = 1;

  /** Paces for `n` instances sharing this account: together they keep the pace of one. */
  setPacedInstances(n: number): void {
    if (n === this.#pacedInstances) return;
    this.#pacedInstances = n;
    for (const [dim, w] of this.#windows) if (Number.isFinite(w.limit)) this.#setPacer(dim, w.limit);
  }

  #windowMs(dim: LimitDim): number {
    const base = dim === 'rpd' ? DAY : dim === 'burst' ? (this.configured.burst?.perSeconds ?? 1) * 1000 : MINUTE;
    const scaled = base * this.#timing.timeScale;
    return scaled + Math.max(this.#timing.marginMinMs, scaled * this.#timing.marginFraction);
  }

  /**
   * Milliseconds until `need` fits (0: now; Infinity: never, it exceeds a limit by itself).
   * A `paced` request must also fit its window's pace (one that exceeds a slice alone may go
   * when the slice is empty).
   */
  waitMs(need: Need, now: number, paced = false): number {
    let wait = Math.max(0, this.cooldownUntil - now, this.heldUntil - now);
    for (const [dim, w] of this.#windows) {
      const amount = amountOf(dim, need);
      if (amount > 0) wait = Math.max(wait, w.waitFor(amount, now));
    }
    if (paced && wait === 0) {
      for (const [dim, p] of this.#pacers) {
        const amount = amountOf(dim, need);
        if (amount > 0 && p.used(now) > 0) wait = Math.max(wait, p.waitFor(Math.min(amount, p.limit), now));
      }
    }
    return wait;
  }

  /** Counts `need` in every window. Call only after {@link waitMs} returned 0. */
  take(need: Need, now: number): Reservation {
    let tokens: WindowEntry | undefined;
    const entries: WindowEntry[] = [];
    const windows: SlidingWindow[] = [];
    for (const [dim, w] of this.#windows) {
      const entry = w.add(amountOf(dim, need), now);
      entries.push(entry);
      windows.push(w);
      if (dim === 'tpm') tokens = entry;
    }
    for (const [dim, p] of this.#pacers) p.add(amountOf(dim, need), now);
    return { entries, windows, tokens };
  }

  /**
   * Moves a reservation's time forward to when the upstream most likely counted it (the answer
   * time minus the upstream's stated processing time). A request that sat in a busy network or
   * server queue is then counted by us as long as the upstream counts it: our window never
   * frees a slot before the upstream's does. Only ever later, so never less safe.
   */
  restamp(res: Reservation, t: number): void {
    for (const e of res.entries) if (!e.dead && t > e.t) e.t = t;
  }

  /** Sets every amount of a reservation to `amount` (0: as if it never happened). */
  reconcileAll(res: Reservation, amount: number): void {
    for (let i = 0; i < res.entries.length; i++) res.windows[i].adjust(res.entries[i], amount);
  }

  /** Replaces the token estimate of a reservation with what the upstream reported. */
  reconcile(res: Reservation, actualTokens: number): void {
    if (res.tokens) this.#windows.get('tpm')?.adjust(res.tokens, actualTokens);
  }

  /** Adopts a limit the upstream announced (x-ratelimit-limit-*), creating the window if needed. True when it changed. */
  learn(dim: LimitDim, limit: number): boolean {
    if (!(limit > 0)) return false;
    const w = this.#windows.get(dim);
    if (w?.limit === limit) return false;
    this.learned[dim] = limit;
    if (w) w.limit = limit;
    else {
      const created = new SlidingWindow(this.#windowMs(dim), limit);
      created.setShare(this.#share, Date.now());
      this.#windows.set(dim, created);
    }
    this.#setPacer(dim, limit);
    return true;
  }

  #share = 1;

  /** Uses only `share` (0..1] of each limit, for an instance cut off from the shared state. */
  setShare(share: number, freeze = false): void {
    this.#share = share;
    const now = Date.now();
    for (const w of this.#windows.values()) w.setShare(share, now, freeze);
  }

  /** Not before `until` (epoch ms): the shared windows said so. */
  hold(until: number): void {
    this.heldUntil = Math.max(this.heldUntil, until);
  }

  /** The limited dimensions `need` counts in, as the shared windows need them. */
  sharedDims(need: Need): SharedDim[] {
    const out: SharedDim[] = [];
    for (const [dim, w] of this.#windows) {
      const amount = amountOf(dim, need);
      if (amount > 0 && Number.isFinite(w.limit)) out.push({ dim, windowMs: Math.ceil(w.windowMs), limit: w.limit, amount });
    }
    return out;
  }

  /** The first limit `need` exceeds by itself (it can never be sent here), if any. */
  exceeds(need: Need): { dim: LimitDim; limit: number; amount: number } | undefined {
    for (const [dim, w] of this.#windows) {
      const amount = amountOf(dim, need);
      if (amount > w.limit) return { dim, limit: w.limit, amount };
    }
    return undefined;
  }

  /** True when the dimension has a limit (configured or learned). */
  has(dim: LimitDim): boolean {
    return Number.isFinite(this.#windows.get(dim)?.limit ?? Number.NaN);
  }

  /** Stops using this model on this account until `until` (epoch ms). */
  coolUntil(until: number): void {
    this.cooldownUntil = Math.max(this.cooldownUntil, until);
  }

  /**
   * The smallest share of any limit left after `need`, 0..1 (1 when nothing is limited):
   * the account with the most room left is the best place for the next request.
   */
  headroom(need: Need, now: number): number {
    let min = 1;
    for (const [dim, w] of this.#windows) {
      if (Number.isFinite(w.limit)) min = Math.min(min, (w.limit - w.used(now) - amountOf(dim, need)) / w.limit);
    }
    return Math.max(0, min);
  }

  /** Requests a minute this model can take on this account for requests needing `need`. */
  perMinute(need: Need): number {
    let rate = Number.POSITIVE_INFINITY;
    for (const [dim, w] of this.#windows) {
      const amount = amountOf(dim, need);
      if (amount <= 0 || !Number.isFinite(w.limit)) continue;
      const minutes = (w.windowMs / this.#timing.timeScale) / MINUTE;
      rate = Math.min(rate, w.limit / amount / minutes);
    }
    return rate;
  }

  /** Limit, used and remaining per dimension, for the admin API. */
  snapshot(now: number): Record<string, { limit: number; used: number; remaining: number }> {
    const out: Record<string, { limit: number; used: number; remaining: number }> = {};
    for (const [dim, w] of this.#windows) {
      if (!Number.isFinite(w.limit)) continue;
      const used = w.used(now);
      out[dim] = { limit: w.limit, used, remaining: Math.max(0, w.limit - used) };
    }
    return out;
  }
}
