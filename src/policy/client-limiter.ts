import { GatewayError } from '../errors/index.ts';
import { type Need, SlidingWindow } from '../pool/index.ts';

const MINUTE = 60_000;

/**
 * A client's own per-minute limits across the whole pool (the operator's quota for that team),
 * counted in exact sliding windows like the accounts' limits. Over it, the client gets 429
 * with the time until its window frees: it is the client's quota, not the pool's capacity.
 */
export class ClientLimiter {
  readonly #windows: Array<[SlidingWindow, (n: Need) => number, string]> = [];

  constructor(limits: { rpm: number | null; tpm: number | null; ipm: number | null }, timeScale = 1) {
    const windowMs = MINUTE * timeScale;
    if (limits.rpm) this.#windows.push([new SlidingWindow(windowMs, limits.rpm), (n) => n.requests, 'requests per minute']);
    if (limits.tpm) this.#windows.push([new SlidingWindow(windowMs, limits.tpm), (n) => n.tokens, 'tokens per minute']);
    if (limits.ipm) this.#windows.push([new SlidingWindow(windowMs, limits.ipm), (n) => n.images, 'images per minute']);
  }

  /** Counts `need`, or throws 429 `client_rate_limit_exceeded` naming the limit and the wait. */
  take(need: Need, now = Date.now()): void {
    for (const [w, amount, label] of this.#windows) {
      const a = amount(need);
      const wait = a > 0 ? w.waitFor(Math.min(a, w.limit), now) : 0;
      if (wait > 0) {
        const ms = Math.ceil(wait);
        throw new GatewayError('client_rate_limit_exceeded', `Your key's limit of ${w.limit} ${label} is reached. Please try again in ${(ms / 1000).toFixed(1)}s.`, {
          headers: { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))), 'retry-after-ms': String(ms) },
        });
      }
    }
    for (const [w, amount] of this.#windows) w.add(amount(need), now);
  }

  get limited(): boolean {
    return this.#windows.length > 0;
  }
}
