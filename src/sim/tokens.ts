/**
 * The simulator's own token rule: simple and exact, so a test or a benchmark can compute the
 * charge of a request by hand. It is NOT a real tokenizer (a gateway may estimate with
 * tiktoken and must learn the difference from `usage`). Documented in docs/SIMULATOR.md.
 */

/** Completion length ceiling, so a huge `max_tokens` cannot make the simulator write megabytes. */
export const MAX_COMPLETION_TOKENS = 4096;

/** Tokens of a text: ceil(characters / 4). */
export function textTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Characters of the text in a message `content` (a string, or parts with `text`). */
function contentChars(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let chars = 0;
  for (const part of content) {
    if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') {
      chars += (part as { text: string }).text.length;
    }
  }
  return chars;
}

/** Chat prompt tokens: ceil(characters of all message contents / 4) + 3 per message. */
export function chatPromptTokens(messages: readonly unknown[]): number {
  let chars = 0;
  for (const m of messages) {
    if (m && typeof m === 'object') chars += contentChars((m as { content?: unknown }).content);
  }
  return Math.ceil(chars / 4) + 3 * messages.length;
}

/** Completion tokens per choice: `max_completion_tokens ?? max_tokens ?? 16`, capped. */
export function completionTokensPerChoice(body: { max_completion_tokens?: unknown; max_tokens?: unknown }): number {
  const asked = numberOr(body.max_completion_tokens, numberOr(body.max_tokens, 16));
  return Math.max(1, Math.min(MAX_COMPLETION_TOKENS, Math.floor(asked)));
}

/** Embedding tokens of one input: ceil(chars / 4) for text, the array length for token ids. */
export function embeddingInputTokens(input: string | readonly number[]): number {
  return typeof input === 'string' ? textTokens(input) : input.length;
}

/** gpt-image-1 output tokens per image, by quality and size (OpenAI's image guide). */
const IMAGE_OUTPUT_TOKENS: Record<string, Record<string, number>> = {
  low: { '1024x1024': 272, '1024x1536': 408, '1536x1024': 400 },
  medium: { '1024x1024': 1056, '1024x1536': 1584, '1536x1024': 1568 },
  high: { '1024x1024': 4160, '1024x1536': 6240, '1536x1024': 6208 },
};

/** Output tokens of one GPT image; `auto` means medium and 1024x1024. */
export function imageOutputTokens(quality: string, size: string): number {
  const q = IMAGE_OUTPUT_TOKENS[quality] ? quality : 'medium';
  return IMAGE_OUTPUT_TOKENS[q][size] ?? IMAGE_OUTPUT_TOKENS[q]['1024x1024'];
}

/** Input tokens charged per image uploaded to a GPT image edit (a fixed figure, documented). */
export const INPUT_IMAGE_TOKENS = 323;

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
