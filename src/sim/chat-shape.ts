/**
 * The shape of one simulated chat answer, shared by the JSON and the streamed writer: which
 * words it says (one word = one completion token) and what usage it reports.
 */
const WORDS = ['the', 'quick', 'sluice', 'gate', 'lets', 'water', 'through', 'in', 'a', 'steady', 'and', 'measured', 'flow', 'while', 'keeping', 'floods', 'out'];

/** One choice's words; each word is one completion token. */
export function choiceWords(count: number, choice: number): string[] {
  return Array.from({ length: count }, (_, i) => WORDS[(i + choice * 5) % WORDS.length]);
}

/** Everything a chat answer needs once validated. */
export interface ChatShape {
  id: string;
  created: number;
  model: string;
  n: number;
  words: number;
  promptTokens: number;
  includeUsage: boolean;
}

/** The `usage` object; completion tokens are billed for all `n` choices. */
export function chatUsage(shape: ChatShape) {
  const completion = shape.words * shape.n;
  return {
    prompt_tokens: shape.promptTokens,
    completion_tokens: completion,
    total_tokens: shape.promptTokens + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

