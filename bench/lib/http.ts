/**
 * The one HTTP client of the benchmark. It uses undici's `request` on a dedicated Agent
 * rather than `fetch`: everything (load generator, gateway, simulator) shares one process on
 * a small machine, so the client's own CPU per call must stay low, and a dedicated Agent can
 * be closed at the end of each run so the script exits cleanly.
 */
import { Agent, request } from 'undici';
import type { Outcome } from './types.ts';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** OpenAI error code from the envelope, when status is not 200. */
  code?: string;
}

/** A keep-alive agent without a connection cap: the load is open-loop, so nothing may queue here. */
export function newAgent(): Agent {
  return new Agent({ keepAliveTimeout: 30_000, connections: null, headersTimeout: 0, bodyTimeout: 0 });
}

/** POSTs a JSON body and reads the whole answer; only error bodies are parsed (for the code). */
export async function postJson(agent: Agent, url: string, headers: Record<string, string>, body: unknown, signal: AbortSignal): Promise<Reply> {
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    signal,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, code: res.statusCode === 200 ? undefined : errorCode(text, res.statusCode) };
}

/** GETs JSON (admin endpoints); undefined when the answer is not a 200 JSON object. */
export async function getJson(agent: Agent, url: string, headers: Record<string, string>): Promise<Record<string, unknown> | undefined> {
  const res = await request(url, { method: 'GET', dispatcher: agent, headers, signal: AbortSignal.timeout(5_000) });
  const text = await res.body.text();
  if (res.statusCode !== 200) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The `error.code` of an OpenAI envelope, else `http_<status>` so every error still has a label. */
function errorCode(text: string, status: number): string {
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; type?: unknown } }).error;
    if (e && typeof e.code === 'string' && e.code) return e.code;
    if (e && typeof e.type === 'string' && e.type) return e.type;
  } catch {
    // not JSON: fall through
  }
  return `http_${status}`;
}

/** The outcome of a call that threw: aborted by the hard timeout, or a transport failure. */
export function failedOutcome(err: unknown, signal: AbortSignal, attempts: number): Outcome {
  if (signal.aborted) return { status: 0, code: 'bench_timeout', attempts };
  const code = (err as { code?: unknown })?.code;
  return { status: 0, code: typeof code === 'string' ? `transport_${code}` : 'transport_error', attempts };
}
