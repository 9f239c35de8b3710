import type { ModelPrice } from './schema.ts';

/** A pricing table: model name (or name prefix, see `createPricer`) → prices in USD. */
export type PriceTable = Readonly<Record<string, Readonly<ModelPrice>>>;

/**
 * The prices Sluice ships with: OpenAI's published list prices as of 2025 (USD per 1M tokens;
 * `perImage` in USD per image). Prices change and contracts differ, so every entry can be
 * replaced in the config (`pricing.models`, see docs/PRICING.md); nothing here is authoritative.
 *
 * Keys match dated snapshots by prefix ("gpt-4o-mini" prices "gpt-4o-mini-2024-07-18");
 * "omni-moderation" and "text-moderation" cover their "-latest"/"-stable"/dated variants.
 * gpt-image models are billed by tokens (text in, image in, image out; cached input is not
 * discounted for them), dall-e models per image by quality and size.
 */
export const SHIPPED_PRICES: PriceTable = freezeTable({
  'gpt-image-1': { input: 5, imageInput: 10, imageOutput: 40 },
  'gpt-image-1-mini': { input: 2, imageInput: 2.5, imageOutput: 8 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  'text-embedding-3-small': { input: 0.02 },
  'text-embedding-3-large': { input: 0.13 },
  'text-embedding-ada-002': { input: 0.1 },
  'omni-moderation': { input: 0 },
  'text-moderation': { input: 0 },
  'dall-e-3': {
    perImage: {
      standard: { '1024x1024': 0.04, '1024x1792': 0.08, '1792x1024': 0.08 },
      hd: { '1024x1024': 0.08, '1024x1792': 0.12, '1792x1024': 0.12 },
    },
  },
  'dall-e-2': { perImage: { standard: { '256x256': 0.016, '512x512': 0.018, '1024x1024': 0.02 } } },
});

/**
 * gpt-image-1 output tokens per image by quality and size (OpenAI's image generation guide;
 * shared/OPENAI-WIRE.md). Used to estimate output image tokens when a GPT image answer came
 * without `usage`, so that such an answer never costs (almost) nothing.
 */
export const GPT_IMAGE_OUTPUT_TOKENS: Readonly<Record<string, Readonly<Record<string, number>>>> = freezeTable({
  low: { '1024x1024': 272, '1024x1536': 408, '1536x1024': 400 },
  medium: { '1024x1024': 1056, '1024x1536': 1584, '1536x1024': 1568 },
  high: { '1024x1024': 4160, '1024x1536': 6240, '1536x1024': 6208 },
});

/**
 * OpenAI's published per-image prices of gpt-image-1 (USD, rounded by OpenAI). Not used for
 * billing (usage tokens are exact); kept as the cross-check that token billing is right.
 */
export const GPT_IMAGE_1_PUBLISHED_PER_IMAGE: Readonly<Record<string, Readonly<Record<string, number>>>> = freezeTable({
  low: { '1024x1024': 0.011, '1024x1536': 0.016, '1536x1024': 0.016 },
  medium: { '1024x1024': 0.042, '1024x1536': 0.063, '1536x1024': 0.063 },
  high: { '1024x1024': 0.167, '1024x1536': 0.25, '1536x1024': 0.25 },
});

/** Freezes a table of plain objects all the way down, so a shared table cannot be changed by a caller. */
export function freezeTable<T extends object>(table: T): T {
  for (const value of Object.values(table)) if (value && typeof value === 'object') freezeTable(value);
  return Object.freeze(table);
}
