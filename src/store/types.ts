import type { Priority } from '../config/index.ts';

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

/** Everything Sluice keeps durably: one interface, a SQLite and a PostgreSQL implementation. */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly keys: KeyStore;
  readonly accounts: AccountStore;
  readonly usage: UsageStore;
  close(): Promise<void>;
}
