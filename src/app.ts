import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { Accounting, Budgets, Ledger, periodStart } from './accounting/index.ts';
import { ResponseCache } from './cache/index.ts';
import { Cluster } from './cluster/index.ts';
import { parseAccount, type SluiceConfig } from './config/index.ts';
import { EventArchive, EventLog, WebhookNotifier } from './events/index.ts';
import { BatchedLineWriter, buildHttpServer } from './http/index.ts';
import { createImageStore, UrlSigner } from './images/index.ts';
import { BatchRunner, BatchService, createLineExecutor } from './jobs/index.ts';
import { type BatchGaugeSource, Metrics } from './metrics/index.ts';
import { ClientDirectory, clientExtrasFrom, hashKey } from './policy/index.ts';
import { AccountPool } from './pool/index.ts';
import { createPricer } from './pricing/index.ts';
import { UpstreamClient } from './providers/index.ts';
import { Scheduler, TokenEstimator } from './scheduler/index.ts';
import { createSecretBox, type SecretBox, type Store } from './store/index.ts';
import type { AccountRecord, JobCounts } from './store/types.ts';

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
  readonly metrics: Metrics;
  readonly accounting: Accounting;
  readonly store: Store;
  readonly batchRunner: BatchRunner;
  /** Loads keys and accounts from the store, then listens; resolves with the base URL. */
  listen(): Promise<string>;
  /** Stops accepting, lets in-flight requests finish, writes the ledger, closes connections. */
  close(): Promise<void>;
}

/** pino options from `server`: JSON lines, or coloured lines through pino-pretty for a terminal. */
function loggerOptions(server: SluiceConfig['server']): FastifyServerOptions['logger'] {
  const pretty = server.logFormat === 'pretty' || (server.logFormat === 'auto' && process.stdout.isTTY === true);
  // One write(2) per event-loop turn rather than per line (see BatchedLineWriter).
  if (!pretty) return { level: server.logLevel, stream: new BatchedLineWriter() };
  return { level: server.logLevel, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true } } };
}

/** Batch gauges from the batches that have not ended. */
function batchGauges(active: ReadonlyArray<{ batch: { status: string }; counts: JobCounts }>): BatchGaugeSource {
  const byStatus: Record<string, number> = {};
  const lines: Record<string, number> = { pending: 0, completed: 0, failed: 0, cancelled: 0 };
  for (const { batch, counts } of active) {
    byStatus[batch.status] = (byStatus[batch.status] ?? 0) + 1;
    lines.pending += counts.pending;
    lines.completed += counts.completed;
    lines.failed += counts.failed;
    lines.cancelled += counts.cancelled;
  }
  return { byStatus, lines };
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
  const scheduler = new Scheduler(pool, estimator, config.scheduler, { retried: (account, reason) => metrics.retried(account, reason) });
  const clients = new ClientDirectory(config.scheduler.timeScale, clientExtrasFrom(config.clients));
  const secretBox = secretBoxFrom(opts.secret ?? process.env.SLUICE_SECRET);
  const logger = opts.logger ?? loggerOptions(config.server);
  let http: FastifyInstance | undefined;
  const ledger = new Ledger(store.usage, { onError: (err, rows) => http?.log.error({ err: String(err), rows }, 'usage ledger write failed; will retry') });
  const accounting = new Accounting(ledger, new Budgets(events), createPricer(config.pricing), (row) => metrics.observeUsage(row));
  const configAccounts = new Set(config.accounts.map((a) => a.name));
  const policy = { budgets: accounting.budgets, serves: (m: string, groups?: readonly string[]) => pool.serves(m, groups), estimate: (c: Parameters<Scheduler['estimate']>[0]) => scheduler.estimate(c), price: (i: Parameters<Accounting['estimate']>[0]) => accounting.estimate(i) };
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
  const metrics = new Metrics({
    accounts: (now) => pool.list().map((a) => a.snapshot(now)),
    queue: () => scheduler.stats().queue,
    cache: () => cache.stats(),
    batches: async () => batchGauges(await batches.active()),
    knownModel: (model) => pool.serves(model),
  }, { maxClientLabels: config.metrics.maxClientLabels });
  events.subscribe((e) => metrics.event(e.type));
  http = buildHttpServer({ config, clients, pool, scheduler, events, accounting, policy, batches, cache, metrics, delivery, store, secretBox, configAccounts, keysChanged: () => cluster?.keysChanged(), clusterStatus: () => cluster && { instance: cluster.id, instances: cluster.instances, degraded: cluster.degraded, recovering: cluster.recovering } },
    logger,
  );
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = (): void => {
    void delivery.images.sweep(Date.now() - config.images.retentionHours * 3_600_000).catch((err: unknown) => http?.log.warn({ err: String(err) }, 'image retention sweep failed'));
  };
  const log = http.log;
  const warming = estimator.warm().catch((err: unknown) => log.warn({ err: String(err) }, 'tokenizers failed to load; estimating tokens as characters/4'));
  // Events go to the store (for /admin/events, across restarts and instances) and to webhooks; neither may fail emit().
  const archive = new EventArchive(events, store.events, { onError: (err, what) => log.warn({ err: String(err) }, `event store ${what} failed`) });
  const notifier = new WebhookNotifier(config.alerts, (fields, msg) => log.warn(fields, msg));
  events.subscribe((e) => notifier.notify(e));

  /** `quiet`: another instance added it and already reported the event. */
  const loadAccount = (a: AccountRecord, quiet = false): void => {
    if (!secretBox) throw new Error(`the store holds account ${a.name} added at run time; set SLUICE_SECRET (the one it was added with) to decrypt its key`);
    pool.add(parseAccount({ ...a.settings, apiKey: secretBox.decrypt(a.apiKeyEncrypted), enabled: a.enabled }), { quiet });
  };
  const cluster =
    config.redis && config.cluster.enabled
      ? new Cluster(
          { url: config.redis, prefix: config.cluster.prefix, heartbeatMs: config.cluster.heartbeatMs, commandTimeoutMs: config.cluster.commandTimeoutMs, log },
          {
            pool,
            events,
            async accountAdded(name) {
              const a = await store.accounts.get(name);
              if (a && !pool.get(name)) loadAccount(a, true);
            },
            async keysChanged() {
              clients.replaceAll(await store.keys.list());
            },
          },
        )
      : undefined;

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
        policy: null, // a config key's policy is read from the config file
      });
    }
    for (const k of await store.keys.list()) clients.set(k);
    for (const a of await store.accounts.list()) if (!configAccounts.has(a.name)) loadAccount(a);
    const now = Date.now();
    const [day, month] = await Promise.all([store.usage.spendByClientSince(periodStart(now, 'day')), store.usage.spendByClientSince(periodStart(now, 'month'))]);
    for (const [client, monthNano] of month) accounting.budgets.seed(client, day.get(client) ?? 0, monthNano, now);
  }

  return {
    config,
    http,
    pool,
    events,
    metrics,
    accounting,
    store,
    batchRunner: runner,
    async listen() {
      await Promise.all([warming, load()]);
      await cluster?.start();
      await runner.start();
      archive.start();
      sweeper = setInterval(sweep, Math.min(3_600_000, config.images.retentionHours * 3_600_000)).unref();
      const address = await (http as FastifyInstance).listen({ host: config.server.host, port: config.server.port });
      return address.replace('[::1]', 'localhost');
    },
    async close() {
      clearInterval(sweeper);
      await runner.stop();
      await cluster?.close();
      await (http as FastifyInstance).close();
      await events.flush();
      await archive.close();
      await notifier.close();
      await ledger.close();
      await cache.close();
      await upstream.close();
    },
  };
}
