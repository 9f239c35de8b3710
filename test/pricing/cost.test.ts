import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPricer } from '../../src/pricing/index.ts';

// Every figure below is worked out by hand in USD per 1M tokens: cost in nano-USD = Σ tokens × price × 1000.
const pricer = createPricer();

describe('gpt-image models are billed by their three token prices', () => {
  test('a generation: 50 text tokens at $5 + 4160 image output tokens at $40 = $0.16665', () => {
    const r = pricer.cost({
      endpoint: 'images.generations',
      model: 'gpt-image-1',
      usage: { input_tokens: 50, input_tokens_details: { text_tokens: 50, image_tokens: 0 }, output_tokens: 4160, total_tokens: 4210 },
      request: { n: 1, size: '1024x1024', quality: 'high' },
      images: 1,
    });
    assert.deepEqual(r, {
      inputTextTokens: 50,
      outputTextTokens: 0,
      inputImageTokens: 0,
      outputImageTokens: 4160,
      images: 1,
      costNanoUsd: 166_650_000,
      priced: true,
      source: 'usage',
    });
  });

  test('an edit: 323 image input tokens at $10 (not the $5 text price)', () => {
    // 50×5 + 323×10 + 1056×40 = 250 + 3230 + 42240 = 45720 µUSD
    const r = pricer.cost({
      endpoint: 'images.edits',
      model: 'gpt-image-1',
      usage: { input_tokens: 373, input_tokens_details: { text_tokens: 50, image_tokens: 323 }, output_tokens: 1056, total_tokens: 1429 },
    });
    assert.equal(r.costNanoUsd, 45_720_000);
    assert.deepEqual([r.inputTextTokens, r.inputImageTokens, r.outputImageTokens, r.images], [50, 323, 1056, 1]);
  });

  test('output_tokens_details splits output; text output of an image model costs the image output price', () => {
    const r = pricer.cost({
      endpoint: 'images.generations',
      model: 'gpt-image-1',
      usage: { input_tokens: 10, output_tokens: 1100, output_tokens_details: { image_tokens: 1056, text_tokens: 44 } },
    });
    assert.deepEqual([r.inputTextTokens, r.outputImageTokens, r.outputTextTokens], [10, 1056, 44]);
    assert.equal(r.costNanoUsd, 10 * 5_000 + 1100 * 40_000); // 44_050_000
    assert.equal(r.costNanoUsd, 44_050_000);
  });

  test('without input details all input is text; without output details all output is image', () => {
    const r = pricer.cost({ endpoint: 'images.generations', model: 'gpt-image-1', usage: { input_tokens: 20, output_tokens: 272 } });
    assert.deepEqual([r.inputTextTokens, r.inputImageTokens, r.outputImageTokens], [20, 0, 272]);
    assert.equal(r.costNanoUsd, 10_980_000); // 100 + 10880 µUSD
  });

  test('cached input tokens of an image model are not discounted', () => {
    const usage = { input_tokens: 100, input_tokens_details: { text_tokens: 100, image_tokens: 0, cached_tokens: 100 }, output_tokens: 0 };
    assert.equal(pricer.cost({ endpoint: 'images.generations', model: 'gpt-image-1', usage }).costNanoUsd, 500_000);
  });

  test('gpt-image-1-mini has its own prices, and images count the request n', () => {
    // 30×2 + 2112×8 = 60 + 16896 = 16956 µUSD
    const r = pricer.cost({
      endpoint: 'images.generations',
      model: 'gpt-image-1-mini',
      usage: { input_tokens: 30, input_tokens_details: { text_tokens: 30, image_tokens: 0 }, output_tokens: 2112 },
      request: { n: 2 },
    });
    assert.equal(r.costNanoUsd, 16_956_000);
    assert.equal(r.images, 2);
  });
});

describe('chat and embeddings are billed per token', () => {
  test('gpt-4o-mini with 1000 cached prompt tokens: 200×0.15 + 1000×0.075 + 300×0.60 = $0.000285', () => {
    const r = pricer.cost({
      endpoint: 'chat.completions',
      model: 'gpt-4o-mini',
      usage: { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500, prompt_tokens_details: { cached_tokens: 1000 } },
    });
    assert.deepEqual(r, {
      inputTextTokens: 1200,
      outputTextTokens: 300,
      inputImageTokens: 0,
      outputImageTokens: 0,
      images: 0,
      costNanoUsd: 285_000,
      priced: true,
      source: 'usage',
    });
  });

  test('o4-mini with reasoning and cache: 6000×1.10 + 4000×0.275 + 2000×4.40 = 16500 µUSD', () => {
    const usage = { prompt_tokens: 10_000, completion_tokens: 2000, prompt_tokens_details: { cached_tokens: 4000 }, completion_tokens_details: { reasoning_tokens: 1500 } };
    assert.equal(pricer.cost({ endpoint: 'chat.completions', model: 'o4-mini', usage }).costNanoUsd, 16_500_000);
  });

  test('each gpt-4.x model has its own prices', () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 1000, prompt_tokens_details: { cached_tokens: 0 } };
    const cost = (model: string) => pricer.cost({ endpoint: 'chat.completions', model, usage }).costNanoUsd;
    assert.equal(cost('gpt-4o'), 12_500_000); // 2500 + 10000
    assert.equal(cost('gpt-4.1'), 10_000_000); // 2000 + 8000
    assert.equal(cost('gpt-4.1-mini'), 2_000_000); // 400 + 1600
    assert.equal(cost('gpt-4.1-nano'), 500_000); // 100 + 400
  });

  test('cached tokens beyond the prompt are capped at the prompt', () => {
    const usage = { prompt_tokens: 100, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 500 } };
    assert.equal(pricer.cost({ endpoint: 'chat.completions', model: 'gpt-4o-mini', usage }).costNanoUsd, 7_500); // 100 × 0.075
  });

  test('embeddings: prompt_tokens at the input price', () => {
    const cost = (model: string, tokens: number) =>
      pricer.cost({ endpoint: 'embeddings', model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
    const small = cost('text-embedding-3-small', 8000);
    assert.deepEqual([small.inputTextTokens, small.outputTextTokens, small.images, small.costNanoUsd, small.source], [8000, 0, 0, 160_000, 'usage']);
    assert.equal(cost('text-embedding-3-large', 1000).costNanoUsd, 130_000);
    assert.equal(cost('text-embedding-ada-002', 12_345).costNanoUsd, 1_234_500);
  });

  test('moderations are free but priced, dated and -latest/-stable names included', () => {
    for (const model of ['omni-moderation-latest', 'omni-moderation-2024-09-26', 'text-moderation-stable', 'text-moderation-007']) {
      const r = pricer.cost({ endpoint: 'moderations', model, estimateTokens: 500 });
      assert.deepEqual([r.costNanoUsd, r.priced, r.source, r.inputTextTokens], [0, true, 'estimate', 500], model);
    }
  });
});

describe('dall-e models are billed per image by size and quality', () => {
  test('dall-e-3 hd 1792x1024, n=1 → $0.12', () => {
    const r = pricer.cost({ endpoint: 'images.generations', model: 'dall-e-3', request: { n: 1, size: '1792x1024', quality: 'hd' }, images: 1 });
    assert.deepEqual(r, {
      inputTextTokens: 0,
      outputTextTokens: 0,
      inputImageTokens: 0,
      outputImageTokens: 0,
      images: 1,
      costNanoUsd: 120_000_000,
      priced: true,
      source: 'per-image',
    });
  });

  test('defaults: size 1024x1024, quality standard ("auto" too)', () => {
    const cost = (request: Record<string, unknown>) => pricer.cost({ endpoint: 'images.generations', model: 'dall-e-3', request }).costNanoUsd;
    assert.equal(cost({}), 40_000_000);
    assert.equal(cost({ quality: 'hd' }), 80_000_000);
    assert.equal(cost({ size: '1024x1792' }), 80_000_000);
    assert.equal(cost({ size: 'auto', quality: 'auto' }), 40_000_000);
  });

  test('dall-e-2: n images (multipart strings too); the returned count wins over n', () => {
    const cost = (input: { request: Record<string, unknown>; images?: number }) =>
      pricer.cost({ endpoint: 'images.edits', model: 'dall-e-2', ...input });
    assert.deepEqual([cost({ request: { n: 3, size: '512x512' } }).costNanoUsd, cost({ request: { n: 3, size: '512x512' } }).images], [54_000_000, 3]);
    assert.equal(cost({ request: { n: '2', size: '256x256' } }).costNanoUsd, 32_000_000);
    assert.equal(cost({ request: { n: 4 }, images: 1 }).costNanoUsd, 20_000_000);
  });

  test('a size or quality the table lacks costs 0 and is flagged', () => {
    const r = pricer.cost({ endpoint: 'images.generations', model: 'dall-e-3', request: { size: '512x512' } });
    assert.deepEqual([r.costNanoUsd, r.priced, r.images, r.source], [0, false, 1, 'per-image']);
  });
});

describe('model names', () => {
  test('dated snapshots take the longest matching key', () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 1000 };
    const cost = (model: string) => pricer.cost({ endpoint: 'chat.completions', model, usage });
    assert.equal(cost('gpt-4o-mini-2024-07-18').costNanoUsd, 750_000); // 150 + 600, not gpt-4o's 12500
    assert.equal(cost('gpt-4o-2024-08-06').costNanoUsd, 12_500_000);
    assert.equal(cost('gpt-4.1-mini-2025-04-14').costNanoUsd, 2_000_000);
    assert.equal(pricer.has('o4-mini-2025-04-16'), true);
  });

  test('a key only matches whole "-" separated parts', () => {
    assert.equal(pricer.has('gpt-image-1.5'), false);
    assert.equal(pricer.has('gpt-4oo'), false);
    assert.equal(pricer.has('gpt-4'), false);
  });

  test('an unknown model costs 0, is flagged, and still reports its tokens', () => {
    const r = pricer.cost({ endpoint: 'chat.completions', model: 'llama-3-70b', usage: { prompt_tokens: 10, completion_tokens: 5 } });
    assert.deepEqual(r, {
      inputTextTokens: 10,
      outputTextTokens: 5,
      inputImageTokens: 0,
      outputImageTokens: 0,
      images: 0,
      costNanoUsd: 0,
      priced: false,
      source: 'usage',
    });
    const img = pricer.cost({ endpoint: 'images.generations', model: 'flux-pro', request: { n: 2 } });
    assert.deepEqual([img.costNanoUsd, img.priced, img.images, img.source], [0, false, 2, 'none']);
  });
});

describe('without usage the estimate is used', () => {
  test('chat: the estimate counts as input tokens', () => {
    for (const usage of [undefined, null, {}, { total_tokens: 99 }]) {
      const r = pricer.cost({ endpoint: 'chat.completions', model: 'gpt-4o-mini', usage, estimateTokens: 1000 });
      assert.deepEqual([r.inputTextTokens, r.outputTextTokens, r.costNanoUsd, r.source], [1000, 0, 150_000, 'estimate']);
    }
  });

  test('usage wins over the estimate', () => {
    const r = pricer.cost({ endpoint: 'embeddings', model: 'text-embedding-3-small', usage: { prompt_tokens: 10 }, estimateTokens: 1_000_000 });
    assert.deepEqual([r.costNanoUsd, r.source], [200, 'usage']);
  });

  test('neither usage nor estimate: zero, source none, still priced', () => {
    const r = pricer.cost({ endpoint: 'chat.completions', model: 'gpt-4o-mini' });
    assert.deepEqual([r.costNanoUsd, r.priced, r.source], [0, true, 'none']);
  });

  test('gpt-image without usage: the estimate as prompt text + the per-image output tokens table', () => {
    // 40×5 + 2×6240×40 = 200 + 499200 µUSD
    const r = pricer.cost({ endpoint: 'images.generations', model: 'gpt-image-1', request: { n: 2, size: '1024x1536', quality: 'high' }, estimateTokens: 40 });
    assert.deepEqual([r.inputTextTokens, r.outputImageTokens, r.images, r.costNanoUsd, r.source], [40, 12_480, 2, 499_400_000, 'estimate']);
    // quality/size auto → medium 1024x1024 (1056 tokens), no prompt estimate
    const auto = pricer.cost({ endpoint: 'images.generations', model: 'gpt-image-1', request: { quality: 'auto', size: 'auto' } });
    assert.deepEqual([auto.outputImageTokens, auto.costNanoUsd, auto.source], [1056, 42_240_000, 'estimate']);
  });
});
