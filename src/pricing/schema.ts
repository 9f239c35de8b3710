import { z } from 'zod';
import { IMAGE_PRICE_DECIMALS, scaledInteger, TOKEN_PRICE_DECIMALS } from './decimal.ts';

/** USD per 1M tokens; at most 9 decimals so that it converts to femto-USD per token exactly. */
const tokenPrice = z
  .number()
  .nonnegative()
  .refine((v) => scaledInteger(v, TOKEN_PRICE_DECIMALS) !== undefined, `must have at most ${TOKEN_PRICE_DECIMALS} decimal places (USD per 1M tokens)`);

/** USD per image; at most 15 decimals so that it converts to femto-USD per image exactly. */
const imagePrice = z
  .number()
  .nonnegative()
  .refine((v) => scaledInteger(v, IMAGE_PRICE_DECIMALS) !== undefined, `must have at most ${IMAGE_PRICE_DECIMALS} decimal places (USD per image)`);

/**
 * The price of one model. Token prices are USD per 1M tokens (as OpenAI publishes them);
 * `perImage` is USD per image by quality, then size ("standard" → "1024x1024" → 0.04), for
 * models billed per image (dall-e-2, dall-e-3). A model with `perImage` and no token prices is
 * always billed per image; otherwise by tokens.
 */
export const modelPriceSchema = z
  .strictObject({
    /** Text input tokens (chat prompt, embeddings input, image prompt text). */
    input: tokenPrice.optional(),
    /** Cached prompt tokens (`prompt_tokens_details.cached_tokens`); defaults to `input`. */
    cachedInput: tokenPrice.optional(),
    /** Text output tokens (chat completion); image models without it bill text output at `imageOutput`. */
    output: tokenPrice.optional(),
    /** Image input tokens (image edits); defaults to `input`. */
    imageInput: tokenPrice.optional(),
    /** Image output tokens (GPT image models). */
    imageOutput: tokenPrice.optional(),
    perImage: z
      .record(z.string().min(1), z.record(z.string().regex(/^\d+x\d+$/, 'sizes are written like "1024x1024"'), imagePrice))
      .refine((q) => Object.keys(q).length > 0, 'must name at least one quality')
      .optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'must set at least one price (use `input: 0` for a free model)');

/**
 * The top-level `pricing` key of the config: entries here replace the shipped entry of the same
 * model as a whole (no field-by-field merge, so a price is never half old, half new) or add
 * models. Mount it as `pricing: pricingSchema.prefault({})`.
 */
export const pricingSchema = z.strictObject({
  models: z.record(z.string().min(1), modelPriceSchema).default({}),
});

/** The `pricing` config as written (input of the schema). */
export type PricingConfigInput = z.input<typeof pricingSchema>;
/** The `pricing` config after validation. */
export type PricingConfig = z.output<typeof pricingSchema>;
/** One model's prices as written. */
export type ModelPriceInput = z.input<typeof modelPriceSchema>;
/** One model's prices after validation (all USD). */
export type ModelPrice = z.output<typeof modelPriceSchema>;
