import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createPricer,
  GPT_IMAGE_1_PUBLISHED_PER_IMAGE,
  GPT_IMAGE_OUTPUT_TOKENS,
  pricingSchema,
  SHIPPED_PRICES,
} from '../../src/pricing/index.ts';

describe('the shipped table', () => {
  test('passes its own override schema (every price is exact)', () => {
    assert.doesNotThrow(() => pricingSchema.parse({ models: SHIPPED_PRICES }));
  });

  test('is frozen all the way down', () => {
    assert.ok(Object.isFrozen(SHIPPED_PRICES));
    assert.ok(Object.isFrozen(SHIPPED_PRICES['dall-e-3'].perImage?.hd));
    assert.throws(() => {
      (SHIPPED_PRICES['gpt-4o-mini'] as { input?: number }).input = 0;
    }, TypeError);
  });

  test('holds the published list prices', () => {
    assert.deepEqual(SHIPPED_PRICES['gpt-image-1'], { input: 5, imageInput: 10, imageOutput: 40 });
    assert.deepEqual(SHIPPED_PRICES['gpt-4o-mini'], { input: 0.15, cachedInput: 0.075, output: 0.6 });
    assert.equal(SHIPPED_PRICES['dall-e-3'].perImage?.hd['1792x1024'], 0.12);
    assert.equal(SHIPPED_PRICES['dall-e-2'].perImage?.standard['256x256'], 0.016);
  });
});

describe('cross-check: output-token billing reproduces the published gpt-image-1 per-image prices', () => {
  const pricer = createPricer();
  // tokens × $40 / 1M, by hand: e.g. 272 × 40 = 10880 µUSD = $0.01088 ≈ published $0.011
  const expected: Record<string, Record<string, number>> = {
    low: { '1024x1024': 10_880_000, '1024x1536': 16_320_000, '1536x1024': 16_000_000 },
    medium: { '1024x1024': 42_240_000, '1024x1536': 63_360_000, '1536x1024': 62_720_000 },
    high: { '1024x1024': 166_400_000, '1024x1536': 249_600_000, '1536x1024': 248_320_000 },
  };
  for (const [quality, sizes] of Object.entries(GPT_IMAGE_OUTPUT_TOKENS)) {
    for (const [size, tokens] of Object.entries(sizes)) {
      test(`${quality} ${size}: ${tokens} tokens`, () => {
        const r = pricer.cost({ endpoint: 'images.generations', model: 'gpt-image-1', usage: { input_tokens: 0, output_tokens: tokens } });
        assert.equal(r.costNanoUsd, expected[quality][size]);
        const published = Math.round(GPT_IMAGE_1_PUBLISHED_PER_IMAGE[quality][size] * 1e9);
        // Same price to the cent, and never more than $0.002 apart (OpenAI's figures are rounded).
        assert.equal(Math.round(r.costNanoUsd / 1e7), Math.round(published / 1e7));
        assert.ok(Math.abs(r.costNanoUsd - published) <= 2_000_000, `${r.costNanoUsd} vs ${published}`);
      });
    }
  }
});
