import { createConnection } from 'node:net';

/** True when Redis answers PING; in CI its absence is an error, not a skip. */
export async function redisAvailable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  const ok = await new Promise<boolean>((resolve) => {
    const sock = createConnection({ host: hostname, port: Number(port || 6379) });
    const done = (v: boolean): void => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(2000, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
  if (!ok && process.env.CI) throw new Error(`Redis is required in CI but ${url} does not answer`);
  return ok;
}
