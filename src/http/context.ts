import type { SluiceConfig } from '../config/index.ts';
import type { EventLog } from '../events/index.ts';
import type { AccountPool } from '../pool/index.ts';
import type { ClientDirectory, ClientIdentity } from '../policy/index.ts';
import type { Scheduler } from '../scheduler/index.ts';

/** What the HTTP layer needs from the rest of the gateway; built once by `createApp`. */
export interface HttpDeps {
  config: SluiceConfig;
  clients: ClientDirectory;
  pool: AccountPool;
  scheduler: Scheduler;
  events: EventLog;
}

/** Per-request facts the relay fills in for the access log. */
export interface RequestFacts {
  model?: string;
  account?: string;
  attempts?: number;
  queueMs?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated client (set by the auth hook on /v1 routes). */
    client: ClientIdentity | null;
    facts: RequestFacts | null;
  }
}
