/**
 * Direct calls from a baseline to one simulator account, as a gateway without a scheduler
 * makes them: the account's key, the OpenAI path, the request body unchanged.
 */
import type { Agent } from 'undici';
import type { SimAccount } from '../../../src/sim/index.ts';
import { failedOutcome, postJson } from '../http.ts';
import type { BenchRequest, Endpoint, Outcome } from '../types.ts';

/** The OpenAI path of an endpoint kind (the same on the gateway and the simulator). */
export function upstreamPath(endpoint: Endpoint): string {
  return endpoint === 'images' ? '/v1/images/generations' : '/v1/chat/completions';
}

/** One attempt on one account; transport failures become status 0 instead of throwing. */
export async function callAccount(agent: Agent, simUrl: string, account: SimAccount, req: BenchRequest, signal: AbortSignal, attempts: number): Promise<Outcome> {
  try {
    const r = await postJson(agent, `${simUrl}${upstreamPath(req.endpoint)}`, { authorization: `Bearer ${account.key}` }, req.body, signal);
    return { status: r.status, code: r.code, attempts };
  } catch (err) {
    return failedOutcome(err, signal, attempts);
  }
}

/**
 * Failures that are the account's, not the request's: worth another account. Both baselines
 * retry these (one-api and LiteLLM both fail over on rate limits, 5xx, bad keys, dead sockets).
 */
export function isAccountFailure(o: Outcome): boolean {
  return o.status === 429 || o.status === 401 || o.status >= 500 || (o.status === 0 && o.code !== 'bench_timeout');
}
