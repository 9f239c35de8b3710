import { Readable } from 'node:stream';
import { Agent, errors as undiciErrors } from 'undici';
import { MultipartBody } from './multipart.ts';
import type { PreparedRequest, UpstreamResponse } from './types.ts';

/** Why a call produced no HTTP answer. */
export type TransportFailureKind = 'timeout' | 'connection' | 'aborted';

/** A call that failed below HTTP: timeout, refused/reset connection, or aborted by us. */
export class TransportError extends Error {
  override name = 'TransportError';
  readonly kind: TransportFailureKind;
  constructor(kind: TransportFailureKind, message: string, cause?: unknown) {
    super(message, { cause });
    this.kind = kind;
  }
}

export interface SendOptions {
  signal?: AbortSignal;
  /** Longest wait for the answer's headers, and longest silence between body chunks. */
  timeoutMs: number;
}

/** Options of the shared connection pool to upstreams. */
export interface UpstreamClientOptions {
  /** Sockets kept per upstream origin. */
  connectionsPerOrigin?: number;
  keepAliveTimeoutMs?: number;
}

/**
 * The one HTTP client to upstreams: undici's Agent keeps a keep-alive connection pool per
 * origin, so a busy gateway does not pay a TCP/TLS handshake per request.
 */
export class UpstreamClient {
  readonly #agent: Agent;

  constructor(opts: UpstreamClientOptions = {}) {
    this.#agent = new Agent({
      connections: opts.connectionsPerOrigin ?? 512,
      keepAliveTimeout: opts.keepAliveTimeoutMs ?? 30_000,
      pipelining: 1,
    });
  }

  /** Sends a prepared request; resolves when the answer's headers arrive. */
  async send(req: PreparedRequest, opts: SendOptions): Promise<UpstreamResponse> {
    const headers = req.headers;
    let body: Buffer | string | Readable = req.body as Buffer | string;
    if (req.body instanceof MultipartBody) {
      // The parts' buffers go out as they are, framed by the multipart boundaries.
      headers['content-type'] = req.body.contentType;
      headers['content-length'] = String(req.body.length);
      body = Readable.from(req.body.chunks, { objectMode: false });
    }
    try {
      const res = await this.#agent.request({
        origin: req.url.origin,
        path: req.url.pathname + req.url.search,
        method: 'POST',
        headers,
        body,
        signal: opts.signal,
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
      return { status: res.statusCode, headers: res.headers, body: res.body };
    } catch (err) {
      throw toTransportError(err, opts.signal);
    }
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    await this.#agent.close();
  }
}

/** Maps undici's errors to the three kinds the scheduler cares about. Never includes headers. */
export function toTransportError(err: unknown, signal?: AbortSignal): TransportError {
  if (err instanceof TransportError) return err;
  if (signal?.aborted) return new TransportError('aborted', 'request aborted', err);
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return new TransportError('timeout', 'upstream timed out', err);
  }
  const code = (err as { code?: string }).code ?? 'unknown';
  return new TransportError('connection', `upstream connection failed (${code})`, err);
}
