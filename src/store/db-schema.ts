import type { ColumnType, Generated } from 'kysely';

/**
 * A boolean column: PostgreSQL returns `true`/`false`, SQLite (no boolean type) returns 0/1.
 * Written as a boolean; the SQLite adapter binds it as 0/1. Read it with `Boolean(v)`.
 */
export type BoolColumn = ColumnType<boolean | number, boolean, boolean>;

/** Table `client_keys` (see migrations/0001-initial.ts). */
export interface ClientKeysTable {
  id: string;
  name: string;
  key_hash: string;
  key_prefix: string;
  priority: string;
  /** JSON array of model names, as text. */
  models: string;
  weight: number;
  rpm: number | null;
  tpm: number | null;
  ipm: number | null;
  daily_usd: number | null;
  monthly_usd: number | null;
  /** ISO time. */
  expires_at: string | null;
  enabled: BoolColumn;
  source: string;
  /** ISO time. */
  created_at: string;
  /** JSON of the key's policy (ClientPolicy: keys made through the admin API), or NULL. Migration 0004. */
  policy: string | null;
}

/** Table `accounts`. */
export interface AccountsTable {
  name: string;
  /** JSON object, as text. */
  settings: string;
  api_key_encrypted: string;
  enabled: BoolColumn;
  source: string;
  created_at: string;
}

/** Table `usage`: one row per request (see `UsageRow`). */
export interface UsageTable {
  /** Epoch ms. */
  time: number;
  request_id: string;
  client: string;
  account: string | null;
  model: string;
  endpoint: string;
  status: number;
  attempts: number;
  input_text_tokens: number;
  output_text_tokens: number;
  input_image_tokens: number;
  output_image_tokens: number;
  images: number;
  cost_nano_usd: number;
  queue_ms: number;
  upstream_ms: number;
  cache_hit: BoolColumn;
}

/** Table `files` (see migrations/0002-batches.ts). */
export interface FilesTable {
  id: string;
  owner: string;
  purpose: string;
  filename: string;
  bytes: number;
  /** Epoch seconds. */
  created_at: number;
  /** BYTEA: `pg` returns a Buffer, `node:sqlite` a plain Uint8Array. */
  content: Uint8Array;
}

/** Table `batches`. */
export interface BatchesTable {
  id: string;
  owner: string;
  endpoint: string;
  input_file_id: string;
  completion_window: string;
  status: string;
  /** JSON array, as text. */
  errors: string | null;
  /** JSON object, as text. */
  metadata: string | null;
  /** Epoch seconds, like every time of a batch. */
  created_at: number;
  in_progress_at: number | null;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  expires_at: number;
}

/** Table `batch_jobs`: the durable job queue, one row per line of a batch. */
export interface BatchJobsTable {
  batch_id: string;
  line: number;
  custom_id: string;
  body: string;
  state: string;
  attempts: number;
  /** Epoch ms, like every time of a job. */
  not_before: number;
  lease_owner: string | null;
  lease_until: number | null;
  result: string | null;
  last_error: string | null;
  updated_at: number;
}

/** Table `events` (see migrations/0003-events.ts). */
export interface EventsTable {
  /** Generated on insert; orders events of the same millisecond. */
  id: Generated<number>;
  /** Epoch ms. */
  time: number;
  type: string;
  account: string | null;
  model: string | null;
  client: string | null;
  message: string;
}

/**
 * The tables as Kysely sees them: column names are the SQL ones (snake_case); the stores map
 * rows to the camelCase records of types.ts explicitly, so no naming plugin is involved.
 */
export interface StoreDb {
  client_keys: ClientKeysTable;
  accounts: AccountsTable;
  usage: UsageTable;
  files: FilesTable;
  batches: BatchesTable;
  batch_jobs: BatchJobsTable;
  events: EventsTable;
}
