import type { ClientPolicy, Priority } from '../config/index.ts';

/** A client key as stored: never the secret itself, only its SHA-256 and a short prefix to recognise it. */
export interface ClientKeyRecord {
  id: string;
  /** The client's name (unique): shown in logs, usage and reports. */
  name: string;
  /** SHA-256 of the secret, hex. */
  keyHash: string;
  /** The first characters of the secret (e.g. "sk-slc-AbCd"), to tell keys apart in lists. */
  keyPrefix: string;
  priority: Priority;
  models: string[];
  weight: number;
  /** The client's own limits across the whole pool (null: none). */
  rpm: number | null;
  tpm: number | null;
  ipm: number | null;
  dailyUsd: number | null;
  monthlyUsd: number | null;
  /** ISO time after which the key stops working (null: never). */
  expiresAt: string | null;
  enabled: boolean;
  /** Where it came from: the config file (synced at start) or the admin API / CLI. */
  source: 'config' | 'api';
  createdAt: string;
  /** Groups, fallbacks, guardrails, image policy... of a key made through the admin API (a config key's are in the config file: null). */
  policy: ClientPolicy | null;
}

export type NewClientKey = Omit<ClientKeyRecord, 'id' | 'createdAt'>;
export type ClientKeyPatch = Partial<Omit<ClientKeyRecord, 'id' | 'createdAt' | 'keyHash' | 'keyPrefix' | 'source' | 'name'>>;

export interface KeyStore {
  create(rec: NewClientKey): Promise<ClientKeyRecord>;
  /** Inserts or updates the key named `rec.name` (config sync). */
  upsertByName(rec: NewClientKey): Promise<ClientKeyRecord>;
  list(): Promise<ClientKeyRecord[]>;
  get(id: string): Promise<ClientKeyRecord | undefined>;
  getByName(name: string): Promise<ClientKeyRecord | undefined>;
  update(id: string, patch: ClientKeyPatch): Promise<ClientKeyRecord | undefined>;
  /** Deletes (revokes) a key. */
  delete(id: string): Promise<boolean>;
}

/** An upstream account as stored; the API key only in encrypted form. */
export interface AccountRecord {
  name: string;
  /** The account config as JSON (provider, baseUrl, group, limits, ...) without the API key. */
  settings: Record<string, unknown>;
  /** AES-256-GCM ciphertext of the API key (see src/store/secret-box.ts). */
  apiKeyEncrypted: string;
  enabled: boolean;
  source: 'config' | 'api';
  createdAt: string;
}

export interface AccountStore {
  list(): Promise<AccountRecord[]>;
  get(name: string): Promise<AccountRecord | undefined>;
  upsert(rec: Omit<AccountRecord, 'createdAt'>): Promise<AccountRecord>;
  setEnabled(name: string, enabled: boolean): Promise<boolean>;
  delete(name: string): Promise<boolean>;
}

/** One row per request answered (or refused after authentication). */
export interface UsageRow {
  /** Epoch milliseconds. */
  time: number;
  requestId: string;
  client: string;
  account: string | null;
  model: string;
  endpoint: string;
  status: number;
  attempts: number;
  inputTextTokens: number;
  outputTextTokens: number;
  inputImageTokens: number;
  outputImageTokens: number;
  images: number;
  /** Cost in billionths of a US dollar: integers keep sums exact. */
  costNanoUsd: number;
  queueMs: number;
  upstreamMs: number;
  cacheHit: boolean;
}

export const USAGE_GROUPS = ['client', 'model', 'account', 'day'] as const;
export type UsageGroupBy = (typeof USAGE_GROUPS)[number];

export interface UsageGroup {
  key: string;
  requests: number;
  errors: number;
  inputTextTokens: number;
  outputTextTokens: number;
  inputImageTokens: number;
  outputImageTokens: number;
  images: number;
  costNanoUsd: number;
}

export interface UsageQuery {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  client?: string;
}

export interface UsageStore {
  insertMany(rows: readonly UsageRow[]): Promise<void>;
  /** Sum of costNanoUsd for `client` since `since` (epoch ms). */
  spendSince(client: string, since: number): Promise<number>;
  /** Sum of costNanoUsd per client since `since`. */
  spendByClientSince(since: number): Promise<Map<string, number>>;
  report(q: UsageQuery & { groupBy: UsageGroupBy }): Promise<UsageGroup[]>;
  rows(q: UsageQuery & { limit?: number }): Promise<UsageRow[]>;
  count(): Promise<number>;
}

/**
 * One operational event as stored (account disabled, circuit opened, budget threshold, ...).
 * The events layer owns the event types; here `type` is plain text, so the store does not
 * depend on it. Messages are Sluice's own words and never hold a secret.
 */
export interface SluiceEventRow {
  /** Epoch milliseconds. */
  time: number;
  type: string;
  account: string | null;
  model: string | null;
  client: string | null;
  message: string;
}

/** Which events {@link EventStore.list} returns: every given filter must match. */
export interface EventQuery {
  limit: number;
  type?: string;
  account?: string;
  client?: string;
  /** Epoch ms, inclusive. */
  since?: number;
}

/** The durable event log: shared by every instance on the same store, pruned by age. */
export interface EventStore {
  insert(e: SluiceEventRow): Promise<void>;
  /** Newest first (events of the same millisecond in reverse insertion order); at most `limit`. */
  list(q: EventQuery): Promise<SluiceEventRow[]>;
  /** Deletes events older than `olderThan` (epoch ms, exclusive); returns how many. */
  prune(olderThan: number): Promise<number>;
}

/** Everything Sluice keeps durably: one interface, a SQLite and a PostgreSQL implementation. */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly keys: KeyStore;
  readonly accounts: AccountStore;
  readonly usage: UsageStore;
  readonly files: FileStore;
  readonly batches: BatchStore;
  readonly events: EventStore;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Files and batches (the OpenAI Batch API), and the durable job queue behind them.

/** An uploaded file (`POST /v1/files`). Output and error files of batches are not stored as files: they are built from job rows when downloaded. */
export interface FileRecord {
  /** `file-` + 24 hex. */
  id: string;
  /** The client (name) that uploaded it: only it sees the file. */
  owner: string;
  purpose: string;
  filename: string;
  bytes: number;
  /** Epoch seconds, as OpenAI reports `created_at`. */
  createdAt: number;
}

export interface FileStore {
  put(rec: FileRecord, content: Buffer): Promise<FileRecord>;
  get(id: string): Promise<FileRecord | undefined>;
  content(id: string): Promise<Buffer | undefined>;
  /** Newest first. */
  list(owner: string, opts?: { purpose?: string; limit?: number }): Promise<FileRecord[]>;
  delete(id: string): Promise<boolean>;
}

export const BATCH_STATUSES = ['validating', 'failed', 'in_progress', 'finalizing', 'completed', 'expired', 'cancelling', 'cancelled'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/** A batch as stored; `request_counts` are not stored but counted from its jobs. */
export interface BatchRecord {
  /** `batch_` + 24 hex. */
  id: string;
  owner: string;
  endpoint: string;
  inputFileId: string;
  completionWindow: string;
  status: BatchStatus;
  /** Validation errors (OpenAI's `errors.data`), when the input file was refused. */
  errors: Array<{ code: string; message: string; param: string | null; line: number | null }> | null;
  metadata: Record<string, string> | null;
  /** Epoch seconds of each transition (null until it happens). */
  createdAt: number;
  inProgressAt: number | null;
  finalizingAt: number | null;
  completedAt: number | null;
  failedAt: number | null;
  cancellingAt: number | null;
  cancelledAt: number | null;
  expiresAt: number;
}

export type BatchPatch = Partial<Pick<BatchRecord, 'status' | 'errors' | 'inProgressAt' | 'finalizingAt' | 'completedAt' | 'failedAt' | 'cancellingAt' | 'cancelledAt'>>;

export const JOB_STATES = ['queued', 'leased', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** One line of a batch: a job in the durable queue. (batchId, line) is unique, so a line has one result. */
export interface JobRecord {
  batchId: string;
  /** 1-based line number in the input file. */
  line: number;
  customId: string;
  /** The request body of the line, as JSON text. */
  body: string;
  state: JobState;
  attempts: number;
  /** Epoch ms before which a queued job is not leased (retry backoff). */
  notBefore: number;
  /** Who holds the lease and until when (epoch ms); a lease past its time is free to take. */
  leaseOwner: string | null;
  leaseUntil: number | null;
  /**
   * The line's result as JSON text, in OpenAI's output line shape minus `id`/`custom_id`:
   * `{"response":{"status_code","request_id","body"},"error":null}` or
   * `{"response":null,"error":{"code","message"}}`. Null until done/failed.
   */
  result: string | null;
  lastError: string | null;
  /** Epoch ms of the last change. */
  updatedAt: number;
}

export interface JobCounts {
  total: number;
  /** Lines answered 2xx. */
  completed: number;
  /** Lines that ended in the error file (non-2xx answer or gave up). */
  failed: number;
  /** queued + leased. */
  pending: number;
  cancelled: number;
}

export interface BatchStore {
  /** Creates the batch and all its jobs in one transaction. */
  create(batch: BatchRecord, jobs: ReadonlyArray<{ line: number; customId: string; body: string }>): Promise<void>;
  get(id: string): Promise<BatchRecord | undefined>;
  /** Newest first; `after` is a batch id (OpenAI's cursor). */
  list(owner: string, opts?: { after?: string; limit?: number }): Promise<BatchRecord[]>;
  update(id: string, patch: BatchPatch): Promise<BatchRecord | undefined>;
  /** Ids of batches in one of `statuses` (for the runner to resume after a restart). */
  idsWithStatus(statuses: readonly BatchStatus[]): Promise<string[]>;
  /**
   * Atomically leases up to `limit` jobs of in_progress batches that are queued with
   * notBefore <= now, or leased with leaseUntil < now (their holder died): sets state leased,
   * leaseOwner, leaseUntil = now + leaseMs, attempts + 1. Two callers never get the same job
   * (SQLite: one writer; PostgreSQL: FOR UPDATE SKIP LOCKED). Oldest batch and line first.
   */
  lease(owner: string, limit: number, leaseMs: number, now: number): Promise<JobRecord[]>;
  /** Extends the leases this owner holds on these jobs. */
  renew(owner: string, jobs: ReadonlyArray<{ batchId: string; line: number }>, until: number): Promise<void>;
  /** Finishes a job this owner leased: state done (2xx) or failed, with its result. False if the lease was lost (another holder may finish it). */
  finish(owner: string, batchId: string, line: number, state: 'done' | 'failed', result: string, now: number): Promise<boolean>;
  /** Puts a leased job back in the queue to retry after `notBefore`. */
  retryLater(owner: string, batchId: string, line: number, notBefore: number, lastError: string, now: number): Promise<boolean>;
  /** Gives back every lease `owner` holds (graceful stop), or every lease of anyone when owner is null (single-process start). */
  releaseLeases(owner: string | null): Promise<number>;
  /** Queued jobs of the batch become cancelled; returns how many. */
  cancelQueued(batchId: string, now: number): Promise<number>;
  counts(batchId: string): Promise<JobCounts>;
  /** Finished jobs in line order: state done → output file, failed → error file. */
  results(batchId: string, state: 'done' | 'failed'): Promise<JobRecord[]>;
}
