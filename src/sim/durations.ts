/**
 * Go-style duration strings, because OpenAI's `x-ratelimit-reset-*` headers and its
 * "Please try again in …" messages are formatted by Go's `time.Duration.String()`
 * (`12ms`, `1s`, `6m0s`, `4m12.172s`, `23h18m29.144s`). Precision is one millisecond.
 */
export function goDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = secondsText(total % 60_000);
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** `12172` → `12.172`, `12100` → `12.1`, `12000` → `12`. */
function secondsText(ms: number): string {
  const whole = Math.floor(ms / 1000);
  const frac = ms % 1000;
  if (frac === 0) return String(whole);
  return `${whole}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
}

/**
 * Rounds a wait up to whole milliseconds, ignoring float noise below a microsecond, so that a
 * 600 ms window does not read `601ms` because `t + 600 - t` came out as 600.0000000001.
 */
export function ceilMs(ms: number): number {
  return Math.max(0, Math.ceil(ms - 1e-6));
}
