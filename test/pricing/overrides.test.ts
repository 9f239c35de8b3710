import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { createPricer, pricingSchema, SHIPPED_PRICES } from '../../src/pricing/index.ts';

const chatUsage = { prompt_tokens: 1200, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 1000 } };

describe('config overrides', () => {
  test('an override entry replaces the shipped entry whole (no cachedInput left behind)', () => {
    const pricer = createPricer({ models: { 'gpt-4o-mini': { input: 1, output: 2 } } });
    // 1200×1 + 300×2 = 1800 µUSD: the cached tokens now cost the input price
    assert.equal(pricer.cost({ endpoint: 'chat.completions', model: 'gpt-4o-mini-2024-07-18', usage: chatUsage }).costNanoUsd, 1_800_000);
    assert.deepEqual(pricer.table()['gpt-4o-mini'], { input: 1, output: 2 });
    assert.deepEqual(pricer.table()['gpt-4o'], SHIPPED_PRICES['gpt-4o']);
  });

  test('pricers do not share state: the shipped prices stay for a pricer without overrides', () => {
    createPricer({ models: { 'gpt-4o-mini': { input: 1, output: 2 } } });
    assert.equal(createPricer().cost({ endpoint: 'chat.completions', model: 'gpt-4o-mini', usage: chatUsage }).costNanoUsd, 285_000);
    assert.equal(SHIPPED_PRICES['gpt-4o-mini'].input, 0.15);
  });

  test('new models and per-image prices can be added; a longer key wins over a shipped one', () => {
    const pricer = createPricer({
      models: {
        'llama-3-70b': { input: 0.59, output: 0.79 },
        'dall-e-3': { perImage: { standard: { '1024x1024': 0.035 } } },
        'gpt-4o-mini-2024-07-18': { input: 0.3, output: 1.2 },
      },
    });
    assert.equal(pricer.has('llama-3-70b'), true);
    assert.equal(pricer.cost({ endpoint: 'chat.completions', model: 'llama-3-70b', usage: { prompt_tokens: 1000, completion_tokens: 1000 } }).costNanoUsd, 1_380_000);
    assert.equal(pricer.cost({ endpoint: 'images.generations', model: 'dall-e-3', request: { n: 1 } }).costNanoUsd, 35_000_000);
    const hd = pricer.cost({ endpoint: 'images.generations', model: 'dall-e-3', request: { quality: 'hd' } });
    assert.deepEqual([hd.costNanoUsd, hd.priced], [0, false]);
    const usage = { prompt_tokens: 1000, completion_tokens: 1000 };
    assert.equal(pricer.cost({ endpoint: 'chat.completions', model: 'gpt-4o-mini-2024-07-18', usage }).costNanoUsd, 1_500_000);
    assert.equal(pricer.cost({ endpoint: 'chat.completions', model: 'gpt-4o-mini', usage }).costNanoUsd, 750_000);
  });

  test('an image model with token prices and perImage uses tokens when usage came, per image when not', () => {
    const pricer = createPricer({ models: { 'gpt-image-1': { input: 5, imageInput: 10, imageOutput: 40, perImage: { low: { '1024x1024': 0.011 } } } } });
    const withUsage = pricer.cost({ endpoint: 'images.generations', model: 'gpt-image-1', usage: { input_tokens: 0, output_tokens: 272 }, request: { quality: 'low' } });
    assert.deepEqual([withUsage.costNanoUsd, withUsage.source], [10_880_000, 'usage']);
    const without = pricer.cost({ endpoint: 'images.generations', model: 'gpt-image-1', request: { quality: 'low' } });
    assert.deepEqual([without.costNanoUsd, without.source], [11_000_000, 'per-image']);
  });

  test('the schema rejects what cannot be applied exactly or is mistyped', () => {
    const bad: unknown[] = [
      { models: { m: { input: -1 } } },
      { models: { m: { input: 0.0000000001 } } }, // 10 decimals per 1M tokens
      { models: { m: { imput: 1 } } },
      { models: { m: {} } },
      { models: { m: { perImage: { standard: { '1024*1024': 0.04 } } } } },
      { models: { m: { perImage: {} } } },
      { models: { m: { input: '0.15' } } },
      { models: { '': { input: 1 } } },
      { modles: {} },
    ];
    for (const value of bad) assert.equal(pricingSchema.safeParse(value).success, false, JSON.stringify(value));
    assert.throws(() => createPricer({ models: { m: { input: -1 } } }));
    assert.deepEqual(pricingSchema.parse({}), { models: {} });
  });

  test('the YAML example of docs/PRICING.md loads and prices as documented', () => {
    const doc = readFileSync(new URL('../../docs/PRICING.md', import.meta.url), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(yaml, 'docs/PRICING.md has a yaml example');
    const pricer = createPricer(parse(yaml).pricing);
    assert.equal(pricer.cost({ endpoint: 'chat.completions', model: 'gpt-4o-mini', usage: chatUsage }).costNanoUsd, 256_500); // 200×0.135 + 1000×0.0675 + 300×0.54
    assert.equal(pricer.cost({ endpoint: 'images.generations', model: 'dall-e-3', request: { quality: 'hd', size: '1024x1792' } }).costNanoUsd, 108_000_000);
    assert.equal(pricer.has('my-local-llama'), true);
  });
});
