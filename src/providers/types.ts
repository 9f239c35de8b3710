import type { Readable } from 'node:stream';
import type { AccountConfig } from '../config/index.ts';
import type { RateLimitInfo } from './rate-limit-headers.ts';
import type { MultipartBody } from './multipart.ts';

/** The OpenAI operations Sluice relays. */
export type Endpoint = 'chat.completions' | 'embeddings' | 'moderations' | 'images.generations' | 'images.edits';

/** The upstream path of each endpoint, relative to an OpenAI-style `/v1` base. */
export const ENDPOINT_PATHS: Readonly<Record<Endpoint, string>> = {
  'chat.completions': '/chat/completions',
  embeddings: '/embeddings',
  moderations: '/moderations',
  'images.generations': '/images/generations',
  'images.edits': '/images/edits',
};

/** One part of a multipart upload (image edits). */
export type FormPart =
  | { name: string; value: string }
  | { name: string; filename: string; contentType: string; data: Buffer };

/** The parameters of a call: its JSON body, or the text fields of its multipart form. */
export function callFields(call: Pick<UpstreamCall, 'json' | 'form'>): Readonly<Record<string, unknown>> {
  if (call.json) return call.json;
  const out: Record<string, unknown> = {};
  for (const p of call.form ?? []) if ('value' in p) out[p.name] = p.value;
  return out;
}

/** A provider-neutral description of one upstream call; adapters turn it into HTTP. */
export interface UpstreamCall {
  endpoint: Endpoint;
  /** The public model name the client asked for. */
  model: string;
  /** JSON body as the client sent it (for every endpoint but image edits). */
  json?: Readonly<Record<string, unknown>>;
  /** The client's raw JSON bytes; sent as is when the adapter needs no change to the body. */
  rawJson?: Buffer;
  /** Multipart parts (image edits). */
  form?: readonly FormPart[];
  /** True when the answer is a server-sent event stream. */
  stream: boolean;
  /** Headers passed through to the upstream (e.g. W3C `traceparent`). */
  passHeaders?: Readonly<Record<string, string>>;
}

/** What an adapter builds for the HTTP client. */
export interface PreparedRequest {
  url: URL;
  headers: Record<string, string>;
  body: Buffer | string | MultipartBody;
}

/** An upstream answer whose body has not been read yet. */
/**
 * An upstream's answer: read whole into `raw` (JSON answers, asked for with `whole`), or as a
 * `body` stream (SSE, relayed chunk by chunk) — never both.
 */
export type UpstreamResponse = {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
} & ({ raw: Buffer; body?: undefined } | { body: Readable; raw?: undefined });

/** How an upstream error answer should be treated by the scheduler and shown to the client. */
export type FailureKind =
  | 'rate_limited' // 429 rate limit: cool this account, try another
  | 'quota' // insufficient_quota: the account is out of money
  | 'auth' // 401/403 from upstream: the account's key is bad
  | 'client' // 400/404/413/422: the request itself is wrong, no retry
  | 'content_policy' // 400 from the upstream's safety system: the prompt's fault, no retry, counted
  | 'server' // 5xx: retry elsewhere
  | 'too_large'; // a request that exceeds a limit by itself: never retry

/** An upstream error answer, classified by its provider. */
export interface UpstreamFailure {
  kind: FailureKind;
  status: number;
  /** The upstream error object, secrets scrubbed, for relaying `client` errors. */
  error: { message: string; type: string | null; param: string | null; code: string | null };
  /** How long upstream asked us to wait, if it said. */
  retryAfterMs?: number;
}

/**
 * One upstream dialect. An adapter is pure: it builds requests and reads answers; sending is
 * the HTTP client's job. `openai-compatible` is the base; `openai` and `azure` adapt it.
 */
export interface ProviderAdapter {
  readonly kind: AccountConfig['provider'];
  /** Builds the URL, auth headers and body for `call` on `account`. */
  prepare(account: AccountConfig, call: UpstreamCall): PreparedRequest;
  /** Classifies an upstream error answer (status >= 400) with its body text. */
  classifyFailure(status: number, headers: UpstreamResponse['headers'], bodyText: string, account: AccountConfig): UpstreamFailure;
  /** Reads the account's rate-limit state from an answer's headers. */
  readRateLimits(headers: UpstreamResponse['headers']): RateLimitInfo;
}
