import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { femtoToNano, scaledInteger } from '../../src/pricing/decimal.ts';
import { createPricer } from '../../src/pricing/index.ts';

describe('exact arithmetic', () => {
  test('prices become integers from their decimal spelling, never by float multiplication', () => {
    assert.equal(scaledInteger(0.075, 9), 75_000_000n);
    assert.equal(scaledInteger(1.1, 9), 1_100_000_000n);
    assert.equal(scaledInteger(1e-7, 9), 100n);
    assert.equal(scaledInteger(1e21, 0), 10n ** 21n);
    assert.equal(scaledInteger(0.12, 15), 120_000_000_000_000n);
    assert.equal(scaledInteger(1e-10, 9), undefined);
    assert.equal(scaledInteger(-1, 9), undefined);
    assert.equal(scaledInteger(Number.NaN, 9), undefined);
  });

  test('femto → nano rounds half up', () => {
    assert.equal(femtoToNano(499_999n), 0);
    assert.equal(femtoToNano(500_000n), 1);
    assert.equal(femtoToNano(1_500_000n), 2);
  });

  test('rounding happens once, on the sum (two half nano-USD make one, not two)', () => {
    const pricer = createPricer({ models: { half: { input: 0.0005, output: 0.0005 } } }); // 0.5 nano-USD per token
    const cost = (prompt_tokens: number, completion_tokens: number) =>
      pricer.cost({ endpoint: 'chat.completions', model: 'half', usage: { prompt_tokens, completion_tokens } }).costNanoUsd;
    assert.equal(cost(1, 0), 1);
    assert.equal(cost(1, 1), 1);
    assert.equal(cost(3, 0), 2);
    assert.equal(cost(0, 0), 0);
  });

  test('no float drift where floats drift', () => {
    // 0.1 + 0.2 per 1M tokens: 300 nano-USD exactly ((0.1 + 0.2) * 1000 is 300.00000000000006 in floats)
    const pricer = createPricer({ models: { m: { input: 0.1, output: 0.2 } } });
    assert.equal(pricer.cost({ endpoint: 'chat.completions', model: 'm', usage: { prompt_tokens: 1, completion_tokens: 1 } }).costNanoUsd, 300);
    // 123,456,789 tokens × 150 nano-USD (123456789 * 0.15 * 1000 is 18518518349.999996 in floats)
    const big = createPricer().cost({ endpoint: 'chat.completions', model: 'gpt-4o-mini', usage: { prompt_tokens: 123_456_789, completion_tokens: 0 } });
    assert.equal(big.costNanoUsd, 18_518_518_350);
    // o4-mini 3 × $1.10/1M: 3300 nano-USD (3 * 1.1 * 1000 is 3300.0000000000005 in floats)
    const o4 = createPricer().cost({ endpoint: 'chat.completions', model: 'o4-mini', usage: { prompt_tokens: 3, completion_tokens: 0 } });
    assert.equal(o4.costNanoUsd, 3300);
  });

  test('odd usage values are ignored, not trusted', () => {
    const r = createPricer().cost({
      endpoint: 'chat.completions',
      model: 'gpt-4o-mini',
      usage: { prompt_tokens: -5, completion_tokens: 1.5, input_tokens: '7' },
      estimateTokens: 10,
    });
    assert.deepEqual([r.source, r.inputTextTokens, r.costNanoUsd], ['estimate', 10, 1500]);
  });
});
