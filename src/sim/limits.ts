import type { SimModelLimits } from './types.ts';
import { SlidingWindow } from './windows.ts';

/** The windows a model limit can define. */
export type WindowKind = 'rpm' | 'rpd' | 'tpm' | 'ipm' | 'burst';

/** What one request charges: 1 request always, plus tokens and images. */
export interface Cost {
  tokens: number;
  images: number;
}

/** Why a request was refused by a window; `waitMs` is when that window will have room. */
export interface Refusal {
  kind: 'window' | 'too-large';
  window: WindowKind;
  limit: number;
  used: number;
  requested: number;
  waitMs: number;
  /** Length of the burst window in unscaled seconds, for the message. */
  burstSeconds?: number;
}

/** State of one window, for the `x-ratelimit-*` headers. */
export interface WindowSnapshot {
  limit: number;
  remaining: number;
  resetMs: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * Admission for one account: per model, one sliding window per configured limit. A request
 * is admitted only when every window still fits it; then it is charged to all of them at once.
 */
export class AccountLimits {
  #limits: Record<string, SimModelLimits>;
  #timeScale: number;
  #windows = new Map<string, Map<WindowKind, SlidingWindow>>();

  constructor(limits: Record<string, SimModelLimits> | undefined, timeScale: number) {
    this.#limits = limits ?? {};
    this.#timeScale = timeScale;
  }

  /** Refusal that explains why `cost` does not fit now, or null when it does. */
  check(model: string, cost: Cost, now: number): Refusal | null {
    let worst: Refusal | null = null;
    for (const [kind, limit, window] of this.#active(model)) {
      const requested = need(kind, cost);
      const waitMs = window.waitFor(now, requested, limit);
      if (waitMs <= 0) continue;
      const refusal: Refusal = {
        kind: Number.isFinite(waitMs) ? 'window' : 'too-large',
        window: kind,
        limit,
        used: window.used(now),
        requested,
        waitMs,
        burstSeconds: this.#limits[model]?.burst?.perSeconds,
      };
      if (refusal.kind === 'too-large') return refusal;
      if (!worst || refusal.waitMs > worst.waitMs) worst = refusal;
    }
    return worst;
  }

  /** Charges `cost` to every window of `model`. */
  commit(model: string, cost: Cost, now: number): void {
    for (const [kind, , window] of this.#active(model)) window.add(now, need(kind, cost));
  }

  /** State of one window after what was charged so far; undefined when that limit is unset. */
  snapshot(model: string, kind: WindowKind, now: number): WindowSnapshot | undefined {
    for (const [k, limit, window] of this.#active(model)) {
      if (k !== kind) continue;
      return { limit, remaining: Math.max(0, limit - window.used(now)), resetMs: window.resetIn(now) };
    }
    return undefined;
  }

  /** The configured limits of a model (empty when none). */
  limitsOf(model: string): SimModelLimits {
    return this.#limits[model] ?? {};
  }

  clear(): void {
    this.#windows.clear();
  }

  /** Configured windows of a model as [kind, limit, window], created lazily. */
  #active(model: string): Array<[WindowKind, number, SlidingWindow]> {
    const l = this.#limits[model];
    if (!l) return [];
    const spec: Array<[WindowKind, number | undefined, number]> = [
      ['rpm', l.rpm, MINUTE_MS],
      ['rpd', l.rpd, DAY_MS],
      ['tpm', l.tpm, MINUTE_MS],
      ['ipm', l.ipm, MINUTE_MS],
      ['burst', l.burst?.requests, (l.burst?.perSeconds ?? 1) * 1000],
    ];
    let byKind = this.#windows.get(model);
    if (!byKind) this.#windows.set(model, (byKind = new Map()));
    const out: Array<[WindowKind, number, SlidingWindow]> = [];
    for (const [kind, limit, lengthMs] of spec) {
      if (limit === undefined) continue;
      let window = byKind.get(kind);
      if (!window) byKind.set(kind, (window = new SlidingWindow(Math.round(lengthMs * this.#timeScale * 1000) / 1000)));
      out.push([kind, limit, window]);
    }
    return out;
  }
}

/** Amount a request charges to a window of the given kind. */
function need(kind: WindowKind, cost: Cost): number {
  if (kind === 'tpm') return cost.tokens;
  if (kind === 'ipm') return cost.images;
  return 1;
}
