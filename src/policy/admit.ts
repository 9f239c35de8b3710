import { IMAGE_QUALITIES } from '../config/index.ts';
import type { Need } from '../pool/index.ts';
import type { UpstreamCall } from '../providers/index.ts';
import { GatewayError } from '../errors/index.ts';
import { type ClientIdentity, mayUseModel } from './client-directory.ts';

/** What policy needs to know about a client's spending (the accounting layer's Budgets). */
export interface BudgetView {
  check(client: string, limits: ClientIdentity['budget']): void;
  usedFraction(client: string, limits: ClientIdentity['budget']): number;
}

/** What policy asks of the rest of the gateway. */
export interface PolicyDeps {
  budgets: BudgetView;
  /** True when some enabled account serves the model. */
  serves(model: string): boolean;
  estimate(call: UpstreamCall): Need;
}

/** Refuses a model the pool does not serve (404) or the client may not use (403). */
export function checkModel(client: ClientIdentity, model: string, serves: (m: string) => boolean): void {
  if (!serves(model)) {
    throw new GatewayError('model_not_found', `The model \`${model}\` does not exist or you do not have access to it.`, { param: 'model' });
  }
  if (!mayUseModel(client, model)) {
    throw new GatewayError('model_not_allowed', `Your key is not allowed to use the model \`${model}\`.`, { param: 'model' });
  }
}

/**
 * The client's own rules, applied before any account is asked, for interactive and batch
 * requests alike: the model (404/403), its budget (429 `budget_exceeded`), budget-driven image
 * degradation, and its own per-minute quota (429 `client_rate_limit_exceeded`). Returns the call
 * as it will be sent and what it will consume.
 */
export function applyClientPolicy(client: ClientIdentity, call: UpstreamCall, deps: PolicyDeps): { call: UpstreamCall; need: Need } {
  checkModel(client, call.model, (m) => deps.serves(m));
  const budgets = deps.budgets;
  const estimate = (c: UpstreamCall): Need => deps.estimate(c);
  budgets.check(client.name, client.budget);
  const final = degradeImages(client, call, budgets);
  const need = estimate(final);
  client.limiter.take(need);
  return { call: final, need };
}

/** "Above 80% of the daily budget, serve image quality high as medium." */
function degradeImages(client: ClientIdentity, call: UpstreamCall, budgets: BudgetView): UpstreamCall {
  if (client.degradeImagesAbove === null || !call.endpoint.startsWith('images.')) return call;
  if (budgets.usedFraction(client.name, client.budget) < client.degradeImagesAbove) return call;
  if (call.json) {
    const q = lower(call.json.quality);
    return q ? { ...call, json: { ...call.json, quality: q }, rawJson: undefined } : call;
  }
  if (call.form) {
    const field = call.form.find((p) => p.name === 'quality' && 'value' in p);
    const q = field && 'value' in field ? lower(field.value) : undefined;
    if (!q) return call;
    return { ...call, form: call.form.map((p) => (p === field ? { name: 'quality', value: q } : p)) };
  }
  return call;
}

function lower(quality: unknown): string | undefined {
  const i = IMAGE_QUALITIES.indexOf(quality as (typeof IMAGE_QUALITIES)[number]);
  return i >= 0 && i < IMAGE_QUALITIES.length - 1 ? IMAGE_QUALITIES[i + 1] : undefined;
}
