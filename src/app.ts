import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { SluiceConfig } from './config/index.ts';
import { buildHttpServer } from './http/index.ts';
import { ClientDirectory } from './policy/index.ts';
import { AccountPool } from './pool/index.ts';
import { UpstreamClient } from './providers/index.ts';
import { EventLog } from './events/index.ts';
import { Scheduler, TokenEstimator } from './scheduler/index.ts';

export interface AppOptions {
  /** A pino logger config, or false for none (tests). Defaults to JSON lines at config's level. */
  logger?: FastifyServerOptions['logger'];
}

/** A wired gateway: everything one process needs, nothing shared with other instances. */
export interface SluiceApp {
  readonly config: SluiceConfig;
  readonly http: FastifyInstance;
  readonly pool: AccountPool;
  readonly events: EventLog;
  /** Starts listening; resolves with the base URL (e.g. http://127.0.0.1:8080). */
  listen(): Promise<string>;
  /** Stops accepting, lets in-flight requests finish, closes upstream connections. */
  close(): Promise<void>;
}

/**
 * The one factory that wires Sluice's layers from a validated config. No module-level state:
 * tests build as many isolated gateways as they like.
 */
export function createApp(config: SluiceConfig, opts: AppOptions = {}): SluiceApp {
  const upstream = new UpstreamClient();
  const events = new EventLog();
  const pool = new AccountPool(config.accounts, upstream, { scheduler: config.scheduler, events });
  const estimator = new TokenEstimator(config.scheduler.defaultCompletionTokens);
  const scheduler = new Scheduler(pool, estimator, config.scheduler);
  const clients = new ClientDirectory(config.clients);
  const http = buildHttpServer({ config, clients, pool, scheduler, events }, opts.logger ?? { level: config.server.logLevel });
  const warming = estimator.warm().catch((err: unknown) => http.log.warn({ err: String(err) }, 'tokenizers failed to load; estimating tokens as characters/4'));
  return {
    config,
    http,
    pool,
    events,
    async listen() {
      await warming;
      const address = await http.listen({ host: config.server.host, port: config.server.port });
      return address.replace('[::1]', 'localhost');
    },
    async close() {
      await http.close();
      await upstream.close();
    },
  };
}
