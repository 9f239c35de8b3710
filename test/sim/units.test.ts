import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { ceilMs, goDuration } from '../../src/sim/durations.ts';
import { maskKey } from '../../src/sim/errors.ts';
import { drawFault } from '../../src/sim/faults.ts';
import { AccountLimits } from '../../src/sim/limits.ts';
import { tinyPng } from '../../src/sim/png.ts';
import { mulberry32 } from '../../src/sim/rng.ts';
import { chatPromptTokens, completionTokensPerChoice, imageOutputTokens } from '../../src/sim/tokens.ts';
import { SlidingWindow } from '../../src/sim/windows.ts';

test('goDuration formats like Go time.Duration', () => {
  assert.equal(goDuration(0), '0s');
  assert.equal(goDuration(12), '12ms');
  assert.equal(goDuration(644), '644ms');
  assert.equal(goDuration(1000), '1s');
  assert.equal(goDuration(1200), '1.2s');
  assert.equal(goDuration(360_000), '6m0s');
  assert.equal(goDuration(252_172), '4m12.172s');
  assert.equal(goDuration(83_909_144), '23h18m29.144s');
  assert.equal(goDuration(3_600_000), '1h0m0s');
  assert.equal(goDuration(1050), '1.05s');
  assert.equal(ceilMs(600.0000000001), 600);
  assert.equal(ceilMs(600.2), 601);
});

test('sliding window admits exactly up to the limit and says when room comes back', () => {
  const w = new SlidingWindow(1000);
  w.add(0, 1);
  w.add(100, 1);
  w.add(200, 1);
  assert.equal(w.used(200), 3);
  assert.equal(w.waitFor(300, 1, 3), 700); // oldest (t=0) leaves at 1000
  assert.equal(w.waitFor(300, 2, 3), 800); // needs t=0 and t=100 gone
  assert.equal(w.waitFor(300, 1, 4), 0);
  assert.equal(w.waitFor(300, 5, 3), Number.POSITIVE_INFINITY);
  assert.equal(w.used(999), 3);
  assert.equal(w.used(1000), 2); // a unit counts during [t, t + length)
  assert.equal(w.resetIn(1000), 200);
  assert.equal(w.used(1200), 0);
  assert.equal(w.resetIn(1200), 0);
});

test('sliding window with token amounts', () => {
  const w = new SlidingWindow(60_000);
  w.add(0, 400);
  w.add(10_000, 500);
  assert.equal(w.waitFor(20_000, 200, 1000), 40_000);
  assert.equal(w.waitFor(20_000, 100, 1000), 0);
  assert.equal(w.waitFor(20_000, 700, 1000), 50_000);
});

test('account limits: every window must fit; the longest wait is reported; too large wins', () => {
  const limits = new AccountLimits({ m: { rpm: 2, tpm: 100, burst: { requests: 1, perSeconds: 1 } } }, 1);
  assert.equal(limits.check('m', { tokens: 10, images: 0 }, 0), null);
  limits.commit('m', { tokens: 10, images: 0 }, 0);
  const burst = limits.check('m', { tokens: 10, images: 0 }, 500);
  assert.equal(burst?.window, 'burst');
  assert.equal(burst?.waitMs, 500);
  limits.commit('m', { tokens: 10, images: 0 }, 1000);
  const rpm = limits.check('m', { tokens: 10, images: 0 }, 2000);
  assert.equal(rpm?.window, 'rpm');
  assert.equal(rpm?.waitMs, 58_000);
  const big = limits.check('m', { tokens: 101, images: 0 }, 2000);
  assert.equal(big?.kind, 'too-large');
  assert.equal(big?.window, 'tpm');
  assert.equal(limits.check('other', { tokens: 1e9, images: 0 }, 0), null, 'no limits for a model = unlimited');
  assert.deepEqual(limits.snapshot('m', 'rpm', 2000), { limit: 2, remaining: 0, resetMs: 59_000 });
  assert.equal(limits.snapshot('m', 'ipm', 2000), undefined);
});

test('time scale shrinks windows', () => {
  const limits = new AccountLimits({ m: { rpd: 1 } }, 0.001); // a day lasts 86.4 s
  limits.commit('m', { tokens: 0, images: 0 }, 0);
  assert.equal(limits.check('m', { tokens: 0, images: 0 }, 1000)?.waitMs, 85_400);
});

test('fault draws are seeded, exclusive and close to their rates', () => {
  const seq = (seed: number) => Array.from({ length: 50 }, ((r) => () => drawFault({ error500Rate: 0.3, hangRate: 0.2 }, r, false))(mulberry32(seed)));
  assert.deepEqual(seq(7), seq(7));
  assert.notDeepEqual(seq(7), seq(8));
  const r = mulberry32(3);
  const counts: Record<string, number> = {};
  for (let i = 0; i < 10_000; i++) {
    const f = drawFault({ error500Rate: 0.1, resetRate: 0.2, cutStreamRate: 0.5 }, r, false) ?? 'none';
    counts[f] = (counts[f] ?? 0) + 1;
  }
  assert.equal(counts.cutStream, undefined, 'cutStream never applies to non-streams');
  assert.ok(Math.abs(counts.error500 - 1000) < 150, `error500 ${counts.error500}`);
  assert.ok(Math.abs(counts.reset - 2000) < 200, `reset ${counts.reset}`);
  assert.equal(drawFault({ insufficientQuota: true, error500Rate: 1 }, r, false), 'insufficientQuota');
  assert.equal(drawFault(undefined, r, true), null);
});

test('tiny PNG is a valid 8x8 RGB image', () => {
  const png = tinyPng([1, 2, 3]);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.toString('ascii', 12, 16), 'IHDR');
  assert.equal(png.readUInt32BE(16), 8);
  const idatLen = png.readUInt32BE(33);
  assert.equal(png.toString('ascii', 37, 41), 'IDAT');
  const raw = inflateSync(png.subarray(41, 41 + idatLen));
  assert.equal(raw.length, 8 * (1 + 8 * 3));
  assert.deepEqual([...raw.subarray(0, 4)], [0, 1, 2, 3]);
  assert.equal(png.toString('ascii', png.length - 8, png.length - 4), 'IEND');
});

test('token rule and key masking', () => {
  assert.equal(chatPromptTokens([{ role: 'user', content: 'hello' }]), 2 + 3);
  assert.equal(chatPromptTokens([{ role: 'system', content: 'abcd' }, { role: 'user', content: [{ type: 'text', text: 'abcde' }] }]), 3 + 6);
  assert.equal(completionTokensPerChoice({}), 16);
  assert.equal(completionTokensPerChoice({ max_tokens: 5 }), 5);
  assert.equal(completionTokensPerChoice({ max_tokens: 5, max_completion_tokens: 7 }), 7);
  assert.equal(completionTokensPerChoice({ max_completion_tokens: 1e9 }), 4096);
  assert.equal(imageOutputTokens('high', '1536x1024'), 6208);
  assert.equal(imageOutputTokens('auto', 'auto'), 1056);
  const masked = maskKey('sk-abcdefghijklmnopxyz1');
  assert.ok(masked.startsWith('sk-ab') && masked.endsWith('xyz1') && masked.includes('*'));
  assert.ok(!masked.includes('ghijk'));
});
