import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RequestSeries, type SeriesView } from './series.ts';
import type { HttpObservation, MetricSources, UsageObservation } from './types.ts';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];
const QUEUE_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const TTFT_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
const NANO = 1e9;

/**
 * The children (`labels(...)`) of one metric, kept per label tuple in a tree of maps (one level
 * per label, so a look-up hashes the label values it is given and builds no key string):
 * prom-client's `labels()` builds a label object, validates it and binds a function on every
 * call, and the request path calls it several times per request. Label values are bounded
 * (see {@link Metrics}), so is this.
 */
class Children<C> {
  readonly #root = new Map<string | number, unknown>();
  readonly #make: (values: string[]) => C;

  constructor(make: (values: string[]) => C) {
    this.#make = make;
  }

  /** The child for these label values, in the metric's label order. */
  get(...values: Array<string | number>): C {
    let level = this.#root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(values[i]) as Map<string | number, unknown> | undefined;
      if (!next) level.set(values[i], (next = new Map()));
      level = next;
    }
    let child = level.get(values[last]) as C | undefined;
    if (child === undefined) level.set(values[last], (child = this.#make(values.map(String))));
    return child;
  }
}

type CounterChild = ReturnType<Counter<string>['labels']>;
type HistogramChild = ReturnType<Histogram<string>['labels']>;
const counterChildren = (c: Counter<string>): Children<CounterChild> => new Children((v) => c.labels(...v));
const histogramChildren = (h: Histogram<string>): Children<HistogramChild> => new Children((v) => h.labels(...v));

/**
 * Sluice's Prometheus metrics on a registry of its own (not prom-client's global one, so that
 * several gateways in one process, as in tests, never mix). Request-path metrics are pushed
 * once per finished request; the pool, queue, cache and batch gauges are read at scrape time.
 * Labels are bounded: client names (operator-made), endpoints, statuses, account names and
 * the models the pool serves (any other model name a client sends is counted as `other`).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #series = new RequestSeries();
  readonly #sources: MetricSources;
  readonly #requests: Counter<'client' | 'model' | 'endpoint' | 'status'>;
  readonly #duration: Histogram<'endpoint'>;
  readonly #queueWait: Histogram<'endpoint' | 'priority'>;
  readonly #upstream: Histogram<'account' | 'endpoint'>;
  readonly #ttft: Histogram<'model'>;
  readonly #cacheResults: Counter<'result'>;
  readonly #retries: Counter<'account' | 'reason'>;
  readonly #cost: Counter<'client' | 'model'>;
  readonly #tokens: Counter<'client' | 'model' | 'kind'>;
  readonly #images: Counter<'client' | 'model'>;
  readonly #events: Counter<'type'>;
  readonly #contentPolicy: Counter<'client' | 'source'>;
  /** Cached children of the metrics written on every request (label order as declared). */
  readonly #hot: {
    requests: Children<CounterChild>;
    duration: Children<HistogramChild>;
    queueWait: Children<HistogramChild>;
    upstream: Children<HistogramChild>;
    ttft: Children<HistogramChild>;
    cacheResults: Children<CounterChild>;
    cost: Children<CounterChild>;
    tokens: Children<CounterChild>;
    images: Children<CounterChild>;
  };

  constructor(sources: MetricSources) {
    this.#sources = sources;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#requests = new Counter({ name: 'sluice_requests_total', help: 'Requests under /v1 by client, model, endpoint and HTTP status.', labelNames: ['client', 'model', 'endpoint', 'status'], registers });
    this.#duration = new Histogram({ name: 'sluice_request_duration_seconds', help: 'Total time from request to the end of the answer.', labelNames: ['endpoint'], buckets: LATENCY_BUCKETS, registers });
    this.#queueWait = new Histogram({ name: 'sluice_queue_wait_seconds', help: 'Time a request waited for an account with headroom.', labelNames: ['endpoint', 'priority'], buckets: QUEUE_BUCKETS, registers });
    this.#upstream = new Histogram({ name: 'sluice_upstream_latency_seconds', help: 'Time of the answering upstream attempt (to the head of a stream).', labelNames: ['account', 'endpoint'], buckets: LATENCY_BUCKETS, registers });
    this.#ttft = new Histogram({ name: 'sluice_time_to_first_token_seconds', help: 'Streams: time from request to the first byte relayed.', labelNames: ['model'], buckets: TTFT_BUCKETS, registers });
    this.#cacheResults = new Counter({ name: 'sluice_cache_requests_total', help: 'Requests by response-cache result (hit, miss, coalesced, bypass).', labelNames: ['result'], registers });
    this.#retries = new Counter({ name: 'sluice_retries_total', help: 'Attempts that failed and were routed again, by account and reason (error code).', labelNames: ['account', 'reason'], registers });
    this.#cost = new Counter({ name: 'sluice_cost_usd_total', help: 'Upstream cost in US dollars by client and model (API requests and batch lines).', labelNames: ['client', 'model'], registers });
    this.#tokens = new Counter({ name: 'sluice_tokens_total', help: 'Tokens billed by client, model and kind (input_text, output_text, input_image, output_image).', labelNames: ['client', 'model', 'kind'], registers });
    this.#images = new Counter({ name: 'sluice_images_total', help: 'Images generated by client and model.', labelNames: ['client', 'model'], registers });
    this.#events = new Counter({ name: 'sluice_events_total', help: 'Operator events by type (account_disabled, circuit_opened, ...).', labelNames: ['type'], registers });
    this.#contentPolicy = new Counter({
      name: 'sluice_content_policy_blocks_total',
      help: "Prompts refused by a client's guardrails, the moderation pre-check, or the upstream's safety system.",
      labelNames: ['client', 'source'],
      registers,
    });
    this.#hot = {
      requests: counterChildren(this.#requests),
      duration: histogramChildren(this.#duration),
      queueWait: histogramChildren(this.#queueWait),
      upstream: histogramChildren(this.#upstream),
      ttft: histogramChildren(this.#ttft),
      cacheResults: counterChildren(this.#cacheResults),
      cost: counterChildren(this.#cost),
      tokens: counterChildren(this.#tokens),
      images: counterChildren(this.#images),
    };
    this.#poolGauges(registers);
    this.#otherGauges(registers);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text for `GET /metrics`. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** The last hour of requests, for the dashboard's charts. */
  series(now = Date.now()): SeriesView {
    return this.#series.view(now);
  }

  observeHttp(o: HttpObservation): void {
    const endpoint = o.endpoint ?? 'other';
    const hot = this.#hot;
    this.#series.add(o.status, o.code);
    hot.requests.get(o.client, this.#model(o.model), endpoint, o.status).inc();
    hot.duration.get(endpoint).observe(o.totalMs / 1000);
    if (o.cache) hot.cacheResults.get(o.cache).inc();
    if (o.queueMs !== undefined && o.cache !== 'hit' && o.cache !== 'coalesced') hot.queueWait.get(endpoint, o.priority ?? 'normal').observe(o.queueMs / 1000);
    if (o.account && o.upstreamMs !== undefined) hot.upstream.get(o.account, endpoint).observe(o.upstreamMs / 1000);
    if (o.ttftMs !== undefined) hot.ttft.get(this.#model(o.model)).observe(o.ttftMs / 1000);
  }

  observeUsage(u: UsageObservation): void {
    const hot = this.#hot;
    const model = this.#model(u.model);
    if (u.costNanoUsd > 0) hot.cost.get(u.client, model).inc(u.costNanoUsd / NANO);
    if (u.images > 0) hot.images.get(u.client, model).inc(u.images);
    if (u.inputTextTokens > 0) hot.tokens.get(u.client, model, 'input_text').inc(u.inputTextTokens);
    if (u.outputTextTokens > 0) hot.tokens.get(u.client, model, 'output_text').inc(u.outputTextTokens);
    if (u.inputImageTokens > 0) hot.tokens.get(u.client, model, 'input_image').inc(u.inputImageTokens);
    if (u.outputImageTokens > 0) hot.tokens.get(u.client, model, 'output_image').inc(u.outputImageTokens);
  }

  retried(account: string, reason: string): void {
    this.#retries.inc({ account, reason });
  }

  event(type: string): void {
    this.#events.inc({ type });
  }

  /** A prompt refused for its content: by the client's `guardrail` lists, the `moderation` pre-check, or the `upstream`. */
  contentPolicyBlock(client: string, source: 'guardrail' | 'moderation' | 'upstream'): void {
    this.#contentPolicy.inc({ client, source });
  }

  #model(model: string | undefined): string {
    if (!model) return '';
    return this.#sources.knownModel(model) ? model : 'other';
  }

  /** Per-account gauges, read from the pool at scrape time. */
  #poolGauges(registers: Registry[]): void {
    const sources = this.#sources;
    let accounts: ReturnType<MetricSources['accounts']> = [];
    let now = 0;
    // The gauges of one scrape read one snapshot, taken by the first of them.
    const snapshot = (): typeof accounts => {
      const t = Date.now();
      if (t !== now) {
        now = t;
        accounts = sources.accounts(t);
      }
      return accounts;
    };
    new Gauge({
      name: 'sluice_account_enabled',
      help: '1 when the account is in service, 0 when disabled (by an operator or a refused key).',
      labelNames: ['account', 'group'],
      registers,
      collect() {
        this.reset();
        for (const a of snapshot()) this.set({ account: a.name, group: a.group }, a.enabled ? 1 : 0);
      },
    });
    new Gauge({
      name: 'sluice_account_in_flight',
      help: 'Requests the account is answering now.',
      labelNames: ['account'],
      registers,
      collect() {
        this.reset();
        for (const a of snapshot()) this.set({ account: a.name }, a.inFlight);
      },
    });
    new Gauge({
      name: 'sluice_account_circuit_state',
      help: "1 for the account's current circuit state (closed, open, half-open), 0 for the others.",
      labelNames: ['account', 'state'],
      registers,
      collect() {
        this.reset();
        for (const a of snapshot()) for (const state of ['closed', 'open', 'half-open']) this.set({ account: a.name, state }, a.circuit.state === state ? 1 : 0);
      },
    });
    const dims = (metric: 'limit' | 'used' | 'ratio') =>
      function collect(this: Gauge<'account' | 'model' | 'dimension'>): void {
        this.reset();
        for (const a of snapshot()) {
          for (const [model, m] of Object.entries(a.models)) {
            for (const [dimension, h] of Object.entries(m.headroom)) {
              const v = metric === 'limit' ? h.limit : metric === 'used' ? h.used : h.limit > 0 ? h.remaining / h.limit : 0;
              this.set({ account: a.name, model, dimension }, v);
            }
          }
        }
      };
    const labelNames = ['account', 'model', 'dimension'] as const;
    new Gauge({ name: 'sluice_account_limit', help: 'Limit in force per account, model and dimension (rpm, tpm, rpd, ipm; configured or learned).', labelNames, registers, collect: dims('limit') });
    new Gauge({ name: 'sluice_account_used', help: 'Used within the current window per account, model and dimension.', labelNames, registers, collect: dims('used') });
    new Gauge({ name: 'sluice_account_headroom_ratio', help: 'Remaining share of the limit (1 = idle, 0 = exhausted) per account, model and dimension.', labelNames, registers, collect: dims('ratio') });
    new Gauge({
      name: 'sluice_account_cooldown_seconds',
      help: 'Seconds until the account may be used again for the model after an upstream 429 (0 when not cooling).',
      labelNames: ['account', 'model'],
      registers,
      collect() {
        this.reset();
        for (const a of snapshot()) {
          for (const [model, m] of Object.entries(a.models)) this.set({ account: a.name, model }, m.cooldownUntil ? Math.max(0, (Date.parse(m.cooldownUntil) - now) / 1000) : 0);
        }
      },
    });
  }

  /** Queue, cache and batch gauges. */
  #otherGauges(registers: Registry[]): void {
    const sources = this.#sources;
    new Gauge({
      name: 'sluice_queue_depth',
      help: 'Requests waiting for capacity, by priority.',
      labelNames: ['priority'],
      registers,
      collect() {
        for (const [priority, n] of Object.entries(sources.queue())) this.set({ priority }, n);
      },
    });
    const cacheGauge = (name: string, help: string, pick: (c: ReturnType<MetricSources['cache']>) => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(pick(sources.cache()));
        },
      });
    };
    cacheGauge('sluice_cache_entries', 'Answers held in the in-memory cache.', (c) => c.entries);
    cacheGauge('sluice_cache_bytes', 'Bytes held in the in-memory cache.', (c) => c.bytes);
    cacheGauge('sluice_cache_evictions', 'Answers evicted from the in-memory cache since start (to stay within maxBytes).', (c) => c.evictions);
    cacheGauge('sluice_cache_l2_hits', 'Answers found in the shared (Redis) cache level since start.', (c) => c.l2Hits);
    cacheGauge('sluice_cache_l2_errors', 'Failed reads or writes of the shared (Redis) cache level since start.', (c) => c.l2Errors);
    let batches: Promise<Awaited<ReturnType<MetricSources['batches']>>> | undefined;
    // Both batch gauges share one store read per scrape.
    const readBatches = (): Promise<Awaited<ReturnType<MetricSources['batches']>>> => {
      batches ??= sources.batches().finally(() => setImmediate(() => (batches = undefined)));
      return batches;
    };
    new Gauge({
      name: 'sluice_batches',
      help: 'Batches not yet ended, by status.',
      labelNames: ['status'],
      registers,
      async collect() {
        this.reset();
        for (const [status, n] of Object.entries((await readBatches()).byStatus)) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'sluice_batch_lines',
      help: 'Lines of the batches not yet ended, by state.',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        for (const [state, n] of Object.entries((await readBatches()).lines)) this.set({ state }, n);
      },
    });
  }
}
