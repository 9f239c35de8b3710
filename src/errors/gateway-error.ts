import { ERROR_CATALOG, type ErrorCode } from './catalog.ts';

/** Options that refine a {@link GatewayError}. */
export interface GatewayErrorOptions {
  /** The request parameter at fault, as OpenAI reports it in `error.param`. */
  param?: string | null;
  /** Overrides the catalog status (used when relaying an upstream 4xx as is). */
  status?: number;
  /** Overrides the catalog type. */
  type?: string;
  /** Extra response headers, e.g. `retry-after` on a 429. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * The one error type every layer throws. Only the HTTP layer turns it into OpenAI's envelope
 * `{"error":{"message","type","param","code"}}`. Messages must never contain secrets: they are
 * shown to clients as written.
 */
export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: ErrorCode | string;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, opts: GatewayErrorOptions = {}) {
    super(message, { cause: opts.cause });
    const entry = ERROR_CATALOG[code];
    this.name = 'GatewayError';
    this.code = code;
    this.status = opts.status ?? entry.status;
    this.type = opts.type ?? entry.type;
    this.param = opts.param ?? null;
    this.headers = opts.headers ?? {};
  }

  /** The OpenAI error envelope for this error. */
  toBody(): { error: { message: string; type: string; param: string | null; code: string } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** An upstream error body relayed as is (after scrubbing): status and body come from upstream. */
export class RelayedUpstreamError extends GatewayError {
  readonly body: { error: Record<string, unknown> };
  /** The upstream's safety system refused the request (counted, never retried). */
  readonly contentPolicy: boolean;
  constructor(status: number, body: { error: Record<string, unknown> }, contentPolicy = false) {
    const e = body.error;
    super('invalid_request', String(e.message ?? 'Upstream rejected the request'), {
      status,
      type: typeof e.type === 'string' ? e.type : 'invalid_request_error',
      param: typeof e.param === 'string' ? e.param : null,
    });
    this.body = body;
    this.contentPolicy = contentPolicy;
  }
  override toBody(): { error: { message: string; type: string; param: string | null; code: string } } {
    const e = this.body.error;
    return { error: { message: this.message, type: this.type, param: this.param, code: (e.code as string) ?? null } };
  }
}
