import type { ColumnType } from 'kysely';

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

/**
 * The tables as Kysely sees them: column names are the SQL ones (snake_case); the stores map
 * rows to the camelCase records of types.ts explicitly, so no naming plugin is involved.
 */
export interface StoreDb {
  client_keys: ClientKeysTable;
  accounts: AccountsTable;
  usage: UsageTable;
}
