import { Writable } from 'node:stream';
import OpenAI from 'openai';
import { createApp, type SluiceApp } from '../../src/app.ts';
import { configFrom, type ConfigInput } from '../../src/config/index.ts';
import { startSimulator, type SimAccount, type SimOptions, type Simulator } from '../../src/sim/index.ts';

export const CLIENT_KEY = 'sk-client-test-0001';

/** A simulator and a gateway in front of it, both on port 0, plus an official OpenAI client. */
export interface Harness {
  sim: Simulator;
  app: SluiceApp;
  url: string;
  client: OpenAI;
  /** Every log line the gateway wrote, as text. */
  logs: string[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  sim?: Partial<SimOptions>;
  simAccounts?: SimAccount[];
  /** Gateway accounts; `baseUrl` and `provider` default to the simulator, openai-compatible. */
  accounts?: Array<Partial<NonNullable<ConfigInput['accounts']>[number]> & { name: string; apiKey: string }>;
  clients?: ConfigInput['clients'];
  server?: ConfigInput['server'];
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

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const defaults = defaultAccounts();
  const sim = await startSimulator({ port: 0, timeScale: 0.001, seed: 7, accounts: opts.simAccounts ?? defaults.simAccounts, ...opts.sim });
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
  });
  const app = createApp(config, { logger: { level: 'info', stream: sink } as never });
  const url = await app.listen();
  const client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${url}/v1`, maxRetries: 0 });
  return {
    sim,
    app,
    url,
    client,
    logs,
    async close() {
      await app.close();
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

