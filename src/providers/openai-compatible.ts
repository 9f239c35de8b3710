import type { AccountConfig } from '../config/index.ts';
import { retryAfterMs } from './durations.ts';
import { MultipartBody } from './multipart.ts';
import { readRateLimitHeaders } from './rate-limit-headers.ts';
import { scrubSecrets } from './scrub.ts';
import {
  ENDPOINT_PATHS,
  type FailureKind,
  type PreparedRequest,
  type ProviderAdapter,
  type UpstreamCall,
  type UpstreamFailure,
  type UpstreamResponse,
} from './types.ts';

/** Builds the body of a call: raw client bytes when possible, multipart for uploads (files not copied). */
export function buildBody(call: UpstreamCall, json?: Readonly<Record<string, unknown>>): Buffer | string | MultipartBody {
  if (call.form) return new MultipartBody(call.form);
  if (json === undefined && call.rawJson) return call.rawJson;
  return JSON.stringify(json ?? call.json ?? {});
}

/**
 * The body with `model` set to the name this upstream knows the model by (an Azure deployment,
 * an account's `modelMap` entry); the client's bytes unchanged when the name is the same.
 */
export function bodyWithModel(call: UpstreamCall, upstreamModel: string): Buffer | string | MultipartBody {
  if (upstreamModel === call.model) return buildBody(call);
  if (call.form) {
    return buildBody({ ...call, form: call.form.map((p) => (p.name === 'model' && 'value' in p ? { name: 'model', value: upstreamModel } : p)) });
  }
  return buildBody(call, { ...call.json, model: upstreamModel });
}

/** Joins a base URL (with or without a trailing slash) and a path. */
export function joinUrl(base: string, path: string): URL {
  return new URL(base.replace(/\/+$/, '') + path);
}

function jsonHeaders(call: UpstreamCall): Record<string, string> {
  const h: Record<string, string> = { ...call.passHeaders };
  if (!call.form) h['content-type'] = 'application/json';
  h.accept = call.stream ? 'text/event-stream' : 'application/json';
  return h;
}

/**
 * Codes of a refusal by the upstream's safety system: `content_policy_violation` (DALL·E and
 * the content-policy 400 of OpenAI's error guide), `moderation_blocked` (GPT image models, type
 * `image_generation_user_error`, as quoted in user reports), `content_filter` (Azure's filter).
 */
const CONTENT_POLICY_CODES: ReadonlySet<string> = new Set(['content_policy_violation', 'moderation_blocked', 'content_filter']);

function kindOf(status: number, code: string | null, type: string | null, message: string): FailureKind {
  if (code === 'insufficient_quota' || type === 'insufficient_quota') return 'quota';
  if (status === 400 && code !== null && CONTENT_POLICY_CODES.has(code)) return 'content_policy';
  if (status === 429) return /request too large/i.test(message) ? 'too_large' : 'rate_limited';
  if (status === 401 || status === 403) return 'auth';
  if (status >= 500 || status === 408) return 'server';
  return 'client';
}

/** Reads an error answer in OpenAI's envelope (or Azure's looser one) and classifies it. */
export function classifyOpenAiFailure(
  status: number,
  headers: UpstreamResponse['headers'],
  bodyText: string,
  account: AccountConfig,
): UpstreamFailure {
  let err: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(bodyText) as { error?: unknown };
    if (parsed && typeof parsed.error === 'object' && parsed.error) err = parsed.error as Record<string, unknown>;
  } catch {
    // not JSON: keep the status, give a generic message below
  }
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
  const message = scrubSecrets(str(err.message) ?? `Upstream answered HTTP ${status}`, account);
  const code = str(err.code);
  const type = str(err.type);
  return {
    kind: kindOf(status, code, type, message),
    status,
    error: { message, type, param: str(err.param), code },
    retryAfterMs: retryAfterMs(headers, message),
  };
}

/**
 * The base dialect: any server that speaks OpenAI's API under `baseUrl` (vLLM, Ollama, relays).
 * Bearer auth, OpenAI paths, the body sent unchanged unless the account's `modelMap` renames
 * the model.
 */
export const openAiCompatibleAdapter: ProviderAdapter = {
  kind: 'openai-compatible',
  prepare(account: AccountConfig, call: UpstreamCall): PreparedRequest {
    const headers = jsonHeaders(call);
    headers.authorization = `Bearer ${account.apiKey}`;
    const upstreamModel = account.modelMap[call.model] ?? call.model;
    return { url: joinUrl(account.baseUrl ?? '', ENDPOINT_PATHS[call.endpoint]), headers, body: bodyWithModel(call, upstreamModel) };
  },
  classifyFailure: classifyOpenAiFailure,
  readRateLimits: readRateLimitHeaders,
};

export { jsonHeaders };
