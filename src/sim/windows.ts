/**
 * An exact sliding window: it keeps the time and amount of every admitted unit, so the
 * simulator can say precisely whether a request fits and when it will. It is deliberately
 * naive (no buckets, no approximation): it is the judge the gateway's own limiter is measured
 * against. A unit admitted at `t` counts during `[t, t + lengthMs)`.
 */
export class SlidingWindow {
  readonly lengthMs: number;
  #times: number[] = [];
  #amounts: number[] = [];
  #head = 0;
  #sum = 0;

  constructor(lengthMs: number) {
    this.lengthMs = lengthMs;
  }

  /** Amount admitted within the window ending at `now`. */
  used(now: number): number {
    this.#prune(now);
    return this.#sum;
  }

  /** Records `amount` admitted at `now`. */
  add(now: number, amount: number): void {
    this.#prune(now);
    this.#times.push(now);
    this.#amounts.push(amount);
    this.#sum += amount;
  }

  /**
   * Milliseconds from `now` until `need` more fits under `limit` (0 when it fits now,
   * Infinity when `need` alone exceeds `limit`).
   */
  waitFor(now: number, need: number, limit: number): number {
    if (need > limit) return Number.POSITIVE_INFINITY;
    let sum = this.used(now);
    for (let i = this.#head; sum + need > limit && i < this.#times.length; i++) {
      sum -= this.#amounts[i];
      if (sum + need <= limit) return this.#times[i] + this.lengthMs - now;
    }
    return 0;
  }

  /** Milliseconds until everything admitted so far has left the window (OpenAI's "reset"). */
  resetIn(now: number): number {
    this.#prune(now);
    if (this.#head >= this.#times.length) return 0;
    return this.#times[this.#times.length - 1] + this.lengthMs - now;
  }

  clear(): void {
    this.#times = [];
    this.#amounts = [];
    this.#head = 0;
    this.#sum = 0;
  }

  #prune(now: number): void {
    while (this.#head < this.#times.length && this.#times[this.#head] + this.lengthMs <= now) {
      this.#sum -= this.#amounts[this.#head];
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#amounts = this.#amounts.slice(this.#head);
      this.#head = 0;
    }
    if (this.#head >= this.#times.length) this.#sum = 0;
  }
}
