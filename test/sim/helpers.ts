import { startSimulator } from '../../src/sim/index.ts';
import type { SimOptions, Simulator } from '../../src/sim/index.ts';

/** Fast latencies for tests (unscaled ms; multiplied by timeScale). */
export const FAST = { chat: 100, chatChunk: 10, embeddings: 100, moderations: 100, images: 1000, imageEdits: 1000 };

/** Starts a simulator on an ephemeral port with a small time scale (a "minute" = 600 ms). */
export function start(opts: Partial<SimOptions> & Pick<SimOptions, 'accounts'>): Promise<Simulator> {
  return startSimulator({ timeScale: 0.01, latencyMs: FAST, ...opts });
}

/** POSTs JSON with a Bearer key; returns status, headers and the parsed (or raw) body. */
export async function post(sim: Simulator, path: string, key: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary answer JSON and assert on it
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** A small chat request. */
export function chat(model = 'gpt-4o-mini', extra: Record<string, unknown> = {}) {
  return { model, messages: [{ role: 'user', content: 'hi' }], ...extra };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
