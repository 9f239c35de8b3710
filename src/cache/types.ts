import type { UpstreamCall } from '../providers/index.ts';

/** What is stored: the upstream answer as the client got it. Treat as read-only: hits share it. */
export interface CachedAnswer {
  status: number;
  contentType: string;
  body: Buffer;
  /** epoch ms; the entry expires at `storedAt + ttlMs(model)`. */
  storedAt: number;
  model: string;
}

/** What {@link cacheDecision} needs to know about one request. */
export interface CachePolicyInput {
  call: UpstreamCall;
  /** true: the client opted in explicitly; false: opted out; null: the config default applies. */
  clientOptIn: boolean | null;
  /** The config default for clients that did not choose. */
  defaultOn: boolean;
  /** The request said `x-sluice-cache: off`. */
  headerOff: boolean;
  /** The client asked for prompt normalisation (see `normalize.ts`). */
  normalize: boolean;
}

/** The answer of {@link cacheDecision}: a key, or why the cache is not used. */
export type CacheDecision = { use: false; reason: string } | { use: true; key: string };

/**
 * Counters of one {@link ResponseCache}. `hits` includes `l2Hits`. `coalesced` counts requests
 * answered by an identical request's upstream call (a waiter whose producer failed is not
 * counted); a request that misses in `get` and is then coalesced counts as a miss too.
 * `bytes`, `entries` and `evictions` describe the in-memory level; an entry dropped because
 * it expired is not an eviction.
 */
export interface CacheStats {
  hits: number;
  misses: number;
  coalesced: number;
  bytes: number;
  entries: number;
  evictions: number;
  l2Hits: number;
  l2Errors: number;
}

/** How a {@link ResponseCache} is built. */
export interface ResponseCacheOptions {
  /** Bytes the in-memory LRU may hold (see `entrySize`). */
  maxBytes: number;
  /** Time to live of an answer of `model`; 0 or less: answers of that model are not cached. */
  ttlMs: (model: string) => number;
  /** Redis as the shared second level; keys are `prefix + key` (prefix default `sluice:cache:`). */
  redis?: { url: string; prefix?: string };
  /** Told of second-level failures: the first one after the level was healthy, not every one. */
  onError?: (err: unknown) => void;
  /** Clock (epoch ms), for tests. */
  now?: () => number;
}
