import type { CachedAnswer } from '../../src/cache/index.ts';
import type { Endpoint, UpstreamCall } from '../../src/providers/index.ts';

/** A JSON call as the HTTP layer builds it from a body (model taken from the body). */
export function callOf(endpoint: Endpoint, json: Record<string, unknown>, stream = json.stream === true): UpstreamCall {
  return { endpoint, model: String(json.model), json, stream };
}

/** A chat call at temperature 0 with one user message, plus `extra` fields. */
export function chatCall(content: string, extra: Record<string, unknown> = {}): UpstreamCall {
  return callOf('chat.completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content }], temperature: 0, ...extra });
}

/** An answer whose body is `bodyBytes` bytes long. */
export function answerOf(bodyBytes: number, storedAt: number, model = 'gpt-4o-mini'): CachedAnswer {
  return { status: 200, contentType: 'application/json', body: Buffer.alloc(bodyBytes, 'x'), storedAt, model };
}

/** A clock the test moves by hand. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}
