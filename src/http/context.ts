import type { Accounting } from '../accounting/index.ts';
import type { SluiceConfig } from '../config/index.ts';
import type { EventLog } from '../events/index.ts';
import type { BatchService } from '../jobs/index.ts';
import type { ResponseCache } from '../cache/index.ts';
import type { DeliveryDeps } from './image-delivery.ts';
import type { Metrics } from '../metrics/index.ts';
import type { AccountPool } from '../pool/index.ts';
import type { ClientDirectory, ClientIdentity, PolicyDeps } from '../policy/index.ts';
import type { Endpoint } from '../providers/index.ts';
import type { SecretBox, Store } from '../store/index.ts';
import type { Scheduler } from '../scheduler/index.ts';

/** What the HTTP layer needs from the rest of the gateway; built once by `createApp`. */
export interface HttpDeps {
  config: SluiceConfig;
  clients: ClientDirectory;
  pool: AccountPool;
  scheduler: Scheduler;
  events: EventLog;
  accounting: Accounting;
  policy: PolicyDeps;
  batches: BatchService;
  cache: ResponseCache;
  metrics: Metrics;
  delivery: DeliveryDeps;
  store: Store;
  /** Encrypts upstream keys of accounts added at run time; absent without SLUICE_SECRET. */
  secretBox: SecretBox | undefined;
  /** Tells other instances that client keys changed in the store (set when instances share Redis). */
  keysChanged?: () => void;
  /** This instance among several sharing Redis (absent for a single instance). */
  clusterStatus?: () => { instance: string; instances: number; degraded: boolean; recovering: boolean } | undefined;
  /** Names of the accounts that come from the config file. */
  configAccounts: ReadonlySet<string>;
}

/** Per-request facts the relay fills in for the access log and the ledger. */
export interface RequestFacts {
  /** Ends the hold of this request's estimated cost on the client's budgets (after it is accounted). */
  releaseBudget?: () => void;
  model?: string;
  endpoint?: Endpoint;
  account?: string;
  attempts?: number;
  queueMs?: number;
  upstreamMs?: number;
  usage?: unknown;
  estimateTokens?: number;
  request?: { n?: number; size?: string; quality?: string };
  images?: number;
  cacheHit?: boolean;
  /** How the response cache took part (the `x-sluice-cache` answer header). */
  cache?: 'hit' | 'miss' | 'coalesced' | 'bypass';
  priority?: string;
  /** Streams: milliseconds from the request to the first byte relayed. */
  ttftMs?: number;
  /** The error code answered, if the answer is an error (for the log line and metrics). */
  error?: string;
  /** The prompt's text, kept only when `server.logPrompts` is on. */
  prompt?: string;
  /** What the client's policy changed (the `x-sluice-policy` answer header). */
  policy?: string;
  /** Why the prompt was refused for its content (`guardrail: word`, `moderation: violence`, `upstream`). */
  blocked?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated client (set by the auth hook on /v1 routes). */
    client: ClientIdentity | null;
    facts: RequestFacts | null;
    /** Set once the request's log line and ledger row are written. */
    recorded: boolean;
  }
}
