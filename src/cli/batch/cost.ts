/**
 * Cost of the answers, for the closing summary: the server's own figure when it reports one
 * (`usage.cost`, as OpenRouter does, or LiteLLM's `x-litellm-response-cost` header), else an
 * estimate from `usage` with a tiny built-in price table. Sluice itself does not put the cost
 * in its answers (its ledger has it: `sluice usage`).
 */
import type { HeaderLookup } from './retry.ts';
import { isObject } from './types.ts';

/** USD per 1M tokens. */
interface ImagePrices {
  kind: 'image';
  textIn: number;
  imageIn: number;
  imageOut: number;
}
interface ChatPrices {
  kind: 'chat';
  input: number;
  output: number;
}

/** The built-in table: exact names and dated snapshots only (gpt-image-1-mini is not gpt-image-1). */
const PRICES: { pattern: RegExp; prices: ImagePrices | ChatPrices }[] = [
  { pattern: /^gpt-image-1(-\d{4}-\d{2}-\d{2})?$/, prices: { kind: 'image', textIn: 5, imageIn: 10, imageOut: 40 } },
  { pattern: /^gpt-4o-mini(-\d{4}-\d{2}-\d{2})?$/, prices: { kind: 'chat', input: 0.15, output: 0.6 } },
];

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
}

/** The cost the server reported for one answer, if it did. */
export function reportedCost(body: unknown, headers: HeaderLookup): number | undefined {
  if (isObject(body) && isObject(body.usage) && typeof body.usage.cost === 'number' && Number.isFinite(body.usage.cost)) return body.usage.cost;
  const header = headers.get('x-litellm-response-cost');
  if (header !== null) {
    const v = Number.parseFloat(header);
    if (Number.isFinite(v)) return v;
  }
  return undefined;
}

/**
 * An estimate from `usage` for the models of the built-in table; undefined when the model is
 * not in it or the answer has no usage. The model is the answer's, else the request's.
 */
export function estimateCost(body: unknown, requestBody: Record<string, unknown>): number | undefined {
  if (!isObject(body) || !isObject(body.usage)) return undefined;
  const model = typeof body.model === 'string' ? body.model : typeof requestBody.model === 'string' ? requestBody.model : undefined;
  const entry = model === undefined ? undefined : PRICES.find((p) => p.pattern.test(model));
  if (!entry) return undefined;
  const u = body.usage;
  const p = entry.prices;
  if (p.kind === 'chat') {
    if (u.prompt_tokens === undefined && u.completion_tokens === undefined) return undefined;
    return (num(u.prompt_tokens) * p.input + num(u.completion_tokens) * p.output) / 1e6;
  }
  if (u.input_tokens === undefined && u.output_tokens === undefined) return undefined;
  const details = isObject(u.input_tokens_details) ? u.input_tokens_details : undefined;
  const imageIn = num(details?.image_tokens);
  const textIn = details && details.text_tokens !== undefined ? num(details.text_tokens) : Math.max(0, num(u.input_tokens) - imageIn);
  return (textIn * p.textIn + imageIn * p.imageIn + num(u.output_tokens) * p.imageOut) / 1e6;
}
