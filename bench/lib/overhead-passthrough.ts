/**
 * The bare baseline of `npm run bench:overhead`: a node:http server that relays every request
 * to one upstream through an undici Pool, streaming both ways, and aborts the upstream call
 * when the client goes away. No auth, no scheduling, no logging: the least a Node proxy does.
 * Usage: `overhead-passthrough.ts <port> <upstream origin>`; prints `passthrough listening on <port>`.
 */
import { createServer } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'undici';

const upstream = new Pool(process.argv[3], { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

const server = createServer({ keepAliveTimeout: 60_000 }, async (req, res) => {
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !HOP.has(k)) headers[k] = v;
  try {
    const up = await upstream.request({ method: req.method as 'POST', path: req.url ?? '/', headers, body: req, signal: abort.signal });
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
    res.writeHead(up.statusCode, out);
    await pipeline(up.body, res);
  } catch {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  }
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(`passthrough listening on ${(server.address() as { port: number }).port}`);
});
for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, () => process.exit(0));
