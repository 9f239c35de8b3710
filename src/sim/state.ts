import { randomId } from './http-io.ts';
import { AccountLimits } from './limits.ts';
import { tinyPng } from './png.ts';
import { hashString, mulberry32 } from './rng.ts';
import { StatsBook } from './stats.ts';
import type { SimAccount, SimFaults, SimLatencyKey, SimOptions } from './types.ts';

/** Realistic unscaled latencies (ms) of each endpoint. */
export const DEFAULT_LATENCY_MS: Record<SimLatencyKey, number> = { chat: 400, chatChunk: 20, embeddings: 80, moderations: 60, images: 20_000, imageEdits: 25_000 };

/** Models every simulator lists in `/v1/models`. */
export const DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-image-1', 'dall-e-3', 'text-embedding-3-small', 'omni-moderation-latest'];

const MAX_IMAGE_IDS = 10_000;

/** One account at run time: its limit windows, its current faults, its own fault RNG. */
export interface AccountState {
  account: SimAccount;
  limits: AccountLimits;
  faults: SimFaults;
  random: () => number;
}

/** Everything one simulator instance owns (no module-level state anywhere). */
export interface SimState {
  byKey: Map<string, AccountState>;
  byName: Map<string, AccountState>;
  extraModels: Set<string>;
  stats: StatsBook;
  timeScale: number;
  /** Latencies multiplied by timeScale. */
  latency: Record<SimLatencyKey, number>;
  imageIds: Set<string>;
  png: Buffer;
  /** Aborted by close(): ends every pending wait. */
  closing: AbortController;
}

/** Builds the state of a new instance; throws on duplicate names or keys, or a bad timeScale. */
export function createState(opts: SimOptions): SimState {
  const timeScale = opts.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`sim: timeScale must be > 0, got ${timeScale}`);
  const latency = { ...DEFAULT_LATENCY_MS };
  for (const key of Object.keys(latency) as SimLatencyKey[]) latency[key] = (opts.latencyMs?.[key] ?? latency[key]) * timeScale;
  const byKey = new Map<string, AccountState>();
  const byName = new Map<string, AccountState>();
  const seed = opts.seed ?? 1;
  for (const account of opts.accounts) {
    if (byKey.has(account.key)) throw new Error(`sim: duplicate key for account ${account.name}`);
    if (byName.has(account.name)) throw new Error(`sim: duplicate account name ${account.name}`);
    const a: AccountState = { account, limits: new AccountLimits(account.limits, timeScale), faults: { ...account.faults }, random: mulberry32(hashString(account.name, seed)) };
    byKey.set(account.key, a);
    byName.set(account.name, a);
  }
  return {
    byKey,
    byName,
    extraModels: new Set(opts.models ?? []),
    stats: new StatsBook(opts.accounts.map((a) => a.name)),
    timeScale,
    latency,
    imageIds: new Set(),
    png: tinyPng(),
    closing: new AbortController(),
  };
}

/** An account with `limits` serves only those models plus `SimOptions.models`; one without serves all. */
export function servesModel(state: SimState, a: AccountState, model: string): boolean {
  const limits = a.account.limits;
  return !limits || Object.hasOwn(limits, model) || state.extraModels.has(model);
}

/** Union of the defaults, `SimOptions.models` and every account's limit keys. */
export function knownModels(state: SimState): string[] {
  const all = new Set([...DEFAULT_MODELS, ...state.extraModels]);
  for (const a of state.byName.values()) for (const m of Object.keys(a.account.limits ?? {})) all.add(m);
  return [...all].sort();
}

/** Remembers a generated image id so `/sim/images/{id}.png` can serve it (bounded). */
export function registerImage(state: SimState): string {
  const id = randomId('img-', 10);
  state.imageIds.add(id);
  if (state.imageIds.size > MAX_IMAGE_IDS) state.imageIds.delete(state.imageIds.values().next().value as string);
  return id;
}

/** Zeroes stats and every limit window. */
export function resetState(state: SimState): void {
  state.stats.reset();
  for (const a of state.byName.values()) a.limits.clear();
}
