/**
 * The strategy under test: every request goes through a real Sluice gateway (createApp on
 * port 0) in front of the simulator, with the gateway's clock scaled like the simulator's.
 * The gateway's accounts mirror the simulator's limits but not its faults: Sluice must find
 * broken accounts out by itself, as it would in production.
 */
import type { Agent } from 'undici';
import { createApp } from '../../../src/app.ts';
import { openStore } from '../../../src/store/index.ts';
import { configFrom } from '../../../src/config/index.ts';
import { getJson, newAgent, postJson } from '../http.ts';
import type { BenchRequest, Outcome, Scenario, Strategy, StrategyRun } from '../types.ts';
import { upstreamPath } from './upstream.ts';

const ADMIN_TOKEN = 'bench-admin-token';
/** Upstream attempts per request after failures (429 re-routing is not an attempt). */
const MAX_ATTEMPTS = 4;
/** Longest a gateway shutdown may take before the run moves on (a hang must not stall the bench). */
const CLOSE_TIMEOUT_MS = 10_000;

/** Sluice's config for a scenario: one account per simulator account, one client per bench client. */
function sluiceConfig(scenario: Scenario, simUrl: string, timeScale: number) {
  const maxWait = Math.max(...scenario.clients.map((c) => c.maxWaitMs));
  return configFrom({
    server: { host: '127.0.0.1', port: 0, logLevel: 'silent' },
    adminToken: ADMIN_TOKEN,
    clients: scenario.clients.map((c) => ({ name: c.name, key: c.key, priority: c.priority, weight: c.weight })),
    accounts: scenario.accounts.map((a) => ({
      name: a.name,
      provider: 'openai-compatible' as const,
      baseUrl: `${simUrl}/v1`,
      apiKey: a.key,
      group: 'default',
      weight: 1,
      limits: a.limits ?? {},
      ...(a.maxConcurrent ? { maxConcurrent: a.maxConcurrent } : {}),
    })),
    scheduler: { timeScale, maxWaitMs: { default: maxWait, images: maxWait }, maxAttempts: MAX_ATTEMPTS },
  });
}

async function sendThroughGateway(agent: Agent, url: string, scenario: Scenario, req: BenchRequest, signal: AbortSignal): Promise<Outcome> {
  const c = scenario.clients.find((x) => x.name === req.client);
  if (!c) throw new Error(`unknown client ${req.client}`);
  const headers = { authorization: `Bearer ${c.key}`, 'x-sluice-priority': req.priority, 'x-sluice-max-wait-ms': String(c.maxWaitMs) };
  const r = await postJson(agent, `${url}${upstreamPath(req.endpoint)}`, headers, req.body, signal);
  const queue = Number(r.headers['x-sluice-queue-ms']);
  const attempts = Number(r.headers['x-sluice-attempts']);
  return { status: r.status, code: r.code, queueMs: Number.isFinite(queue) && r.headers['x-sluice-queue-ms'] !== undefined ? queue : undefined, attempts: attempts > 0 ? attempts : 1 };
}

/**
 * Reads `scheduler.cpuMicrosPerRequest` from `GET /admin/pool`. null (printed "n/a") when the
 * endpoint or the field is missing: the number is the gateway's own measurement, never guessed.
 */
async function schedulerCpu(agent: Agent, url: string): Promise<number | null> {
  try {
    const pool = await getJson(agent, `${url}/admin/pool`, { authorization: `Bearer ${ADMIN_TOKEN}` });
    const v = (pool?.scheduler as { cpuMicrosPerRequest?: unknown } | undefined)?.cpuMicrosPerRequest;
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

export const sluice: Strategy = {
  name: 'sluice',
  async start(scenario, simUrl, timeScale): Promise<StrategyRun> {
    const store = await openStore({ sqlite: ':memory:' });
    const app = createApp(sluiceConfig(scenario, simUrl, timeScale), { store }, { logger: false });
    const url = await app.listen();
    const agent = newAgent();
    return {
      send: (req, signal) => sendThroughGateway(agent, url, scenario, req, signal),
      async finish() {
        const cpu = await schedulerCpu(agent, url);
        await agent.destroy();
        const closing = app.close();
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)));
        await Promise.race([closing, late]).finally(() => clearTimeout(timer));
        await store.close();
        return { schedulerCpuMicros: cpu };
      },
    };
  },
};
