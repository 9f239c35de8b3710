/**
 * The response cache: canonical request keys, the decision whether a request may use the
 * cache, an in-memory LRU by bytes with Redis as a shared second level, and coalescing of
 * identical requests in flight. See README "Cache and image delivery".
 */
export { canonicalKey } from './canonical.ts';
export { cacheDecision } from './decision.ts';
export { ResponseCache } from './response-cache.ts';
export type { CachedAnswer, CacheDecision, CachePolicyInput, CacheStats, ResponseCacheOptions } from './types.ts';
