import type { AccountConfig } from '../config/index.ts';
import type { UpstreamCall, UpstreamClient, UpstreamResponse } from '../providers/index.ts';
import { PoolAccount } from './pool-account.ts';

/** A slot on one account, held from the moment a request is sent until its answer is read. */
export interface Lease {
  readonly account: PoolAccount;
  /** Gives the slot back. Safe to call more than once. */
  release(): void;
}

/**
 * The set of upstream accounts. It knows which account serves which model and picks one for a
 * request; the scheduler decides when to ask and what to do with failures.
 */
export class AccountPool {
  readonly #accounts = new Map<string, PoolAccount>();
  readonly #client: UpstreamClient;
  /** Round-robin cursor per model, so equal accounts share the load. */
  readonly #cursor = new Map<string, number>();

  constructor(accounts: readonly AccountConfig[], client: UpstreamClient) {
    this.#client = client;
    for (const a of accounts) this.#accounts.set(a.name, new PoolAccount(a));
  }

  /** Every account, in config order. */
  list(): PoolAccount[] {
    return [...this.#accounts.values()];
  }

  get(name: string): PoolAccount | undefined {
    return this.#accounts.get(name);
  }

  /** The union of models served by enabled accounts, sorted. */
  models(): string[] {
    const all = new Set<string>();
    for (const a of this.#accounts.values()) if (a.enabled) for (const m of a.models) all.add(m);
    return [...all].sort();
  }

  serves(model: string): boolean {
    for (const a of this.#accounts.values()) if (a.enabled && a.models.has(model)) return true;
    return false;
  }

  /** Enabled accounts serving `model`, grouped in the order groups first appear in the config. */
  candidates(model: string, exclude?: ReadonlySet<string>): PoolAccount[][] {
    const groups = new Map<string, PoolAccount[]>();
    for (const a of this.#accounts.values()) {
      if (!a.enabled || !a.models.has(model) || exclude?.has(a.name)) continue;
      let g = groups.get(a.group);
      if (!g) groups.set(a.group, (g = []));
      g.push(a);
    }
    return [...groups.values()];
  }

  /**
   * Takes a slot on an account serving `model` that has room now: the first group with room,
   * round-robin within it. Returns null when no account has room.
   */
  acquire(model: string, exclude?: ReadonlySet<string>): Lease | null {
    for (const group of this.candidates(model, exclude)) {
      const start = this.#cursor.get(model) ?? 0;
      for (let i = 0; i < group.length; i++) {
        const account = group[(start + i) % group.length];
        if (!account.hasConcurrencyRoom()) continue;
        this.#cursor.set(model, (start + i + 1) % group.length);
        return takeSlot(account);
      }
    }
    return null;
  }

  /** Sends `call` on the leased account. Resolves with the answer's head; throws TransportError. */
  send(lease: Lease, call: UpstreamCall, signal: AbortSignal): Promise<UpstreamResponse> {
    const { config, adapter } = lease.account;
    return this.#client.send(adapter.prepare(config, call), { signal, timeoutMs: config.timeoutMs });
  }
}

function takeSlot(account: PoolAccount): Lease {
  account.inFlight++;
  let released = false;
  return {
    account,
    release() {
      if (released) return;
      released = true;
      account.inFlight--;
    },
  };
}
