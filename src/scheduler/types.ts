import type { Readable } from 'node:stream';
import type { Priority } from '../config/index.ts';
import type { Need } from '../pool/index.ts';
import type { UpstreamCall } from '../providers/index.ts';
import type { StreamUsageTap } from './stream-usage.ts';

/** What the HTTP layer hands the scheduler for one client request. */
export interface DispatchRequest {
  call: UpstreamCall;
  client: { readonly name: string; readonly weight: number };
  priority: Priority;
  /** How long the request may wait for capacity, in total. */
  maxWaitMs: number;
  /** Aborted when the client goes away: stops waiting and cancels the upstream call. */
  signal: AbortSignal;
  /** What the request will consume, if the caller already estimated it (see Scheduler.estimate). */
  need?: Need;
  /** Account groups the client is bound to, tried in this order, and only these (default: all). */
  groups?: readonly string[];
  /**
   * The same request for other models, tried in order only when `call` cannot be served before
   * the deadline (no account has room in time, none serves it, or it never fits).
   */
  fallbacks?: readonly UpstreamCall[];
  /**
   * Give up at once (as if the deadline had passed) when the pool foresees no room before the
   * deadline, instead of waiting for it: set while a fallback remains to be tried.
   */
  giveUpEarly?: boolean;
}

interface DispatchedBase {
  /** Name of the account that answered (never its key). */
  account: string;
  /** The public model that answered: the call's own, or the fallback that served it. */
  model: string;
  attempts: number;
  queueMs: number;
  /** Time the answering attempt took upstream (to the answer's head for streams). */
  upstreamMs: number;
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A complete JSON answer. */
export interface DispatchedJson extends DispatchedBase {
  kind: 'json';
  raw: Buffer;
  json: Record<string, unknown>;
}

/** A streaming answer whose first byte has not been sent to the client yet. */
export interface DispatchedStream extends DispatchedBase {
  kind: 'stream';
  body: Readable;
  /** Feed every chunk relayed, so usage in the stream is accounted. */
  usage: StreamUsageTap;
  /** Call once when the stream ended; `broken` when the upstream cut it. Frees the slot. */
  finish(outcome: { broken: boolean; aborted: boolean }): void;
}

export type Dispatched = DispatchedJson | DispatchedStream;

