import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP relay to Redis that the test can cut and restore, to take Redis away at run time. */
export async function redisRelay(target: string): Promise<{ url: string; cut: () => Promise<void>; restore: () => Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let server: Server;
  const listen = async (at: number): Promise<number> => {
    server = createServer((client) => {
      const upstream = connect(Number(port || 6379), hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => {
          sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(at, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  };
  const at = await listen(0);
  return {
    url: `redis://127.0.0.1:${at}`,
    cut: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
    restore: async () => {
      await listen(at);
    },
  };
}
