import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import OpenAI from 'openai';
import { createApp, type SluiceApp } from '../../src/app.ts';
import { configFrom, type ConfigInput } from '../../src/config/index.ts';
import { startSimulator, type SimAccount, type SimOptions, type Simulator } from '../../src/sim/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';

export const CLIENT_KEY = 'sk-client-test-0001';
export const ADMIN_TOKEN = 'admin-token-for-tests';
export const TEST_SECRET = 'test-master-secret-0123456789';

/** A simulator and a gateway in front of it, both on port 0, plus an official OpenAI client. */
export interface Harness {
  sim: Simulator;
  app: SluiceApp;
  url: string;
  client: OpenAI;
  /** Every log line the gateway wrote, as text. */
  logs: string[];
  store: Store;
  close(): Promise<void>;
}

export interface HarnessOptions {
  sim?: Partial<SimOptions>;
  simAccounts?: SimAccount[];
  /** Gateway accounts; `baseUrl` and `provider` default to the simulator, openai-compatible. */
  accounts?: Array<Partial<NonNullable<ConfigInput['accounts']>[number]> & { name: string; apiKey: string }>;
  clients?: ConfigInput['clients'];
  server?: ConfigInput['server'];
  scheduler?: ConfigInput['scheduler'];
  adminToken?: string;
  /** A store to use (kept open on close); default: a fresh in-memory SQLite. */
  store?: Store;
  secret?: string;
  pricing?: ConfigInput['pricing'];
  batch?: ConfigInput['batch'];
  cache?: ConfigInput['cache'];
  images?: ConfigInput['images'];
  /** Webhook alerts (default: none). */
  alerts?: ConfigInput['alerts'];
  redis?: string;
  metrics?: ConfigInput['metrics'];
  /** Time factor shared by the simulator and the gateway's limit windows (default 0.001 for the sim only). */
  timeScale?: number;
}

/** Two plain accounts serving the default models, simulator and gateway side. */
export function defaultAccounts(n = 2): { simAccounts: SimAccount[]; accounts: NonNullable<HarnessOptions['accounts']> } {
  const simAccounts: SimAccount[] = [];
  const accounts: NonNullable<HarnessOptions['accounts']> = [];
  for (let i = 1; i <= n; i++) {
    simAccounts.push({ name: `acct-${i}`, key: `sk-upstream-secret-${i}-abcdef` });
    accounts.push({
      name: `acct-${i}`,
      apiKey: `sk-upstream-secret-${i}-abcdef`,
      models: ['gpt-4o-mini', 'gpt-image-1', 'dall-e-3', 'text-embedding-3-small', 'omni-moderation-latest'],
    });
  }
  return { simAccounts, accounts };
}

/** GET an admin path with the admin token; returns the parsed JSON. */
export async function admin<T = Record<string, unknown>>(h: Harness, path: string, init: RequestInit = {}): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` };
  if (init.body) headers['content-type'] = 'application/json';
  const res = await fetch(`${h.url}/admin${path}`, { ...init, headers });
  if (!res.ok) throw new Error(`admin ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** POSTs a chat request as client `key`; resolves with status, Sluice headers and the error code if any. */
export async function chatAs(
  h: Harness,
  key: string,
  headers: Record<string, string> = {},
  body: Record<string, unknown> = {},
): Promise<{ status: number; account: string | null; queueMs: number; attempts: number; code?: string; message?: string; headers: Headers }> {
  const res = await fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello there' }], max_completion_tokens: 4, ...body }),
  });
  const json = (await res.json()) as { error?: { code: string; message: string } };
  return {
    status: res.status,
    account: res.headers.get('x-sluice-account'),
    queueMs: Number(res.headers.get('x-sluice-queue-ms') ?? -1),
    attempts: Number(res.headers.get('x-sluice-attempts') ?? 0),
    code: json.error?.code,
    message: json.error?.message,
    headers: res.headers,
  };
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const defaults = defaultAccounts();
  const sim = await startSimulator({ port: 0, timeScale: opts.timeScale ?? 0.001, seed: 7, accounts: opts.simAccounts ?? defaults.simAccounts, ...opts.sim });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const config = configFrom({
    server: { host: '127.0.0.1', port: 0, ...opts.server },
    clients: opts.clients ?? [{ name: 'tester', key: CLIENT_KEY }],
    accounts: (opts.accounts ?? defaults.accounts).map((a) => ({ provider: 'openai-compatible' as const, baseUrl: `${sim.url}/v1`, ...a })),
    scheduler: { ...(opts.timeScale ? { timeScale: opts.timeScale } : {}), ...opts.scheduler },
    adminToken: opts.adminToken ?? ADMIN_TOKEN,
    ...(opts.pricing ? { pricing: opts.pricing } : {}),
    batch: { pollMs: 50, backoffMs: [20, 50], leaseMs: 5000, ...opts.batch },
    images: { store: { local: mkdtempSync(join(tmpdir(), 'sluice-images-')) }, ...opts.images },
    ...(opts.cache ? { cache: opts.cache } : {}),
    ...(opts.redis ? { redis: opts.redis } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.alerts ? { alerts: opts.alerts } : {}),
  });
  const store = opts.store ?? (await openStore({ sqlite: ':memory:' }));
  const app = createApp(config, { store }, { logger: { level: 'info', stream: sink } as never, secret: opts.secret ?? TEST_SECRET });
  const url = await app.listen();
  const client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${url}/v1`, maxRetries: 0 });
  return {
    sim,
    app,
    url,
    client,
    logs,
    store,
    async close() {
      await app.close();
      if (!opts.store) await store.close();
      await sim.close();
    },
  };
}

/** A raw fetch to the gateway with the test client's key. */
export function call(h: Harness, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', `Bearer ${CLIENT_KEY}`);
  return fetch(`${h.url}${path}`, { ...init, headers });
}

