/**
 * When and how long to retry, as the official OpenAI Node client does (openai-node
 * `src/client.ts`, summarised in shared/OPENAI-WIRE.md): 408, 409, 429, >= 500 and connection
 * errors are retried, `x-should-retry` overrides the status, and the server's `retry-after-ms`
 * / `retry-after` is honoured when it is 0-60 s; otherwise 0.5 * 2^n s capped at 8 s, minus up
 * to 25 % jitter.
 */

/** The part of `Headers` used here (the global and undici's classes both fit). */
export interface HeaderLookup {
  get(name: string): string | null;
}

/** Whether an HTTP answer should be retried. */
export function shouldRetryStatus(status: number, headers: HeaderLookup): boolean {
  const header = headers.get('x-should-retry');
  if (header === 'true') return true;
  if (header === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

const MAX_SERVER_DELAY_MS = 60_000;
const INITIAL_DELAY_S = 0.5;
const MAX_DELAY_S = 8;

/** The delay the server asked for (`retry-after-ms`, else `retry-after` seconds or HTTP date), if any. */
export function serverDelayMs(headers: HeaderLookup | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms) {
    const v = Number.parseFloat(ms);
    if (!Number.isNaN(v)) return v;
  }
  const after = headers.get('retry-after');
  if (after) {
    const seconds = Number.parseFloat(after);
    return Number.isNaN(seconds) ? Date.parse(after) - now : seconds * 1000;
  }
  return undefined;
}

/**
 * Milliseconds to wait before retry number `retriesDone + 1`. A server delay outside 0-60 s
 * (or none) falls back to exponential backoff with jitter.
 */
export function retryDelayMs(headers: HeaderLookup | undefined, retriesDone: number, random: () => number = Math.random): number {
  const asked = serverDelayMs(headers);
  if (asked !== undefined && Number.isFinite(asked) && asked >= 0 && asked <= MAX_SERVER_DELAY_MS) return asked;
  const seconds = Math.min(INITIAL_DELAY_S * 2 ** retriesDone, MAX_DELAY_S);
  return seconds * (1 - random() * 0.25) * 1000;
}
