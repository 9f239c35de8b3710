import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { stringify } from 'yaml';
import type { ConfigInput } from '../../src/config/index.ts';
import { PG_URL } from './stores.ts';

/** A free TCP port on 127.0.0.1 (for a Redis that must come back on the same port). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

/** True when a `redis-server` binary is on PATH. */
export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** A Redis server of the test's own (no persistence), which the test may kill and start again on the same port. */
export interface OwnRedis {
  url: string;
  start(): Promise<void>;
  /** SIGKILL: gone at once, with all its data. */
  kill(): Promise<void>;
}

export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const r: OwnRedis = {
    url,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      for (let i = 0; i < 100; i++) {
        const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        c.on('error', () => {});
        try {
          await c.connect();
          await c.ping();
          return;
        } catch {
          await sleep(50);
        } finally {
          c.disconnect();
        }
      }
      throw new Error(`redis-server did not start on ${port}`);
    },
    async kill() {
      const c = child;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((res) => c.once('exit', res));
      c.kill('SIGKILL');
      await exited;
    },
  };
  await r.start();
  return r;
}

/** A PostgreSQL database of the test's own; `drop()` removes it. */
export async function ownDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sluice_cluster_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** One `sluice serve` process. */
export interface Instance {
  child: ChildProcess;
  url: string;
  /** Everything it printed. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Writes `config` as YAML and starts `sluice serve` on it (port 0); resolves once it listens. */
export async function startInstance(config: ConfigInput, env: NodeJS.ProcessEnv = {}): Promise<Instance> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-instance-'));
  const file = join(dir, 'sluice.yaml');
  writeFileSync(file, stringify(config));
  const child = spawn(process.execPath, ['bin/sluice.mjs', 'serve', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((res) => child.once('exit', res));
    child.kill(signal);
    await exited;
  };
  for (let i = 0; i < 400; i++) {
    const url = /listening on (http:\/\/[\d.:]+)/.exec(out)?.[1];
    if (url) return { child, url, output: () => out, stop };
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  await stop('SIGKILL');
  throw new Error(`sluice serve did not start: ${out}`);
}
