import { GatewayError } from '../errors/index.ts';
import type { Dispatched, DispatchRequest } from './types.ts';

/**
 * Errors that mean "this model cannot be served before the deadline": no account had room in
 * time (or only 429s came back), no enabled account serves it, or it fits no account's limits.
 * The request's own errors and upstream failures are not among them: a fallback is for
 * capacity, not a way to hide a bad request or a broken upstream.
 */
const UNSERVABLE: ReadonlySet<string> = new Set(['rate_limit_exceeded', 'no_account_available', 'request_exceeds_limit']);

/**
 * Runs `req.call`, then each of `req.fallbacks` in order, all within the one deadline the
 * client gave. Every model but the last gives up as soon as the pool foresees no room for it
 * in time (`giveUpEarly`), so the next one still has time to run. The answer says which model
 * served it (`Dispatched.model`); when every model fails for capacity the client gets the
 * first model's error (its `retry-after` is about the model it asked for).
 */
export async function dispatchWithFallbacks(req: DispatchRequest, dispatchOne: (r: DispatchRequest) => Promise<Dispatched>): Promise<Dispatched> {
  const started = Date.now();
  const deadline = started + req.maxWaitMs;
  const calls = [req.call, ...(req.fallbacks ?? [])];
  let first: GatewayError | undefined;
  for (let i = 0; ; i++) {
    const last = i === calls.length - 1;
    const spentMs = Date.now() - started;
    try {
      const d = await dispatchOne({
        ...req,
        call: calls[i],
        need: i === 0 ? req.need : undefined,
        fallbacks: undefined,
        giveUpEarly: !last,
        maxWaitMs: Math.max(0, deadline - Date.now()),
      });
      // Time spent on the models that could not serve counts as waiting.
      if (spentMs > 0) d.queueMs += Math.round(spentMs);
      return d;
    } catch (err) {
      if (!(err instanceof GatewayError) || !UNSERVABLE.has(err.code)) throw err;
      first ??= err;
      if (last) throw first;
    }
  }
}
