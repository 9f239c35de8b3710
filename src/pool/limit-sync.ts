/**
 * Limit state shared by several Sluice instances (implemented on Redis in src/cluster). The
 * pool's own windows stay the fast local view that picks an account; the shared windows are
 * the authority that confirms the pick, so the pool's limits hold across all instances.
 */

/** One limited dimension of a request, as the shared windows count it. */
export interface SharedDim {
  dim: string;
  /** The window's length in ms (already scaled and with the transit margin). */
  windowMs: number;
  limit: number;
  amount: number;
}

/** A request's use of one account and model in the shared windows. */
export interface SharedReservation {
  /** Unique across instances. */
  readonly id: string;
  readonly account: string;
  readonly model: string;
  readonly dims: SharedDim[];
  /** When the upstream most likely counted it (epoch ms; set and moved later by the sync). */
  countedAt?: number;
}

export interface LimitSync {
  /**
   * Counts `r` in the shared windows if it fits in all of them: resolves 0. Otherwise counts
   * nothing and resolves with the ms until it may fit (an upstream cooldown included). Never
   * rejects: when the shared state is unreachable it resolves 0 and the pool's local limits,
   * scaled to this instance's share, keep the pool safe.
   *
   * `rank` is the request's priority (0 high, 1 normal, 2 low): a refused request of rank r
   * marks the account urgent for rank r until its next free slot, and a request of a lower
   * priority is refused while it is, so priorities hold across instances.
   */
  reserve(r: SharedReservation, rank: number): Promise<number>;
  /** Moves `r` to when the upstream counted it (`processingMs` before now) and/or corrects its tokens. */
  settle(r: SharedReservation, update: { processingMs?: number; tokens?: number }): void;
  /** The upstream said "wait": every instance rests `account`/`model` for `ms`. */
  cool(account: string, model: string, ms: number): void;
  /** A limit learned from the upstream's headers, for every instance. */
  learned(account: string, model: string, dim: string, limit: number): void;
}
