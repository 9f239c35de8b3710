import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { Accounting, Budgets, Ledger, periodStart } from './accounting/index.ts';
import { parseAccount, type SluiceConfig } from './config/index.ts';
import { EventLog } from './events/index.ts';
import { buildHttpServer } from './http/index.ts';
import { BatchRunner, BatchService, createLineExecutor } from './jobs/index.ts';
import { ResponseCache } from './cache/index.ts';
import { createImageStore, UrlSigner } from './images/index.ts';
import { createHash, randomBytes } from 'node:crypto';
import { ClientDirectory, hashKey } from './policy/index.ts';
import { AccountPool } from './pool/index.ts';
import { createPricer } from './pricing/index.ts';
import { UpstreamClient } from './providers/index.ts';
import { Scheduler, TokenEstimator } from './scheduler/index.ts';
import { createSecretBox, type SecretBox, type Store } from './store/index.ts';

/** The durable state a gateway works on (opened by the caller: `openStore(config.store)`). */
export interface AppStores {
  store: Store;
}

export interface AppOptions {
  /** A pino logger config, or false for none (tests). Defaults to JSON lines at config's level. */
  logger?: FastifyServerOptions['logger'];
  /** Master secret for upstream keys at rest; defaults to $SLUICE_SECRET. */
  secret?: string;
}

/** A wired gateway: everything one process needs, nothing shared with other instances. */
export interface SluiceApp {
  readonly config: SluiceConfig;
  readonly http: FastifyInstance;
  readonly pool: AccountPool;
  readonly events: EventLog;
  readonly accounting: Accounting;
  readonly store: Store;
  readonly batchRunner: BatchRunner;
  /** Loads keys and accounts from the store, then listens; resolves with the base URL. */
  listen(): Promise<string>;
  /** Stops accepting, lets in-flight requests finish, writes the ledger, closes connections. */
  close(): Promise<void>;
}

function secretBoxFrom(secret: string | undefined): SecretBox | undefined {
  return secret && secret.length >= 16 ? createSecretBox(secret) : undefined;
}

/**
 * The one factory that wires Sluice's layers from a validated config and its stores. No
 * module-level state: tests build as many isolated gateways as they like.
 */
export function createApp(config: SluiceConfig, stores: AppStores, opts: AppOptions = {}): SluiceApp {
  const { store } = stores;
  const upstream = new UpstreamClient();
  const events = new EventLog();
  const pool = new AccountPool(config.accounts, upstream, { scheduler: config.scheduler, events });
  const estimator = new TokenEstimator(config.scheduler.defaultCompletionTokens);
  const scheduler = new Scheduler(pool, estimator, config.scheduler);
  const extras = new Map(
    config.clients.map((c) => [c.name, { degradeImagesAbove: c.degradeImagesAbove, cache: c.cache, normalizePrompts: c.normalizePrompts, imageResponseFormat: c.imageResponseFormat }]),
  );
  const clients = new ClientDirectory(config.scheduler.timeScale, extras);
  const secretBox = secretBoxFrom(opts.secret ?? process.env.SLUICE_SECRET);
  const logger = opts.logger ?? { level: config.server.logLevel };
  let http: FastifyInstance | undefined;
  const ledger = new Ledger(store.usage, { onError: (err, rows) => http?.log.error({ err: String(err), rows }, 'usage ledger write failed; will retry') });
  const accounting = new Accounting(ledger, new Budgets(events), createPricer(config.pricing));
  const configAccounts = new Set(config.accounts.map((a) => a.name));
  const policy = { budgets: accounting.budgets, serves: (m: string) => pool.serves(m), estimate: (c: Parameters<Scheduler['estimate']>[0]) => scheduler.estimate(c) };
  const b = config.batch;
  const runner = new BatchRunner(store.batches, createLineExecutor({ clients, policy, scheduler, accounting, maxWaitMs: b.maxWaitMs }), {
    concurrency: b.concurrency,
    leaseMs: b.leaseMs,
    maxAttempts: b.maxAttempts,
    pollMs: b.pollMs,
    backoffMs: b.backoffMs,
    singleProcess: store.kind === 'sqlite',
    onError: (err) => http?.log.error({ err: String(err) }, 'batch runner'),
  });
  const batches = new BatchService(store, () => runner.wake(), (id) => runner.cancel(id));
  const c = config.cache;
  const cache = new ResponseCache({
    maxBytes: c.maxBytes,
    ttlMs: (model) => (c.modelTtlSeconds[model] ?? c.ttlSeconds) * 1000,
    redis: config.redis ? { url: config.redis, prefix: c.redisPrefix } : undefined,
    onError: (err) => http?.log.warn({ err: String(err) }, 'response cache second level (Redis) failed; serving from memory'),
  });
  const secret = opts.secret ?? process.env.SLUICE_SECRET;
  // Signed image URLs must verify on every instance and after restarts: the key derives from
  // SLUICE_SECRET; without it, a random key lives as long as the process.
  const signingKey = secret ? createHash('sha256').update(`sluice image urls\0${secret}`).digest() : randomBytes(32);
  const delivery = { images: createImageStore(config.images.store), signer: new UrlSigner(signingKey), urlTtlMs: config.images.urlTtlSeconds * 1000, publicBaseUrl: config.images.publicBaseUrl };
  http = buildHttpServer({ config, clients, pool, scheduler, events, accounting, policy, batches, cache, delivery, store, secretBox, configAccounts }, logger);
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = (): void => {
    void delivery.images.sweep(Date.now() - config.images.retentionHours * 3_600_000).catch((err: unknown) => http?.log.warn({ err: String(err) }, 'image retention sweep failed'));
  };
  const log = http.log;
  const warming = estimator.warm().catch((err: unknown) => log.warn({ err: String(err) }, 'tokenizers failed to load; estimating tokens as characters/4'));

  async function load(): Promise<void> {
    for (const c of config.clients) {
      await store.keys.upsertByName({
        name: c.name,
        keyHash: hashKey(c.key),
        keyPrefix: c.key.slice(0, 6),
        priority: c.priority,
        models: [...c.models],
        weight: c.weight,
        rpm: c.limits.rpm ?? null,
        tpm: c.limits.tpm ?? null,
        ipm: c.limits.ipm ?? null,
        dailyUsd: c.budget.dailyUsd ?? null,
        monthlyUsd: c.budget.monthlyUsd ?? null,
        expiresAt: c.expiresAt ?? null,
        enabled: c.enabled,
        source: 'config',
      });
    }
    for (const k of await store.keys.list()) clients.set(k);
    for (const a of await store.accounts.list()) {
      if (configAccounts.has(a.name)) continue;
      if (!secretBox) throw new Error(`the store holds account ${a.name} added at run time; set SLUICE_SECRET (the one it was added with) to decrypt its key`);
      pool.add(parseAccount({ ...a.settings, apiKey: secretBox.decrypt(a.apiKeyEncrypted), enabled: a.enabled }));
    }
    const now = Date.now();
    const [day, month] = await Promise.all([store.usage.spendByClientSince(periodStart(now, 'day')), store.usage.spendByClientSince(periodStart(now, 'month'))]);
    for (const [client, monthNano] of month) accounting.budgets.seed(client, day.get(client) ?? 0, monthNano, now);
  }

  return {
    config,
    http,
    pool,
    events,
    accounting,
    store,
    batchRunner: runner,
    async listen() {
      await Promise.all([warming, load()]);
      await runner.start();
      sweeper = setInterval(sweep, Math.min(3_600_000, config.images.retentionHours * 3_600_000)).unref();
      const address = await (http as FastifyInstance).listen({ host: config.server.host, port: config.server.port });
      return address.replace('[::1]', 'localhost');
    },
    async close() {
      clearInterval(sweeper);
      await runner.stop();
      await (http as FastifyInstance).close();
      await ledger.close();
      await cache.close();
      await upstream.close();
    },
  };
}
