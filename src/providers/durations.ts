/**
 * Parsing of the waiting times upstreams state. OpenAI's `x-ratelimit-reset-*` headers and
 * its 429 messages use Go-style durations (`12ms`, `1.2s`, `6m0s`, `23h18m29.144s`); Azure
 * says "Please retry after 6 seconds" and sends `retry-after-ms`.
 */
const GO_PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds of a Go-style duration, or undefined when `text` is not one. */
export function parseGoDuration(text: string): number | undefined {
  const t = text.trim();
  if (!/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(t)) return undefined;
  let total = 0;
  for (const [, n, unit] of t.matchAll(GO_PART)) total += Number(n) * UNIT_MS[unit];
  return total;
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * How long the upstream asked us to wait, from (in order) `retry-after-ms`, `retry-after`
 * (seconds or an HTTP date), or the message ("try again in 1.2s", "retry after 6 seconds").
 */
export function retryAfterMs(headers: Headers, message: string | undefined, now = Date.now()): number | undefined {
  const ms = Number(header(headers, 'retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0 && header(headers, 'retry-after-ms') !== undefined) return ms;
  const ra = header(headers, 'retry-after');
  if (ra !== undefined) {
    const secs = Number(ra);
    if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
    const date = Date.parse(ra);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  if (message) {
    const go = /try again in (\d[\w.]*)/i.exec(message);
    if (go) {
      const d = parseGoDuration(go[1].replace(/\.$/, ''));
      if (d !== undefined) return d;
    }
    const az = /retry after (\d+(?:\.\d+)?) seconds?/i.exec(message);
    if (az) return Number(az[1]) * 1000;
  }
  return undefined;
}
