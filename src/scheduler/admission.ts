import { PRIORITIES, type Priority } from '../config/index.ts';
import type { AccountPool, Lease, Need } from '../pool/index.ts';
import { FairQueue, type Queued } from './fair-queue.ts';

/** One request waiting for an account with room. */
export interface Waiter extends Queued {
  readonly model: string;
  readonly need: Need;
  readonly priority: Priority;
  readonly deadline: number;
  readonly avoid: ReadonlySet<string>;
  readonly roll: number;
  readonly paced: boolean;
  /** The client's account groups, in order (absent: every group). */
  readonly groups?: readonly string[];
  /** Give up at once when the pool foresees no room before the deadline (a fallback is waiting). */
  readonly giveUpEarly?: boolean;
  readonly enqueuedAt: number;
  resolve(lease: Lease): void;
  reject(reason: unknown): void;
}

/** Why a waiter gave up: its deadline passed, with the best guess of when capacity frees. */
export class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded';
  readonly retryAfterMs: number;
  constructor(retryAfterMs: number) {
    super('no capacity before the deadline');
    this.retryAfterMs = retryAfterMs;
  }
}

/** No enabled account serves the model any more (all were disabled or removed): waiting cannot help. */
export class NoAccountLeft extends Error {
  override name = 'NoAccountLeft';
}

/**
 * Groups that waiters of higher priority are still waiting for: lower priorities may not take
 * capacity there (strict priority). `null`: every group (a waiter bound to no group waits).
 */
type Held = Set<string> | null | undefined;

/** Whether a waiter may try now, given the groups held by higher priorities. */
function mayTry(w: Waiter, held: Held): boolean {
  if (held === undefined) return true;
  if (held === null || !w.groups) return false;
  for (const g of w.groups) if (held.has(g)) return false;
  return true;
}

/** `held` plus the groups of a waiter that did not start. */
function hold(held: Held, groups: readonly string[] | undefined): Held {
  if (held === null || !groups) return null;
  const out = held ?? new Set<string>();
  for (const g of groups) out.add(g);
  return out;
}

function merge(a: Held, b: Held): Held {
  if (a === null || b === null) return null;
  if (!a || !b) return a ?? b;
  for (const g of b) a.add(g);
  return a;
}

/** The queue of one model: a fair queue per priority, highest first. */
class ModelLine {
  readonly levels: FairQueue<Waiter>[] = PRIORITIES.map(() => new FairQueue<Waiter>());
  timer: NodeJS.Timeout | undefined;
  timerAt = Number.POSITIVE_INFINITY;
  /** Last time the pool said when room may appear, and how long that was. */
  lastWaitAt = 0;
  lastWaitMs = 0;

  get size(): number {
    let n = 0;
    for (const l of this.levels) n += l.size;
    return n;
  }
}

/**
 * Admission, not rejection: a request that cannot run now waits here until an account has
 * room or its deadline passes. Waking is event-driven: a timer set to the moment the pool said
 * the next window slot frees, and the pool's change events (a slot released, tokens returned,
 * an account back) — never a polling loop. Priorities are strict (high before normal before
 * low); within one priority, clients share by deficit round-robin.
 */
export class AdmissionQueue {
  readonly #pool: AccountPool;
  readonly #lines = new Map<string, ModelLine>();
  #pumpQueued = false;
  /** Microseconds spent deciding (pool look-ups and queue work), for the CPU-per-request figure. */
  busyMicros = 0;

  constructor(pool: AccountPool) {
    this.#pool = pool;
    pool.onChange(() => this.#pumpSoon());
  }

  /** Resolves with a lease when an account has room; rejects with DeadlineExceeded or the abort reason. */
  admit(w: Omit<Waiter, 'done' | 'resolve' | 'reject' | 'enqueuedAt'>, signal: AbortSignal): Promise<Lease> {
    const line = this.#line(w.model);
    if (!this.#pool.serves(w.model, w.groups)) return Promise.reject(new NoAccountLeft(w.model));
    if (line.size === 0) {
      const t0 = performance.now();
      const r = this.#pool.acquire(w.model, w.need, Date.now(), { avoid: w.avoid, roll: w.roll, paced: w.paced, groups: w.groups });
      this.busyMicros += (performance.now() - t0) * 1000;
      if (r.lease) return Promise.resolve(r.lease);
      this.#noteWait(line, r.waitMs);
      if (w.deadline <= Date.now()) return Promise.reject(new DeadlineExceeded(this.#retryAfter(line, w, 0)));
    }
    if (w.giveUpEarly) {
      const eta = this.#retryAfter(line, w, 0);
      if (Date.now() + eta > w.deadline) return Promise.reject(new DeadlineExceeded(eta));
    }
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = { ...w, done: false, enqueuedAt: Date.now(), resolve, reject };
      const level = line.levels[PRIORITIES.indexOf(w.priority)];
      const leave = (reason: unknown): void => {
        if (waiter.done) return;
        waiter.done = true;
        level.cancelled();
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        reject(reason);
      };
      const onAbort = (): void => leave(signal.reason);
      const timer = setTimeout(() => leave(new DeadlineExceeded(this.#retryAfter(line, waiter, 1))), Math.max(0, w.deadline - Date.now()));
      signal.addEventListener('abort', onAbort, { once: true });
      waiter.resolve = (lease) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(lease);
      };
      waiter.reject = (reason) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        reject(reason);
      };
      // Behind its own client's earlier requests it cannot start before them: the pump that
      // starts those (timer or pool event) will reach it. Otherwise try now.
      if (level.push(waiter)) this.#pump(w.model, line);
    });
  }

  /** Requests waiting, by priority. */
  depth(): Record<Priority, number> {
    const out = { high: 0, normal: 0, low: 0 };
    for (const line of this.#lines.values()) {
      PRIORITIES.forEach((p, i) => {
        out[p] += line.levels[i].size;
      });
    }
    return out;
  }

  #line(model: string): ModelLine {
    let line = this.#lines.get(model);
    if (!line) this.#lines.set(model, (line = new ModelLine()));
    return line;
  }

  #pumpSoon(): void {
    if (this.#pumpQueued) return;
    this.#pumpQueued = true;
    queueMicrotask(() => {
      this.#pumpQueued = false;
      for (const [model, line] of this.#lines) if (line.size > 0) this.#pump(model, line);
    });
  }

  /** Starts every waiter that can start now, in priority and fair order; re-arms the timer. */
  #pump(model: string, line: ModelLine): void {
    if (!this.#pool.serves(model)) {
      this.#rejectAll(line, new NoAccountLeft(model));
      return;
    }
    const t0 = performance.now();
    const now = Date.now();
    let wait = Number.POSITIVE_INFINITY;
    let held: Held;
    for (const level of line.levels) {
      let misses = 0;
      let waiting: Held;
      while (level.size > 0 && misses < level.clients) {
        const w = level.peek();
        if (!w) break;
        const r = mayTry(w, held) ? this.#pool.acquire(model, w.need, now, { avoid: w.avoid, roll: w.roll, paced: w.paced, groups: w.groups }) : undefined;
        if (r?.lease) {
          level.take(w);
          w.resolve(r.lease);
          misses = 0;
        } else if (w.groups && !this.#pool.serves(model, w.groups)) {
          // Its groups lost their last account serving the model: waiting cannot help.
          level.take(w);
          w.reject(new NoAccountLeft(model));
        } else {
          if (r) wait = Math.min(wait, r.waitMs);
          waiting = hold(waiting, w.groups);
          misses++;
          level.skip();
        }
      }
      // Strict priority: while a higher level waits, lower levels may not take its capacity
      // (but clients bound to other groups than those it waits for may go on).
      held = merge(held, waiting);
      if (level.size > 0 && held === null) break;
    }
    this.#noteWait(line, wait);
    this.#arm(model, line, wait, now);
    this.busyMicros += (performance.now() - t0) * 1000;
  }

  #rejectAll(line: ModelLine, reason: Error): void {
    for (const level of line.levels) {
      for (let w = level.peek(); w; w = level.peek()) {
        level.take(w);
        w.reject(reason);
      }
    }
  }

  #noteWait(line: ModelLine, waitMs: number): void {
    line.lastWaitAt = Date.now();
    line.lastWaitMs = waitMs;
  }

  #arm(model: string, line: ModelLine, wait: number, now: number): void {
    if (line.size === 0 || !Number.isFinite(wait)) return;
    const at = now + wait;
    if (line.timer && line.timerAt <= at) return;
    clearTimeout(line.timer);
    line.timerAt = at;
    line.timer = setTimeout(() => {
      line.timer = undefined;
      line.timerAt = Number.POSITIVE_INFINITY;
      this.#pump(model, line);
    }, wait);
  }

  /**
   * When this request could likely run: until the next slot frees, plus the time the pool needs
   * to serve the requests queued ahead of it at its priority or higher.
   */
  #retryAfter(line: ModelLine, w: Pick<Waiter, 'model' | 'need' | 'priority'>, self: number): number {
    const next = Number.isFinite(line.lastWaitMs) ? Math.max(0, line.lastWaitAt + line.lastWaitMs - Date.now()) : 1000;
    let ahead = -self;
    for (let i = 0; i <= PRIORITIES.indexOf(w.priority); i++) ahead += line.levels[i].size;
    const perMinute = this.#pool.perMinute(w.model, w.need);
    const scale = this.#pool.timeScale;
    const serveMs = Number.isFinite(perMinute) && perMinute > 0 ? (Math.max(0, ahead) / perMinute) * 60_000 * scale : 0;
    return Math.ceil(next + serveMs);
  }
}
