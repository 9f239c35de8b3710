/**
 * Builders for the offered load: deterministic (seeded) request bodies and open-loop arrival
 * schedules. Costs are computed with the simulator's documented token rule
 * (docs/SIMULATOR.md, "The token rule"), re-implemented here so the benchmark depends on the
 * simulator's contract, not on its code.
 */
import { mulberry32 } from '../../src/sim/rng.ts';
import type { BenchRequest, Priority } from './types.ts';

/** A tiny seeded PRNG (the simulator's mulberry32), so every run offers byte-identical work. */
export const seededRandom: (seed: number) => () => number = mulberry32;

/** Who sends a stream of requests, and how the stream is spread in time. */
export interface StreamSpec {
  client: string;
  priority: Priority;
  count: number;
  /** First arrival, ms after the scenario's start. */
  startMs: number;
  /** Arrivals are evenly spaced over this span; 0 sends them all at once (a backlog). */
  spanMs: number;
  /** Builds the body and its cost for the i-th request of the stream. */
  make: (i: number) => { endpoint: BenchRequest['endpoint']; body: Record<string, unknown>; tokens: number };
}

/** Expands streams into one request list sorted by arrival (ids follow arrival order). */
export function schedule(streams: StreamSpec[]): BenchRequest[] {
  const out: Omit<BenchRequest, 'id'>[] = [];
  for (const s of streams) {
    for (let i = 0; i < s.count; i++) {
      const at = s.startMs + (s.count > 1 ? (s.spanMs * i) / s.count : 0);
      out.push({ client: s.client, priority: s.priority, at, ...s.make(i) });
    }
  }
  out.sort((x, y) => x.at - y.at);
  return out.map((r, id) => ({ id, ...r }));
}

/** A low-quality square gpt-image-1 request: one image, the unit IPM counts. */
export function imageRequest(i: number): { endpoint: 'images'; body: Record<string, unknown>; tokens: number } {
  return { endpoint: 'images', body: { model: 'gpt-image-1', prompt: `product shot #${i}, white background`, quality: 'low', size: '1024x1024' }, tokens: 1 };
}

const WORDS = 'the quick brown fox jumps over the lazy dog while seven bold writers quietly read their notes';

/** A chat request of about `promptTokens` prompt tokens asking for `completionTokens`. */
export function chatRequest(promptTokens: number, completionTokens: number): { endpoint: 'chat'; body: Record<string, unknown>; tokens: number } {
  // English words, so a real tokenizer's estimate stays close to the simulator's chars / 4.
  let text = '';
  while (text.length < (promptTokens - 3) * 4) text += (text ? ' ' : '') + WORDS;
  text = text.slice(0, (promptTokens - 3) * 4);
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }], max_completion_tokens: completionTokens };
  return { endpoint: 'chat', body, tokens: Math.ceil(text.length / 4) + 3 + completionTokens };
}
