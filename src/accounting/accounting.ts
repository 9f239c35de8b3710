import type { Endpoint } from '../providers/index.ts';
import type { CostInput, Pricer } from '../pricing/index.ts';
import type { UsageRow } from '../store/types.ts';
import type { Budgets } from './budgets.ts';
import type { Ledger } from './ledger.ts';

/** What the HTTP layer knows about one finished request. */
export interface RequestOutcome {
  time: number;
  requestId: string;
  client: string;
  budget: { dailyUsd: number | null; monthlyUsd: number | null };
  account: string | null;
  model: string;
  endpoint: Endpoint;
  status: number;
  attempts: number;
  queueMs: number;
  upstreamMs: number;
  cacheHit: boolean;
  /** The answer's `usage` object, as the upstream sent it (absent on errors, some streams, DALL·E). */
  usage?: unknown;
  /** Tokens estimated before sending, used only when no usage came back. */
  estimateTokens?: number;
  /** Image request parameters, for per-image prices. */
  request?: { n?: number; size?: string; quality?: string };
  /** Images in the answer. */
  images?: number;
}

/**
 * Turns a finished request into a ledger row with its true cost, and charges the client's
 * budgets. Failed requests cost nothing (the upstream bills only answers) but are recorded.
 */
export class Accounting {
  readonly ledger: Ledger;
  readonly budgets: Budgets;
  readonly #pricer: Pricer;
  readonly #observe: ((row: UsageRow) => void) | undefined;

  /** `observe` sees every row recorded (metrics count money and tokens from it). */
  constructor(ledger: Ledger, budgets: Budgets, pricer: Pricer, observe?: (row: UsageRow) => void) {
    this.#observe = observe;
    this.ledger = ledger;
    this.budgets = budgets;
    this.#pricer = pricer;
  }

  /** What a request is expected to cost before it is sent, in nano-USD (0 for a model without a price). */
  estimate(input: CostInput): number {
    return this.#pricer.cost(input).costNanoUsd;
  }

  record(o: RequestOutcome): UsageRow {
    // A cache hit touched no account: it costs nothing.
    const ok = o.status < 400 && !o.cacheHit;
    const c = ok
      ? this.#pricer.cost({ endpoint: o.endpoint, model: o.model, usage: o.usage, request: o.request, estimateTokens: o.estimateTokens, images: o.images })
      : undefined;
    const row: UsageRow = {
      time: o.time,
      requestId: o.requestId,
      client: o.client,
      account: o.account,
      model: o.model,
      endpoint: o.endpoint,
      status: o.status,
      attempts: o.attempts,
      inputTextTokens: c?.inputTextTokens ?? 0,
      outputTextTokens: c?.outputTextTokens ?? 0,
      inputImageTokens: c?.inputImageTokens ?? 0,
      outputImageTokens: c?.outputImageTokens ?? 0,
      images: c?.images ?? 0,
      costNanoUsd: c?.costNanoUsd ?? 0,
      queueMs: Math.round(o.queueMs),
      upstreamMs: Math.round(o.upstreamMs),
      cacheHit: o.cacheHit,
    };
    this.ledger.add(row);
    this.#observe?.(row);
    if (row.costNanoUsd > 0) this.budgets.add(o.client, row.costNanoUsd, o.budget, o.time);
    return row;
  }
}
