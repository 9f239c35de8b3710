import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFaults } from './config.ts';
import { openaiError } from './errors.ts';
import { readBody, sendReply } from './http-io.ts';
import type { Route } from './routes.ts';
import type { SimState } from './state.ts';
import { resetState } from './state.ts';

/**
 * The simulator's own control paths (no auth: it is a test double on a private port):
 * `GET /sim/stats`, `POST /sim/reset`, `POST /sim/faults {account, faults}`.
 */
export async function serveControl(state: SimState, route: Extract<Route, { kind: 'sim' }>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (route.action === 'stats') return sendReply(res, { status: 200, body: state.stats.snapshot() });
  if (route.action === 'reset') {
    resetState(state);
    return sendReply(res, { status: 200, body: { ok: true } });
  }
  let input: { account?: unknown; faults?: unknown };
  try {
    input = JSON.parse((await readBody(req)).toString('utf8'));
    const account = state.byName.get(String(input.account));
    if (!account) return sendReply(res, openaiError(404, `Unknown account: ${String(input.account)}`, 'invalid_request_error', null, 'account'));
    account.faults = parseFaults(input.faults ?? {});
    return sendReply(res, { status: 200, body: { ok: true, account: account.account.name, faults: account.faults } });
  } catch (err) {
    return sendReply(res, openaiError(400, (err as Error).message, 'invalid_request_error', null));
  }
}

/** `GET /sim/images/{id}.png`: the PNG behind a DALL·E `url` answer. */
export function serveImage(state: SimState, id: string, res: ServerResponse): void {
  if (!state.imageIds.has(id)) {
    sendReply(res, openaiError(404, `Unknown image ${id}`, 'invalid_request_error', null));
    return;
  }
  res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(state.png.length) });
  res.end(state.png);
}
