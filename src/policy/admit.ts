import { GatewayError } from '../errors/index.ts';
import type { Need } from '../pool/index.ts';
import type { CostInput } from '../pricing/index.ts';
import { callFields, type UpstreamCall } from '../providers/index.ts';
import { type ClientIdentity, mayUseModel } from './client-directory.ts';
import { matchGuardrails, PromptRefused } from './guardrails.ts';
import { applyImagePolicy, lowerQuality, type PolicyNotes } from './image-policy.ts';

/** What policy needs to know about a client's spending (the accounting layer's Budgets). */
export interface BudgetView {
  check(client: string, limits: ClientIdentity['budget']): void;
  usedFraction(client: string, limits: ClientIdentity['budget']): number;
  /** Holds `costNano` against the client's budgets until the returned function is called. */
  hold(client: string, costNano: number): () => void;
}

/** What is known of a request's cost before it is sent. */
export type PriceInput = Pick<CostInput, 'endpoint' | 'model' | 'request' | 'estimateTokens' | 'estimateOutputTokens'>;

/** What policy asks of the rest of the gateway. */
export interface PolicyDeps {
  budgets: BudgetView;
  /** True when some enabled account serves the model (in one of `groups`, when given). */
  serves(model: string, groups?: readonly string[]): boolean;
  estimate(call: UpstreamCall): Need;
  /** A request's estimated cost in nano-USD, before it is sent (held against budgets). */
  price(input: PriceInput): number;
}

/**
 * Refuses a model the pool does not serve (404) or the client may not use (403). A model no
 * account serves right now passes when one of its `fallbacks` is served.
 */
export function checkModel(client: ClientIdentity, model: string, serves: (m: string) => boolean, fallbacks?: readonly string[]): void {
  if (!serves(model) && !fallbacks?.some(serves)) {
    throw new GatewayError('model_not_found', `The model \`${model}\` does not exist or you do not have access to it.`, { param: 'model' });
  }
  if (!mayUseModel(client, model)) {
    throw new GatewayError('model_not_allowed', `Your key is not allowed to use the model \`${model}\`.`, { param: 'model' });
  }
}

/** A call the client's policy let through, as it will be sent. */
export interface Admitted {
  call: UpstreamCall;
  /** What it will consume (for the scheduler and the client's quota). */
  need: Need;
  /** What the image policy or budget degradation changed (the `x-sluice-policy` answer header). */
  notes: PolicyNotes | undefined;
  /** Models to try, in order, when `call.model` cannot be served before the deadline. */
  fallbacks: readonly string[] | undefined;
  /**
   * Ends the hold of the request's estimated cost on the client's budgets: call it once the
   * request is accounted or has failed (more than once is harmless). Absent without budgets.
   */
  release: (() => void) | undefined;
}

/**
 * The client's own rules, applied before any account is asked, for interactive and batch
 * requests alike: the model (404/403, its groups and fallbacks considered), its budget (429
 * `budget_exceeded`), its image policy and budget-driven image degradation, its word lists and
 * patterns (400 `content_policy_violation`), and its own per-minute quota (429
 * `client_rate_limit_exceeded`), in that order, so a refused prompt uses no quota.
 */
export function applyClientPolicy(client: ClientIdentity, call: UpstreamCall, deps: PolicyDeps): Admitted {
  const fallbacks = client.fallbacks[call.model];
  checkModel(client, call.model, (m) => deps.serves(m, client.groups), fallbacks);
  const budgets = deps.budgets;
  budgets.check(client.name, client.budget);
  const shaped = applyImagePolicy(client.images, call);
  const degraded = degradeImages(client, shaped.call, budgets);
  const final = degraded?.call ?? shaped.call;
  const rule = client.guardrails && matchGuardrails(client.guardrails, final);
  if (rule) throw new PromptRefused('guardrail', rule);
  const need = deps.estimate(final);
  client.limiter.take(need);
  const notes = degraded ? { ...shaped.notes, quality: degraded.quality } : shaped.notes;
  const budgeted = client.budget.dailyUsd !== null || client.budget.monthlyUsd !== null;
  const release = budgeted ? budgets.hold(client.name, deps.price(costInput(final, need))) : undefined;
  return { call: final, need, notes, fallbacks, release };
}

/**
 * What a request will cost, as far as it is known before sending: images by model, size,
 * quality and count (exact for per-image prices and gpt-image output tokens); text by its
 * estimated prompt tokens at the input price and its maximum completion at the output price.
 */
function costInput(call: UpstreamCall, need: Need): PriceInput {
  if (!call.endpoint.startsWith('images.')) {
    const output = need.outputTokens ?? 0;
    return { endpoint: call.endpoint, model: call.model, estimateTokens: need.tokens - output, estimateOutputTokens: output };
  }
  const f = callFields(call);
  return { endpoint: call.endpoint, model: call.model, request: { n: f.n, size: f.size, quality: f.quality } };
}

/** "Above 80% of the daily budget, serve image quality high as medium." */
function degradeImages(client: ClientIdentity, call: UpstreamCall, budgets: BudgetView): ReturnType<typeof lowerQuality> {
  if (client.degradeImagesAbove === null || !call.endpoint.startsWith('images.')) return undefined;
  if (budgets.usedFraction(client.name, client.budget) < client.degradeImagesAbove) return undefined;
  return lowerQuality(call);
}
