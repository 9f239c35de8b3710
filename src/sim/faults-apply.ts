import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Reply } from './errors.ts';
import { insufficientQuota, invalidApiKey, overloaded, serverError } from './errors.ts';
import type { FaultKind } from './faults.ts';
import { wait } from './http-io.ts';
import type { Plan } from './plan.ts';
import type { LimitContext } from './rate-limit-replies.ts';
import { stormRefusal } from './rate-limit-replies.ts';
import type { AccountState, SimState } from './state.ts';

/** What applying a fault needs to know about the request. */
export interface FaultRequest {
  req: IncomingMessage;
  res: ServerResponse;
  plan: Plan;
  account: AccountState;
  limitContext: LimitContext;
  signal: AbortSignal;
  /** Common headers (request id, processing ms). */
  headers(): Record<string, string>;
  /** Rate-limit headers as they stand, for the storm 429. */
  rateHeaders(): Record<string, string>;
  reply(r: Reply, extra?: Record<string, string>): void;
}

/** Writes a 200 whose body is not valid JSON (an event stream with a broken chunk for streams). */
async function writeMalformed(f: FaultRequest): Promise<void> {
  if (!(await wait(f.plan.latencyMs, f.signal)) || f.res.destroyed) return;
  if (f.plan.stream) {
    f.res.writeHead(200, { ...f.headers(), 'content-type': 'text/event-stream; charset=utf-8' });
    f.res.end('data: {"id":"chatcmpl-sim","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"he\n\ndata: [DONE]\n\n');
    return;
  }
  f.res.writeHead(200, { ...f.headers(), 'content-type': 'application/json' });
  f.res.end('{"id":"sim-malformed","object":"chat.completion","choices":[{"index":0,"message":{"role":"assis');
}

/**
 * Answers a request with an injected fault. Faulted requests consume no limit and are not
 * "accepted"; every one counts in `faults`, and the 429 kinds also in `rateLimited`.
 */
export async function applyFault(state: SimState, kind: FaultKind, f: FaultRequest): Promise<void> {
  const name = f.account.account.name;
  state.stats.fault(name);
  switch (kind) {
    case 'invalidKey':
      return f.reply(invalidApiKey(f.account.account.key, f.limitContext.style));
    case 'error500':
      return f.reply(serverError());
    case 'error503':
      return f.reply(overloaded());
    case 'insufficientQuota':
      state.stats.rateLimited(name);
      return f.reply(insufficientQuota());
    case 'rate429': {
      state.stats.rateLimited(name);
      const rpm = f.account.limits.limitsOf(f.plan.model).rpm;
      return f.reply(stormRefusal(rpm, 1000 * state.timeScale, f.limitContext), f.rateHeaders());
    }
    case 'hang':
      return; // never answer: the client's timeout or close() ends it
    case 'reset':
      f.req.socket.destroy();
      return;
    case 'malformed':
      return writeMalformed(f);
    case 'cutStream':
      return f.plan.respond({ res: f.res, headers: f.headers, signal: f.signal, cut: true });
  }
}
