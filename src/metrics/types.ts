import type { UsageRow } from '../store/types.ts';

/** What the metrics layer reads from the rest of the gateway at scrape time (structural types). */

/** One account as `AccountPool` snapshots it (never its key). */
export interface AccountGaugeSource {
  name: string;
  group: string;
  enabled: boolean;
  inFlight: number;
  circuit: { state: string };
  models: Record<string, { headroom: Record<string, { limit: number; used: number; remaining: number }>; cooldownUntil: string | null }>;
}

export interface CacheGaugeSource {
  entries: number;
  bytes: number;
  evictions: number;
  l2Hits: number;
  l2Errors: number;
}

export interface BatchGaugeSource {
  /** Batches not yet ended, by status. */
  byStatus: Record<string, number>;
  /** Lines of those batches, by state (queued, running, done, failed, ...). */
  lines: Record<string, number>;
}

/** Pull-side sources, read only when Prometheus scrapes. */
export interface MetricSources {
  accounts(now: number): AccountGaugeSource[];
  queue(): Record<string, number>;
  cache(): CacheGaugeSource;
  batches(): Promise<BatchGaugeSource>;
  /** True when `model` is one the pool serves: other names become `other` (clients choose them, so they are unbounded). */
  knownModel(model: string): boolean;
}

/** One finished HTTP request under `/v1`, as the access log sees it. */
export interface HttpObservation {
  /** Client name; '' before authentication. */
  client: string;
  model: string | undefined;
  /** Endpoint name (`chat.completions`, ...) or undefined when the request never reached one. */
  endpoint: string | undefined;
  status: number;
  /** The error code answered, if any (tells the pool's 429 from a client's own quota). */
  code?: string;
  priority?: string;
  totalMs: number;
  queueMs?: number;
  upstreamMs?: number;
  account?: string;
  /** Time to the first streamed byte. */
  ttftMs?: number;
  cache?: 'hit' | 'miss' | 'coalesced' | 'bypass';
}

/** One ledger row (HTTP request or batch line), for money and tokens. */
export type UsageObservation = Pick<UsageRow, 'client' | 'model' | 'inputTextTokens' | 'outputTextTokens' | 'inputImageTokens' | 'outputImageTokens' | 'images' | 'costNanoUsd'>;
