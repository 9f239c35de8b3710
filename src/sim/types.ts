/**
 * Public shapes of the upstream simulator. They mirror how a real OpenAI/Azure account is
 * described (per-model limits, a key, a concurrency cap) plus knobs for injected faults, so
 * a benchmark can describe a fleet of fake accounts in the same terms as the gateway config.
 */

/** One fake upstream account: its key, its per-model limits and its injected faults. */
export interface SimAccount {
  name: string;
  key: string;
  /** Per-model limits; when present, models not listed (and not in `SimOptions.models`) answer 404. */
  limits?: Record<string, SimModelLimits>;
  /** Requests of this account processed at the same time; one more is a 429 and a violation. */
  maxConcurrent?: number;
  faults?: SimFaults;
}

/** Limits of one model on one account, enforced as exact sliding windows. */
export interface SimModelLimits {
  rpm?: number;
  tpm?: number;
  rpd?: number;
  /** Images per minute (charged `n` per image request), the limit that binds gpt-image-1. */
  ipm?: number;
  /** A short window on top of rpm, like the sub-minute smoothing real accounts apply. */
  burst?: { requests: number; perSeconds: number };
}

/** Faults injected per account, drawn from a seeded RNG after auth and before limits. */
export interface SimFaults {
  error500Rate?: number;
  error503Rate?: number;
  /** 429 storm: fake rate-limit answers not caused by real load, not counted as violations. */
  rate429Rate?: number;
  insufficientQuota?: boolean;
  invalidKey?: boolean;
  hangRate?: number;
  resetRate?: number;
  malformedRate?: number;
  cutStreamRate?: number;
}

/** The endpoints whose latency can be tuned. */
export type SimLatencyKey = 'chat' | 'chatChunk' | 'embeddings' | 'moderations' | 'images' | 'imageEdits';

/** Options of one simulator instance (also the shape of the YAML config file). */
export interface SimOptions {
  host?: string;
  /** 0 = ephemeral. */
  port?: number;
  accounts: SimAccount[];
  /** Multiplies every latency AND every limit window; 0.01 = a "minute" lasts 600 ms. */
  timeScale?: number;
  /** Unscaled latencies in ms. */
  latencyMs?: Partial<Record<SimLatencyKey, number>>;
  /** Seed of the deterministic fault RNG. */
  seed?: number;
  /** Extra models every account serves even when it has `limits`. */
  models?: string[];
}

/** Counters of one model on one account. */
export interface SimModelStats {
  accepted: number;
  violations: number;
}

/** Counters of one account; `violations` is the number benchmarks judge a gateway by. */
export interface SimAccountStats {
  accepted: number;
  /** All 429s given, including storms and quota errors. */
  rateLimited: number;
  /** Requests that arrived when the account had no room in some window or in concurrency. */
  violations: number;
  faults: number;
  inFlight: number;
  maxInFlight: number;
  byModel: Record<string, SimModelStats>;
}

/** Stats of a whole simulator: per account, and totals (sums; maxInFlight is the global peak). */
export interface SimStats {
  accounts: Record<string, SimAccountStats>;
  totals: SimAccountStats;
}

/** A running simulator. */
export interface Simulator {
  /** e.g. http://127.0.0.1:PORT (no trailing slash, no /v1). */
  url: string;
  port: number;
  stats(): SimStats;
  /** Zeroes stats and limit windows. */
  reset(): void;
  setFaults(accountName: string, faults: SimFaults): void;
  /** Ends hung requests and all sockets promptly. */
  close(): Promise<void>;
}
