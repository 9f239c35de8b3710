/** Seconds per bucket of the request series the dashboard charts. */
export const SERIES_STEP_SECONDS = 10;
/** Buckets kept: one hour. */
const BUCKETS = 360;

/** The last hour of traffic, one value per {@link SERIES_STEP_SECONDS}, oldest first. */
export interface SeriesView {
  stepSeconds: number;
  /** Epoch ms of the first bucket's start. */
  start: number;
  requests: number[];
  /** Answers 5xx: the gateway or its upstreams failed. */
  serverErrors: number[];
  /** Answers 429 because the pool had no capacity before the deadline. */
  rateLimited: number[];
  /** Other 4xx: the request's own fault (bad input, auth, its own rate limit or budget). */
  clientErrors: number[];
}

/**
 * Counts per 10-second bucket over a sliding hour, in fixed arrays (no allocation per request).
 * Prometheus keeps the real history; this is what the dashboard draws without one.
 */
export class RequestSeries {
  readonly #requests = new Uint32Array(BUCKETS);
  readonly #server = new Uint32Array(BUCKETS);
  readonly #limited = new Uint32Array(BUCKETS);
  readonly #client = new Uint32Array(BUCKETS);
  /** Index (in steps since the epoch) of the newest bucket written. */
  #head = 0;

  /** Counts one answer; a 429 counts as the pool's only with `rate_limit_exceeded` (a client's own quota is its own fault). */
  add(status: number, code?: string, now = Date.now()): void {
    const i = this.#advance(now);
    this.#requests[i]++;
    if (status >= 500) this.#server[i]++;
    else if (status === 429 && (code === undefined || code === 'rate_limit_exceeded')) this.#limited[i]++;
    else if (status >= 400) this.#client[i]++;
  }

  view(now = Date.now()): SeriesView {
    const head = this.#advance(now);
    const order = (a: Uint32Array): number[] => {
      const out = new Array<number>(BUCKETS);
      for (let k = 0; k < BUCKETS; k++) out[k] = a[(head + 1 + k) % BUCKETS];
      return out;
    };
    const step = SERIES_STEP_SECONDS * 1000;
    return {
      stepSeconds: SERIES_STEP_SECONDS,
      start: (this.#head - BUCKETS + 1) * step,
      requests: order(this.#requests),
      serverErrors: order(this.#server),
      rateLimited: order(this.#limited),
      clientErrors: order(this.#client),
    };
  }

  /** Moves the head to `now`'s bucket, zeroing the buckets skipped; returns its slot. */
  #advance(now: number): number {
    const step = Math.floor(now / (SERIES_STEP_SECONDS * 1000));
    if (this.#head === 0) this.#head = step;
    if (step > this.#head) {
      const gap = Math.min(step - this.#head, BUCKETS);
      for (let k = 1; k <= gap; k++) {
        const slot = (this.#head + k) % BUCKETS;
        this.#requests[slot] = 0;
        this.#server[slot] = 0;
        this.#limited[slot] = 0;
        this.#client[slot] = 0;
      }
      this.#head = step;
    }
    return this.#head % BUCKETS;
  }
}
