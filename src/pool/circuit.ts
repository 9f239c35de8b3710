/** closed: in use; open: resting after failures; half-open: one probe request allowed. */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** First rest period; doubles after each failed probe, up to `maxOpenMs`. */
  openMs: number;
  maxOpenMs: number;
}

/**
 * A circuit breaker per account, so a sick account rests and then recovers by itself:
 * closed → open after N consecutive failures → half-open after a rest (one probe) →
 * closed on success, open again (for twice as long) on failure.
 */
export class CircuitBreaker {
  readonly #opts: CircuitOptions;
  state: CircuitState = 'closed';
  failures = 0;
  openUntil = 0;
  #restMs: number;
  #probing = false;

  constructor(opts: CircuitOptions) {
    this.#opts = opts;
    this.#restMs = opts.openMs;
  }

  /** Milliseconds until a request may be sent (0 now, Infinity while a probe is out). */
  waitMs(now: number): number {
    if (this.state === 'closed') return 0;
    if (this.state === 'open') return Math.max(0, this.openUntil - now);
    return this.#probing ? Number.POSITIVE_INFINITY : 0;
  }

  /** Called when a request is sent on this account; may move open → half-open. */
  onSend(now: number): void {
    if (this.state === 'open' && now >= this.openUntil) this.state = 'half-open';
    if (this.state === 'half-open') this.#probing = true;
  }

  /** Records a success. Returns true when this closed the circuit. */
  onSuccess(): boolean {
    const wasOpen = this.state !== 'closed';
    this.state = 'closed';
    this.failures = 0;
    this.#probing = false;
    this.#restMs = this.#opts.openMs;
    return wasOpen;
  }

  /** Records a failure. Returns true when this opened the circuit. */
  onFailure(now: number): boolean {
    this.failures++;
    if (this.state === 'half-open') {
      this.#probing = false;
      this.#restMs = Math.min(this.#restMs * 2, this.#opts.maxOpenMs);
      return this.#open(now);
    }
    if (this.state === 'closed' && this.failures >= this.#opts.failureThreshold) return this.#open(now);
    return false;
  }

  /** Another instance opened this account's circuit until `until`: rest here too. */
  openElsewhere(until: number): void {
    if (this.state === 'open' && this.openUntil >= until) return;
    this.state = 'open';
    this.openUntil = until;
    this.#probing = false;
  }

  /** Another instance saw the account answer again. */
  closedElsewhere(): void {
    this.onSuccess();
  }

  /** A request sent as a probe ended without a verdict (e.g. the client left). */
  onAbandon(): void {
    this.#probing = false;
  }

  #open(now: number): boolean {
    this.state = 'open';
    this.openUntil = now + this.#restMs;
    return true;
  }
}
