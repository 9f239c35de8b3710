/** One counted use in a window; its amount can be corrected later (token reconciliation). */
export interface WindowEntry {
  /** When the upstream counted it (may be moved later, see ModelLimiter.restamp). */
  t: number;
  amount: number;
  dead: boolean;
}

/**
 * An exact sliding window: the sum of amounts added in the last `windowMs` must stay within
 * `limit`. Exact (a log of entries, not an approximation) because the upstream counts exactly
 * too, and an approximation that over-admits turns into 429s. Entries live `windowMs` (which
 * already includes the safety margin for transit time to the upstream).
 */
export class SlidingWindow {
  readonly windowMs: number;
  limit: number;
  /**
   * The part of `limit` this process may use on its own (1 normally; 1/N of it while several
   * instances cannot reach their shared state, see AccountPool.setShare).
   */
  share = 1;
  /** While cut off: until then, at most the smaller of its share and what this process had in the window. */
  #frozenUntil = 0;
  #frozenCap = 0;
  #entries: WindowEntry[] = [];
  #head = 0;
  #sum = 0;

  constructor(windowMs: number, limit: number) {
    this.windowMs = windowMs;
    this.limit = limit;
  }

  /**
   * Limits this process to `share` of the limit. When the share first drops (`freeze`), the
   * other instances' use of the current window is unknown: for one window this process keeps
   * to the smaller of its share and what it already had in the window, so that all instances
   * together stay within the limit while the window turns over; after that, `share` of it.
   */
  setShare(share: number, now: number, freeze = false): void {
    if (share < 1 && this.share === 1 && freeze) {
      this.#frozenCap = Math.min(this.used(now), Math.floor(this.limit * share));
      this.#frozenUntil = now + this.windowMs;
    }
    if (share === 1) this.#frozenUntil = 0;
    this.share = share;
  }

  #prune(now: number): void {
    const cutoff = now - this.windowMs;
    const entries = this.#entries;
    while (this.#head < entries.length && entries[this.#head].t <= cutoff) {
      const e = entries[this.#head++];
      e.dead = true;
      this.#sum -= e.amount;
    }
    if (this.#head > 256 && this.#head * 2 > entries.length) {
      this.#entries = entries.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The amount counted in the window at `now`. */
  used(now: number): number {
    this.#prune(now);
    return this.#sum;
  }

  /**
   * Milliseconds until `amount` more fits: 0 when it fits now, Infinity when it never can
   * (larger than the limit itself).
   */
  waitFor(amount: number, now: number): number {
    this.#prune(now);
    let limit = this.limit;
    if (this.share !== 1) {
      const frozen = now < this.#frozenUntil;
      limit = frozen ? Math.min(this.limit, this.#frozenCap) : Math.max(1, Math.floor(this.limit * this.share));
      if (frozen && amount > limit) return this.#frozenUntil - now;
    }
    if (this.#sum + amount <= limit) return 0;
    if (amount > this.limit) return Number.POSITIVE_INFINITY;
    if (amount > limit) return this.#sum === 0 ? 0 : this.windowMs;
    let excess = this.#sum + amount - limit;
    const entries = this.#entries;
    for (let i = this.#head; i < entries.length; i++) {
      excess -= entries[i].amount;
      if (excess <= 0) return Math.max(1, entries[i].t + this.windowMs - now + 1);
    }
    return this.windowMs;
  }

  /**
   * Counts `amount` at `now`. Entries are added in time order; a later restamp may leave one
   * behind a newer neighbour, which only keeps it counted a little longer (the safe side).
   */
  add(amount: number, now: number): WindowEntry {
    const e: WindowEntry = { t: now, amount, dead: false };
    this.#entries.push(e);
    this.#sum += amount;
    return e;
  }

  /** Corrects an entry to the amount actually used (a no-op once it left the window). */
  adjust(entry: WindowEntry, amount: number): void {
    if (!entry.dead) this.#sum += amount - entry.amount;
    entry.amount = amount;
  }

  /** Forgets everything (used when an operator resets an account). */
  clear(): void {
    for (let i = this.#head; i < this.#entries.length; i++) this.#entries[i].dead = true;
    this.#entries = [];
    this.#head = 0;
    this.#sum = 0;
  }
}
