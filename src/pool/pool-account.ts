import type { AccountConfig, ModelLimits } from '../config/index.ts';
import { adapterFor, type ProviderAdapter } from '../providers/index.ts';

/**
 * One upstream account as the pool sees it: its config, its dialect, and the live state the
 * scheduler reads (in flight now). The API key stays inside `config` and is only read by the
 * provider adapter when it builds the auth header.
 */
export class PoolAccount {
  readonly name: string;
  readonly group: string;
  readonly weight: number;
  readonly config: AccountConfig;
  readonly adapter: ProviderAdapter;
  readonly models: ReadonlySet<string>;
  enabled: boolean;
  inFlight = 0;

  constructor(config: AccountConfig) {
    this.config = config;
    this.name = config.name;
    this.group = config.group;
    this.weight = config.weight;
    this.enabled = config.enabled;
    this.adapter = adapterFor(config.provider);
    this.models = new Set([...Object.keys(config.limits), ...config.models]);
  }

  /** Configured limits for `model` (empty when none are configured). */
  limitsFor(model: string): ModelLimits {
    return this.config.limits[model] ?? {};
  }

  /** True when a new request may start now as far as concurrency goes. */
  hasConcurrencyRoom(): boolean {
    return this.config.maxConcurrent === undefined || this.inFlight < this.config.maxConcurrent;
  }

  /** A JSON view safe to show operators: never the API key. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      provider: this.config.provider,
      group: this.group,
      weight: this.weight,
      enabled: this.enabled,
      models: [...this.models],
      inFlight: this.inFlight,
    };
  }
}
