import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits before retrying after an upstream failure: exponential (100 ms, 200 ms, 400 ms, ...,
 * at most 2 s) with "equal jitter" (half fixed, half random) so retries from many requests do
 * not arrive together. Never waits past `deadline`.
 */
export async function backoff(failures: number, deadline: number, signal: AbortSignal): Promise<void> {
  const base = Math.min(2000, 100 * 2 ** Math.max(0, failures - 1));
  const ms = Math.min(base / 2 + (Math.random() * base) / 2, Math.max(0, deadline - Date.now()));
  if (ms > 0) await sleep(ms, undefined, { signal });
}
