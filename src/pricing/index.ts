/**
 * Pricing: what each answered request cost, exactly, in nano-USD. The relay calls
 * `pricer.cost(...)` with the answer's `usage` and fills a `UsageRow` from the result; the
 * config mounts `pricingSchema` as its top-level `pricing` key. See docs/PRICING.md.
 */
export { createPricer } from './cost.ts';
export type { CostInput, CostResult, CostSource, Pricer } from './cost.ts';
export { IMAGE_PRICE_DECIMALS, TOKEN_PRICE_DECIMALS } from './decimal.ts';
export { modelPriceSchema, pricingSchema } from './schema.ts';
export type { ModelPrice, ModelPriceInput, PricingConfig, PricingConfigInput } from './schema.ts';
export { GPT_IMAGE_1_PUBLISHED_PER_IMAGE, GPT_IMAGE_OUTPUT_TOKENS, SHIPPED_PRICES } from './table.ts';
export type { PriceTable } from './table.ts';
