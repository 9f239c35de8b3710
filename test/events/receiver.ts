import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One POST a webhook receiver got. */
export interface Received {
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
  /** performance.now() when it arrived. */
  at: number;
}

/** A real HTTP server on 127.0.0.1, port 0, standing in for Slack, Feishu, DingTalk or a program. */
export interface Receiver {
  url: string;
  got: Received[];
  /** Resolves once `n` POSTs arrived; fails after `ms`. */
  waitFor(n: number, ms?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/**
 * Starts a receiver; `status(n)` is the status of the n-th POST (1-based), or 'hang' to
 * never answer (close() ends it).
 */
export async function startReceiver(status: (n: number) => number | 'hang' = () => 200): Promise<Receiver> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // Kept as raw text; the test will notice.
      }
      got.push({ url: req.url ?? '', headers: req.headers, raw, body, at: performance.now() });
      const s = status(got.length);
      if (s === 'hang') return;
      res.writeHead(s, { 'content-type': 'text/plain' }).end(s < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    got,
    async waitFor(n, ms = 5000) {
      const deadline = Date.now() + ms;
      while (got.length < n) {
        if (Date.now() > deadline) throw new Error(`receiver: expected ${n} POSTs within ${ms} ms, got ${got.length}`);
        await sleep(10);
      }
      return got;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
