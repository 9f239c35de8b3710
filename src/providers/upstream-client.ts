import { Readable } from 'node:stream';
import { Agent, type Dispatcher, errors as undiciErrors } from 'undici';
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
  /**
   * Read the whole answer into `raw` (a JSON answer) rather than hand back a `body` stream (SSE):
   * collected straight from undici's handler callbacks, without a stream object per answer.
   */
  whole?: boolean;
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
    const call = {
      origin: req.url.origin,
      path: req.url.pathname + req.url.search,
      method: 'POST' as const,
      headers,
      body,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    };
    if (opts.whole) {
      return new Promise((resolve, reject) => {
        try {
          this.#agent.dispatch(call, new WholeAnswer(resolve, reject, opts.signal));
        } catch (err) {
          reject(toTransportError(err, opts.signal)); // refused before sending (e.g. a bad header value)
        }
      });
    }
    try {
      const res = await this.#agent.request({ ...call, signal: opts.signal });
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

type Controller = Dispatcher.DispatchController;

/**
 * Collects one answer whole through undici's dispatch callbacks: the status and headers, then
 * the body chunks, resolved once the body ends. An abort of `signal` (the client went away)
 * aborts the upstream call at any point.
 */
class WholeAnswer implements Dispatcher.DispatchHandler {
  readonly #resolve: (res: UpstreamResponse) => void;
  readonly #reject: (err: TransportError) => void;
  readonly #signal: AbortSignal | undefined;
  #controller: Controller | undefined;
  #status = 0;
  #headers: UpstreamResponse['headers'] = {};
  readonly #chunks: Buffer[] = [];
  readonly #onAbort = (): void => this.#controller?.abort(this.#signal?.reason);

  constructor(resolve: (res: UpstreamResponse) => void, reject: (err: TransportError) => void, signal: AbortSignal | undefined) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#signal = signal;
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  onRequestStart(controller: Controller): void {
    this.#controller = controller;
    if (this.#signal?.aborted) controller.abort(this.#signal.reason);
  }

  onResponseStart(_controller: Controller, status: number, headers: Record<string, string | string[] | undefined>): void {
    if (status < 200) return; // 1xx: informational, the answer follows
    this.#status = status;
    this.#headers = headers;
  }

  onResponseData(_controller: Controller, chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    const c = this.#chunks;
    this.#resolve({ status: this.#status, headers: this.#headers, raw: c.length === 1 ? c[0] : Buffer.concat(c) });
  }

  onResponseError(_controller: Controller, err: Error): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#reject(toTransportError(err, this.#signal));
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
