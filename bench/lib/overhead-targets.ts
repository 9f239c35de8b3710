/**
 * Starts the processes `npm run bench:overhead` compares, each pinned with `taskset`: the
 * mock upstream, the bare Node pass-through, nginx, the Portkey gateway and Sluice. Each
 * target says how a client reaches the mock's chat completions through it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { freePort } from '../../test/helpers/cluster.ts';

export const CLIENT_KEY = 'sk-bench-overhead-client';
/** Admin token of the benchmarked Sluice (`GET /metrics`). */
export const ADMIN_TOKEN = 'bench-overhead-admin-token';
const TS = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'];

export interface Target {
  name: string;
  /** The process whose CPU and RSS are measured (with its children). */
  pid: number;
  origin: string;
  headers: Record<string, string>;
  /** The file its stdout and stderr go to. */
  log: string;
  stop(): Promise<void>;
}

/** Spawns `cmd` under `taskset -c core` with its output in `log`. */
function pinned(core: number, cmd: string, args: string[], log: string, env: NodeJS.ProcessEnv = {}, cwd?: string): ChildProcess {
  const fd = openSync(log, 'a');
  return spawn('taskset', ['-c', String(core), cmd, ...args], { stdio: ['ignore', fd, fd], env: { ...process.env, ...env }, cwd });
}

/** Resolves once `origin` answers any HTTP request. */
async function ready(origin: string, child: ChildProcess, log: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    try {
      await fetch(`${origin}/`, { signal: AbortSignal.timeout(500) }).then((r) => r.arrayBuffer());
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`${origin} did not start: ${existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : ''}`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  };
}

async function started(name: string, child: ChildProcess, port: number, log: string, headers: Record<string, string> = {}): Promise<Target> {
  const origin = `http://127.0.0.1:${port}`;
  await ready(origin, child, log);
  return { name, pid: child.pid as number, origin, headers, log, stop: stopper(child) };
}

export async function startMock(core: number, dir: string): Promise<Target> {
  const port = await freePort();
  const log = join(dir, 'mock.log');
  return started('direct (mock)', pinned(core, process.execPath, [...TS, 'bench/lib/overhead-mock.ts', String(port)], log), port, log);
}

export async function startPassthrough(core: number, dir: string, upstream: string): Promise<Target> {
  const port = await freePort();
  const log = join(dir, 'passthrough.log');
  return started('bare Node pass-through', pinned(core, process.execPath, [...TS, 'bench/lib/overhead-passthrough.ts', String(port), upstream], log), port, log);
}

/** Debian's nginx, one worker, keep-alive to the mock, no buffering (SSE passes through). */
export async function startNginx(core: number, dir: string, upstream: string): Promise<Target | string> {
  if (spawnSync('nginx', ['-v']).status !== 0) return 'nginx is not installed (apt-get install -y nginx)';
  const port = await freePort();
  const prefix = join(dir, 'nginx');
  mkdirSync(join(prefix, 'logs'), { recursive: true });
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;\nuser root;\npid ${prefix}/nginx.pid;\nerror_log ${prefix}/logs/error.log warn;\nevents { worker_connections 4096; }\nhttp {\n  access_log ${prefix}/logs/access.log;\n  upstream mock { server ${upstream.replace('http://', '')}; keepalive 256; }\n  server {\n    listen 127.0.0.1:${port};\n    location / {\n      proxy_pass http://mock;\n      proxy_http_version 1.1;\n      proxy_set_header Connection "";\n      proxy_buffering off;\n    }\n  }\n}\n`,
  );
  const log = join(dir, 'nginx.log');
  return started('nginx', pinned(core, 'nginx', ['-p', prefix, '-c', conf, '-g', 'daemon off;'], log), port, log);
}

/** The Portkey gateway (npm dev dependency), pointed at the mock as a custom OpenAI host. */
export async function startPortkey(core: number, dir: string, upstream: string): Promise<Target | string> {
  const entry = 'node_modules/@portkey-ai/gateway/build/start-server.js';
  if (!existsSync(entry)) return '@portkey-ai/gateway is not installed (npm ci)';
  const port = await freePort();
  const log = join(dir, 'portkey.log');
  const child = pinned(core, process.execPath, [entry, `--port=${port}`, '--headless'], log, { NODE_ENV: 'production' });
  return started('Portkey gateway 1.15.2', child, port, log, { authorization: 'Bearer sk-mock', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream}/v1` });
}

/**
 * `sluice serve` with its full path on: auth, scheduler, ledger (SQLite), metrics, one access-log
 * line per request. `tree` runs another checkout's Sluice (e.g. before a change) under `label`;
 * `nodeArgs` go to Node before the script (bench:soak's heap-snapshot signal).
 */
export async function startSluice(core: number, dir: string, upstream: string, logLevel = 'info', tree?: { path: string; label: string }, nodeArgs: string[] = []): Promise<Target> {
  const port = await freePort();
  const name = tree ? 'sluice-' + tree.label.replace(/\W+/g, '-') : 'sluice';
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    stringify({
      server: { host: '127.0.0.1', port, logLevel },
      adminToken: ADMIN_TOKEN,
      store: { sqlite: join(dir, `${name}.db`) },
      cache: { defaultOn: false },
      clients: [{ name: 'bench', key: CLIENT_KEY }],
      accounts: [{ name: 'mock', provider: 'openai-compatible', baseUrl: `${upstream}/v1`, apiKey: 'sk-mock', models: ['gpt-4o-mini', 'slow-model'] }],
    }),
  );
  const log = join(dir, `${name}.log`);
  const child = pinned(core, process.execPath, [...nodeArgs, 'bin/sluice.mjs', 'serve', '--config', file], log, {}, tree?.path);
  return started(tree ? `Sluice ${tree.label} (log ${logLevel})` : `Sluice (log ${logLevel})`, child, port, log, { authorization: `Bearer ${CLIENT_KEY}` });
}
