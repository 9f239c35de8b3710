import { parseGoDuration } from './durations.ts';
import type { UpstreamResponse } from './types.ts';

/** What an answer's `x-ratelimit-*` headers said about the account (each field optional). */
export interface RateLimitInfo {
  limitRequests?: number;
  limitTokens?: number;
  remainingRequests?: number;
  remainingTokens?: number;
  resetRequestsMs?: number;
  resetTokensMs?: number;
  /** `openai-processing-ms`: how long the upstream worked on the request. */
  processingMs?: number;
}

function num(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined || s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function duration(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n * 1000 : parseGoDuration(s);
}

/**
 * Reads OpenAI's rate-limit headers (Azure sends only the `remaining` ones). Any may be
 * missing, even on 429s (shared/OPENAI-WIRE.md): callers never depend on them.
 */
export function readRateLimitHeaders(h: UpstreamResponse['headers']): RateLimitInfo {
  return {
    limitRequests: num(h['x-ratelimit-limit-requests']),
    limitTokens: num(h['x-ratelimit-limit-tokens']),
    remainingRequests: num(h['x-ratelimit-remaining-requests']),
    remainingTokens: num(h['x-ratelimit-remaining-tokens']),
    resetRequestsMs: duration(h['x-ratelimit-reset-requests']),
    resetTokensMs: duration(h['x-ratelimit-reset-tokens']),
    processingMs: num(h['openai-processing-ms']),
  };
}
