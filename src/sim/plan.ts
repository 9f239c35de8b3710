import type { ServerResponse } from 'node:http';
import type { ApiStyle, Reply } from './errors.ts';
import { sendReply, wait } from './http-io.ts';
import type { Cost } from './limits.ts';
import type { SimLatencyKey } from './types.ts';

/** A parsed request body: JSON fields, plus what a multipart upload carried. */
export interface RequestBody {
  json: Record<string, unknown>;
  files?: { images: number; mask: boolean };
}

/** What an endpoint needs from its simulator instance. */
export interface PlanEnv {
  style: ApiStyle;
  /** Azure deployment name: the model, whatever the body says. */
  deployment?: string;
  /** Public base of the simulator for image URLs, e.g. http://127.0.0.1:PORT. */
  baseUrl: string;
  /** Latencies already multiplied by timeScale. */
  latency: Record<SimLatencyKey, number>;
  /** Registers a generated image and returns its id (served at /sim/images/{id}.png). */
  registerImage(): string;
  png: Buffer;
}

/** Where and how the success answer is written. */
export interface Output {
  res: ServerResponse;
  /** Headers every answer carries (request id, processing ms, rate limits), computed at send time. */
  headers(): Record<string, string>;
  /** Aborts when the client goes away or the simulator closes. */
  signal: AbortSignal;
  /** `cutStream` fault: write part of the stream, then destroy the socket. */
  cut: boolean;
}

/**
 * A validated request, ready for admission: what it costs, and how to answer it. Endpoints
 * build a plan before any limit is checked, so the exact token charge is known up front.
 */
export interface Plan {
  model: string;
  cost: Cost;
  stream: boolean;
  /** Scaled time before the first byte; also the estimate given to a concurrency 429. */
  latencyMs: number;
  /** Whether the rate-limit request headers may fall back to the ipm window. */
  imageEndpoint: boolean;
  respond(out: Output): Promise<void>;
}

/** Distinguishes an early error reply from a plan or a parsed body. */
export function isReply<T extends object>(value: T | Reply): value is Reply {
  return 'status' in value;
}

/** A responder that answers JSON after the latency (unless the client left first). */
export function respondJson(latencyMs: number, build: () => unknown, extra: Record<string, string> = {}): Plan['respond'] {
  return async (out) => {
    if (!(await wait(latencyMs, out.signal))) return;
    sendReply(out.res, { status: 200, body: build() }, { ...out.headers(), ...extra });
  };
}

/** The model of a request: the Azure deployment, else the body's `model`, else a default. */
export function modelOf(body: RequestBody, env: PlanEnv, fallback?: string): string | undefined {
  if (env.deployment) return env.deployment;
  const m = body.json.model;
  return typeof m === 'string' && m.length > 0 ? m : fallback;
}

/** Reads an optional positive integer field; returns an error message when invalid. */
export function intField(json: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number | string {
  const raw = json[name];
  if (raw === undefined || raw === null) return fallback;
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n)) return `Invalid type for '${name}': expected an integer.`;
  if (n < min || n > max) return `Invalid '${name}': integer out of range. Expected a value between ${min} and ${max}, but got ${n} instead.`;
  return n;
}
