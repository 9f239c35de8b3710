import { z } from 'zod';
import { EVENT_TYPES } from '../events/event-log.ts';
import { WEBHOOK_FORMATS } from '../events/webhook-body.ts';
import { pricingSchema } from '../pricing/schema.ts';

/** Priority classes, highest first. A client's configured priority caps what it may ask for. */
export const PRIORITIES = ['high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

const positiveInt = z.number().int().positive();

/** Limits of one account for one model, in every dimension OpenAI uses. */
export const modelLimitsSchema = z.strictObject({
  rpm: positiveInt.optional(),
  tpm: positiveInt.optional(),
  rpd: positiveInt.optional(),
  ipm: positiveInt.optional(),
  /** A short burst window, e.g. "at most 3 requests in 10 s". */
  burst: z.strictObject({ requests: positiveInt, perSeconds: z.number().positive() }).optional(),
});

export const PROVIDERS = ['openai', 'azure', 'openai-compatible'] as const;

/** One upstream account (config file entry, or the body of `POST /admin/accounts`). */
export const accountSchema = z.strictObject({
  name: z.string().min(1).regex(/^[\w.-]+$/, 'use letters, digits, "-", "_" or "."'),
  provider: z.enum(PROVIDERS),
  baseUrl: z.url().optional(),
  apiKey: z.string().min(1, 'must not be empty'),
  group: z.string().min(1).default('default'),
  weight: z.number().positive().default(1),
  enabled: z.boolean().default(true),
  /** Per-model limits; the keys are also the models this account serves. */
  limits: z.record(z.string().min(1), modelLimitsSchema).default({}),
  /** Models served without configured limits (learned from headers later). */
  models: z.array(z.string().min(1)).default([]),
  /** Azure: public model name -> deployment name (defaults to the model name). */
  deployments: z.record(z.string(), z.string().min(1)).default({}),
  /**
   * Public model name -> the name this upstream knows it by (relays that rename models, a
   * self-hosted server's model id). Only the body's `model` changes; the public name still
   * decides routing, limits and prices.
   */
  modelMap: z.record(z.string().min(1), z.string().min(1)).default({}),
  /** Azure: `api-version` query parameter. */
  apiVersion: z.string().default('2024-10-21'),
  /** Most requests this account may have in flight at once. */
  maxConcurrent: positiveInt.optional(),
  /** Upstream timeout per attempt, in ms (images take up to a minute or more). */
  timeoutMs: positiveInt.default(300_000),
});

/** Image quality steps, best first, for budget-driven degradation. */
export const IMAGE_QUALITIES = ['high', 'medium', 'low'] as const;

const imageSize = z.string().regex(/^\d{2,5}x\d{2,5}$/, 'use WIDTHxHEIGHT, e.g. "1024x1024"');
const pixels = (size: string): number => size.split('x').reduce((a, b) => a * Number(b), 1);

/** A client's image ceilings and defaults, applied before scheduling (README "Policies"). */
const clientImagesSchema = z
  .strictObject({
    /** Higher qualities are served at this one (`x-sluice-policy: quality=...`). */
    maxQuality: z.enum(IMAGE_QUALITIES).optional(),
    /** Larger sizes (by pixel count) are refused with 400. */
    maxSize: imageSize.optional(),
    /** Used when the request says no quality (or `auto`). */
    defaultQuality: z.enum(IMAGE_QUALITIES).optional(),
    /** Used when the request says no size (or `auto`). */
    defaultSize: imageSize.optional(),
  })
  .superRefine((p, ctx) => {
    const rank = (q: string): number => IMAGE_QUALITIES.indexOf(q as (typeof IMAGE_QUALITIES)[number]);
    if (p.maxQuality && p.defaultQuality && rank(p.defaultQuality) < rank(p.maxQuality)) {
      ctx.addIssue({ code: 'custom', path: ['defaultQuality'], message: `is above maxQuality "${p.maxQuality}"` });
    }
    if (p.maxSize && p.defaultSize && pixels(p.defaultSize) > pixels(p.maxSize)) {
      ctx.addIssue({ code: 'custom', path: ['defaultSize'], message: `is larger than maxSize "${p.maxSize}"` });
    }
  });

/** A regular expression's source, checked to compile (case-insensitive, as guardrails use it). */
const regexSource = z
  .string()
  .min(1)
  .superRefine((source, ctx) => {
    try {
      new RegExp(source, 'i');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${(err as Error).message}` });
    }
  });

/** Endpoints the moderation pre-check may screen. */
export const MODERATED_ENDPOINTS = ['images.generations', 'images.edits', 'chat.completions'] as const;

/** Prompt screening before any upstream is paid (README "Policies"). */
const guardrailsSchema = z.strictObject({
  /** Words or phrases refused anywhere in a prompt (case-insensitive; whole words for Latin script). */
  words: z.array(z.string().min(1)).default([]),
  /** Files with one word or phrase per line (`#` starts a comment line), relative to the working directory. */
  wordLists: z.array(z.string().min(1)).default([]),
  /** Regular expressions (case-insensitive) refused anywhere in a prompt. */
  patterns: z.array(regexSource).default([]),
  /** Ask `/v1/moderations` through the pool first; `true` screens image generations and edits with omni-moderation-latest. */
  moderation: z
    .union([
      z.boolean(),
      z.strictObject({
        endpoints: z.array(z.enum(MODERATED_ENDPOINTS)).min(1).default(['images.generations', 'images.edits']),
        model: z.string().min(1).default('omni-moderation-latest'),
        /** Block only when one of these categories is flagged (default: whenever the input is flagged). */
        categories: z.array(z.string().min(1)).min(1).optional(),
      }),
    ])
    .default(false),
});

/**
 * The per-client policy a key made through the admin API may carry (config clients write the
 * same fields directly): cache and image delivery, groups, fallbacks, guardrails and image
 * ceilings. Guardrails here take `words` and `patterns` but no `wordLists`: an API request does
 * not name files on the gateway's disk.
 */
export const clientPolicySchema = z.strictObject({
  /** Past this share of a budget (0..1), serve image quality one step lower (high → medium → low). */
  degradeImagesAbove: z.number().min(0).max(1).optional(),
  /** Response cache: true = opted in (also for n>1, temperature>0, user), false = never, absent = `cache.defaultOn`. */
  cache: z.boolean().optional(),
  /** Normalise case and spacing of prompts before the cache key is computed. */
  normalizePrompts: z.boolean().optional(),
  /** How image answers are delivered when the request does not say (`response_format`). */
  imageResponseFormat: z.enum(['b64_json', 'url']).optional(),
  /** Account groups this client may use, tried in this order (absent: every group, in config order). */
  groups: z.array(z.string().min(1)).min(1).optional(),
  /** Model -> models tried in order when it cannot be served before the request's deadline. */
  fallbacks: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).optional(),
  guardrails: guardrailsSchema.omit({ wordLists: true }).optional(),
  images: clientImagesSchema.optional(),
});

/** A client of the config file: its key and limits, plus the policy fields above (with defaults, and word-list files allowed). */
const clientSchema = z.strictObject({
  name: z.string().min(1).regex(/^[\w.-]+$/, 'use letters, digits, "-", "_" or "."'),
  key: z.string().min(8, 'must be at least 8 characters'),
  priority: z.enum(PRIORITIES).default('normal'),
  /** Models this client may call; "*" allows all. */
  models: z.array(z.string().min(1)).default(['*']),
  weight: z.number().positive().default(1),
  /** The client's own limits across the whole pool (its quota). */
  limits: z.strictObject({ rpm: positiveInt.optional(), tpm: positiveInt.optional(), ipm: positiveInt.optional() }).default({}),
  budget: z.strictObject({ dailyUsd: z.number().nonnegative().optional(), monthlyUsd: z.number().nonnegative().optional() }).default({}),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  enabled: z.boolean().default(true),
  ...clientPolicySchema.shape,
  normalizePrompts: clientPolicySchema.shape.normalizePrompts.unwrap().default(false),
  imageResponseFormat: clientPolicySchema.shape.imageResponseFormat.unwrap().default('b64_json'),
  fallbacks: clientPolicySchema.shape.fallbacks.unwrap().default({}),
  guardrails: guardrailsSchema.optional(),
});

/** How the scheduler waits, retries and spreads load (every field has a default). */
const schedulerSchema = z
  .strictObject({
    /** Longest a request may wait for capacity, per endpoint kind, unless `x-sluice-max-wait-ms` says otherwise. */
    maxWaitMs: z
      .strictObject({ default: positiveInt.default(60_000), images: positiveInt.default(300_000) })
      .prefault({}),
    /** Upper bound on `x-sluice-max-wait-ms`. */
    maxWaitCapMs: positiveInt.default(3_600_000),
    /** Upstream attempts for one request after failures (429 re-routing does not count). */
    maxAttempts: positiveInt.max(10).default(4),
    /**
     * Priorities whose requests are paced evenly through each limit window instead of taking a
     * window's whole quota at once, so that more urgent requests always find a slot soon.
     */
    pace: z.array(z.enum(PRIORITIES)).default(['low']),
    /** Completion tokens reserved against TPM when a chat request sets no max_tokens. */
    defaultCompletionTokens: positiveInt.default(256),
    /** Send `percent`% of `model`'s traffic to `group` first; the rest uses it last. */
    canary: z.array(z.strictObject({ model: z.string().min(1), group: z.string().min(1), percent: z.number().min(0).max(100) })).default([]),
    circuit: z
      .strictObject({ failureThreshold: positiveInt.default(5), openMs: positiveInt.default(30_000), maxOpenMs: positiveInt.default(300_000) })
      .prefault({}),
    /** Time factor for limit windows and circuit rests: 1 in production; the simulator's timeScale in tests and benchmarks. */
    timeScale: z.number().positive().max(1).default(1),
  })
  .prefault({});

/** The durable batch queue's workers (see README "Batches"). */
const batchSchema = z
  .strictObject({
    /** Lines in flight at once per instance; each waits in the scheduler at low priority. */
    concurrency: positiveInt.default(256),
    /** A lease not renewed for this long is taken over by another worker (instance crash). */
    leaseMs: positiveInt.default(60_000),
    /** Attempts per line before it goes to the error file. */
    maxAttempts: positiveInt.max(20).default(5),
    /** Waits before retries: 1 s, 5 s, 30 s, then 2 min. */
    backoffMs: z.array(z.number().int().nonnegative()).min(1).default([1000, 5000, 30_000, 120_000]),
    /** How long one line may wait for capacity in one attempt. */
    maxWaitMs: positiveInt.default(3_600_000),
    /** How often idle workers look for work (new batches wake them at once). */
    pollMs: positiveInt.default(1000),
  })
  .prefault({});

/** The response cache (see README "Cache"). */
const cacheSchema = z
  .strictObject({
    /** Cache for clients that did not opt in or out explicitly. */
    defaultOn: z.boolean().default(true),
    /** Bytes the in-memory LRU may hold; Redis (top-level `redis`) is the shared second level. */
    maxBytes: positiveInt.default(256 * 1024 * 1024),
    ttlSeconds: positiveInt.default(3600),
    /** TTL per model, overriding ttlSeconds. */
    modelTtlSeconds: z.record(z.string().min(1), positiveInt).default({}),
    /** Key prefix in Redis; instances that should share cached answers use the same one. */
    redisPrefix: z.string().min(1).default('sluice:cache:'),
  })
  .prefault({});

/** Where generated images are kept when delivered as URLs (see docs/IMAGES.md). */
const imagesSchema = z
  .strictObject({
    store: z
      .union([
        z.strictObject({ local: z.string().min(1) }),
        z.strictObject({
          s3: z.strictObject({
            bucket: z.string().min(1),
            endpoint: z.url().optional(),
            region: z.string().optional(),
            accessKeyId: z.string().optional(),
            secretAccessKey: z.string().optional(),
            prefix: z.string().optional(),
            forcePathStyle: z.boolean().optional(),
          }),
        }),
      ])
      .default({ local: './data/images' }),
    /** How long a signed image URL stays valid. */
    urlTtlSeconds: positiveInt.default(3600),
    /** Stored images older than this are deleted. */
    retentionHours: z.number().positive().default(24),
    /** Base of the URLs handed out (e.g. https://sluice.example.com); default: the request's own host. */
    publicBaseUrl: z.url().optional(),
  })
  .prefault({});

/** Where events are posted as they happen (see README "Events and alerts"). */
const alertsSchema = z
  .strictObject({
    webhooks: z
      .array(
        z.strictObject({
          /** Its path and query may hold a secret (Slack, DingTalk): logs show only the origin. */
          url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
          /** Event types sent to this webhook. */
          events: z.array(z.enum(EVENT_TYPES)).min(1).default(['account_disabled', 'circuit_opened', 'budget_threshold']),
          format: z.enum(WEBHOOK_FORMATS).default('json'),
          headers: z.record(z.string().min(1), z.string()).optional(),
        }),
      )
      .default([]),
    /** Retries after a failed attempt (network error or non-2xx answer). */
    retries: z.number().int().min(0).max(10).default(3),
    /** Wait before retry k: backoffMs × 2^k. */
    backoffMs: positiveInt.default(1000),
    /** Longest one attempt may take. */
    timeoutMs: positiveInt.default(5000),
    /** The same (type, account, client) goes to a webhook at most once per this many seconds. */
    dedupeSeconds: z.number().nonnegative().default(300),
  })
  .prefault({});

const storeSchema = z.union([
  z.strictObject({ sqlite: z.string().min(1) }),
  z.strictObject({ postgres: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL') }),
]);

/** The whole config file (see sluice.example.yaml and DESIGN.md "The contract"). */
export const configSchema = z
  .strictObject({
    server: z
      .strictObject({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** Largest JSON body accepted (chat with inline images can be large). */
        maxBodyBytes: positiveInt.default(32 * 1024 * 1024),
        /** Largest multipart upload (image edits), all parts together. */
        maxUploadBytes: positiveInt.default(64 * 1024 * 1024),
        logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        /** `pretty`: coloured lines for a terminal (pino-pretty); `json`: one JSON object per line; `auto`: pretty when stdout is a terminal. */
        logFormat: z.enum(['auto', 'json', 'pretty']).default('auto'),
        /** Put the prompt's text (shortened) in each request's log line. Off: logs never hold prompts. */
        logPrompts: z.boolean().default(false),
      })
      .prefault({}),
    store: storeSchema.default({ sqlite: './data/sluice.db' }),
    redis: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
    /** With `redis`: instances share limit windows, cooldowns, account states and changes (see README "Several instances"). */
    cluster: z
      .strictObject({
        /** Share limits and state through Redis when `redis` is set (default). False: Redis only for the cache. */
        enabled: z.boolean().default(true),
        /** Prefix of every Redis key and of the change channel; instances of one pool must use the same. */
        prefix: z.string().min(1).default('sluice:'),
        heartbeatMs: positiveInt.default(1000),
        /** A Redis command slower than this counts as Redis being unreachable. */
        commandTimeoutMs: positiveInt.default(500),
      })
      .prefault({}),
    adminToken: z.string().min(8, 'must be at least 8 characters').optional(),
    clients: z.array(clientSchema).default([]),
    accounts: z.array(accountSchema).default([]),
    scheduler: schedulerSchema,
    batch: batchSchema,
    cache: cacheSchema,
    images: imagesSchema,
    alerts: alertsSchema,
    /** `GET /metrics` (Prometheus): on by default; `requireAdminToken` makes scrapers send `Authorization: Bearer <adminToken>`. */
    metrics: z
      .strictObject({
        enabled: z.boolean().default(true),
        requireAdminToken: z.boolean().default(false),
        /** Client names that get a label of their own (the first seen); later ones are counted as `other`. */
        maxClientLabels: z.number().int().nonnegative().default(200),
      })
      .prefault({}),
    /** Price overrides per model (see docs/PRICING.md); the shipped table covers the rest. */
    pricing: pricingSchema.prefault({}),
  })
  .superRefine((cfg, ctx) => {
    unique(cfg.accounts.map((a) => a.name), 'accounts', 'name', ctx);
    unique(cfg.clients.map((c) => c.name), 'clients', 'name', ctx);
    unique(cfg.clients.map((c) => c.key), 'clients', 'key', ctx);
    cfg.clients.forEach((c, i) => {
      checkRouting(c, ['clients', i], cfg.accounts, ctx);
    });
    cfg.accounts.forEach((a, i) => {
      if (a.provider !== 'openai' && !a.baseUrl) {
        ctx.addIssue({ code: 'custom', path: ['accounts', i, 'baseUrl'], message: `is required for provider "${a.provider}"` });
      }
    });
  });

/**
 * A client's groups must exist (when there are accounts), and its fallbacks must be models it
 * may use. `at` is where the client is (`['clients', 3]` in a config file, `[]` in an admin API body).
 */
export function checkRouting(
  c: { groups?: readonly string[]; fallbacks: Readonly<Record<string, readonly string[]>>; models: readonly string[] },
  at: Array<string | number>,
  accounts: ReadonlyArray<{ group: string }>,
  ctx: z.RefinementCtx,
): void {
  const known = new Set(accounts.map((a) => a.group));
  c.groups?.forEach((g, j) => {
    if (accounts.length > 0 && !known.has(g)) {
      ctx.addIssue({ code: 'custom', path: [...at, 'groups', j], message: `no account is in group "${g}" (groups: ${[...known].join(', ')})` });
    }
  });
  for (const [model, list] of Object.entries(c.fallbacks)) {
    list.forEach((m, j) => {
      const path = [...at, 'fallbacks', model, j];
      if (m === model) ctx.addIssue({ code: 'custom', path, message: 'a model cannot be its own fallback' });
      else if (!c.models.includes('*') && !c.models.includes(m)) ctx.addIssue({ code: 'custom', path, message: `"${m}" is not in this client's models` });
    });
  }
}

function unique(values: string[], list: string, field: string, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) ctx.addIssue({ code: 'custom', path: [list, i, field], message: field === 'key' ? 'duplicates another client\'s key' : `duplicates "${v}"` });
    seen.add(v);
  });
}

export type ConfigInput = z.input<typeof configSchema>;
type Parsed = z.output<typeof configSchema>;
export type ModelLimits = z.output<typeof modelLimitsSchema>;
export type AccountConfig = Readonly<Parsed['accounts'][number]>;
export type ClientConfig = Readonly<Parsed['clients'][number]>;
/** See {@link clientPolicySchema}. */
export type ClientPolicy = z.output<typeof clientPolicySchema>;
export type SchedulerConfig = Readonly<Parsed['scheduler']>;
/** The validated, frozen config passed down from `createApp`. */
export type SluiceConfig = Readonly<Parsed>;
