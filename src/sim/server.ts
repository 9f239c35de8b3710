import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { serveApi } from './api.ts';
import { serverError, unknownRoute } from './errors.ts';
import { sendReply } from './http-io.ts';
import { matchRoute } from './routes.ts';
import { serveControl, serveImage } from './sim-control.ts';
import type { SimState } from './state.ts';

/** Routes one request; any unexpected error becomes a 500 (or a dropped socket mid-answer). */
async function handle(state: SimState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://sim.invalid');
  } catch {
    return sendReply(res, unknownRoute(req.method ?? 'GET', String(req.url)));
  }
  const route = matchRoute(req.method ?? 'GET', url);
  switch (route.kind) {
    case 'api':
      return serveApi(state, route, req, res);
    case 'sim':
      return serveControl(state, route, req, res);
    case 'image':
      return serveImage(state, route.id, res);
    default:
      return sendReply(res, unknownRoute(req.method ?? 'GET', url.pathname));
  }
}

/**
 * A plain `node:http` server (not a framework) because the simulator must be able to hang,
 * reset sockets, write broken JSON and cut streams. Bad input never crashes it.
 */
export function createSimServer(state: SimState): Server {
  const server = createServer({ requestTimeout: 0, keepAliveTimeout: 5_000 }, (req, res) => {
    res.on('error', () => {});
    handle(state, req, res).catch(() => {
      if (!res.headersSent) sendReply(res, serverError());
      else res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}
