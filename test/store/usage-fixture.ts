import type { UsageGroup, UsageRow } from '../../src/store/index.ts';

/**
 * 2,000 usage rows built from the row index `i` by simple modular rules, so that every report
 * total can be worked out by hand (the derivations are in the comments of EXPECTED below)
 * rather than by a second implementation of the aggregation.
 *
 *   time    T0 + 3 s·i, T0 = 2025-01-14 23:00 UTC: i < 1200 on the 14th, i ≥ 1200 (from
 *           exactly midnight) on the 15th
 *   client  c{i%4}            model   m{i%5}
 *   account null if i%8 = 7, else a{i%2}
 *   status  400 if i%20 = 4, 500 if i%20 = 9, 429 if i%20 = 19, else 200
 *   tokens  input text 100, output text 2·(i%4); when i%5 = 4: 1 image, 300 in / 4000 out image tokens
 *   cost    3,000,000·(i%4 + 1) + 1,000·(i%5) nano-USD (the total, 15,004,000,000, is far beyond 2^31)
 */
export const T0 = Date.UTC(2025, 0, 14, 23, 0, 0);
export const MIDNIGHT = Date.UTC(2025, 0, 15);
export const ROWS = 2000;
export const timeOf = (i: number): number => T0 + 3000 * i;

export function usageRow(i: number): UsageRow {
  const img = i % 5 === 4;
  return {
    time: timeOf(i),
    requestId: `req-${String(i).padStart(5, '0')}`,
    client: `c${i % 4}`,
    account: i % 8 === 7 ? null : `a${i % 2}`,
    model: `m${i % 5}`,
    endpoint: img ? '/v1/images/generations' : '/v1/chat/completions',
    status: i % 20 === 4 ? 400 : i % 20 === 9 ? 500 : i % 20 === 19 ? 429 : 200,
    attempts: 1 + (i % 3),
    inputTextTokens: 100,
    outputTextTokens: 2 * (i % 4),
    inputImageTokens: img ? 300 : 0,
    outputImageTokens: img ? 4000 : 0,
    images: img ? 1 : 0,
    costNanoUsd: 3_000_000 * ((i % 4) + 1) + 1000 * (i % 5),
    queueMs: i % 7,
    upstreamMs: 1000 + i,
    cacheHit: i % 11 === 0,
  };
}

export const usageRows = (): UsageRow[] => Array.from({ length: ROWS }, (_, i) => usageRow(i));

function group(key: string, n: number[]): UsageGroup {
  const [requests, errors, inputTextTokens, outputTextTokens, inputImageTokens, outputImageTokens, images, costNanoUsd] = n;
  return { key, requests, errors, inputTextTokens, outputTextTokens, inputImageTokens, outputImageTokens, images, costNanoUsd };
}

/** Hand-computed reports over the whole fixture, in the order `report` must return them. */
export const EXPECTED = {
  // Per client c: 500 rows. Errors: i%20 = 4 → c0, 9 → c1, 19 → c3 (100 each). Output text
  // 2c·500. Image rows (i%5 = 4): 100. Cost 500·3e6·(c+1) + 1000·(0+1+2+3+4)·100.
  client: [3, 2, 1, 0].map((c) =>
    group(`c${c}`, [500, c === 2 ? 0 : 100, 50_000, 1000 * c, 30_000, 400_000, 100, 1_500_000_000 * (c + 1) + 1_000_000]),
  ),
  // Per model k: 400 rows, i%4 spread evenly (100 each). All error rows have i%5 = 4. Output
  // text 2·(0+1+2+3)·100. Cost 3e6·(1+2+3+4)·100 + 1000·k·400: m4 first.
  model: [4, 3, 2, 1, 0].map((k) =>
    group(`m${k}`, [400, k === 4 ? 300 : 0, 40_000, 1200, k === 4 ? 120_000 : 0, k === 4 ? 1_600_000 : 0, k === 4 ? 400 : 0, 3_000_000_000 + 400_000 * k]),
  ),
  // a0: even i (1000 rows; i%4 ∈ {0,2}; errors i%20 = 4; images i%10 = 4 → 200).
  // (none): i%8 = 7 (250 rows; i%4 = 3; errors: half of i%20 = 19; images 50).
  // a1: the other 750 (errors i%20 = 9 and the other half of 19; images 150).
  account: [
    group('a0', [1000, 100, 100_000, 2000, 60_000, 800_000, 200, 6_000_000_000 + 2_000_000]),
    group('a1', [750, 150, 75_000, 2500, 45_000, 600_000, 150, 6_000_000_000 + 1_500_000]),
    group('(none)', [250, 50, 25_000, 1500, 15_000, 200_000, 50, 3_000_000_000 + 500_000]),
  ],
  // i < 1200 on the 14th (i%4 and i%5 evenly spread, 60 blocks of 20), the other 800 on the 15th.
  day: [
    group('2025-01-14', [1200, 180, 120_000, 3600, 72_000, 960_000, 240, 9_000_000_000 + 2_400_000]),
    group('2025-01-15', [800, 120, 80_000, 2400, 48_000, 640_000, 160, 6_000_000_000 + 1_600_000]),
  ],
} as const;

export const TOTAL_COST = 15_004_000_000;
