/**
 * Reads the token counts out of an upstream answer's `usage` object. Upstreams (OpenAI, Azure,
 * OpenAI-compatible servers) differ in what they send, so every field is optional and checked;
 * a usage object without any count Sluice recognises counts as "no usage".
 */

/** Token counts of one answer, split the way they are priced. */
export interface TokenCounts {
  inputText: number;
  /** The part of `inputText` served from the prompt cache (priced at `cachedInput`). */
  cachedInput: number;
  inputImage: number;
  outputText: number;
  outputImage: number;
}

/** A non-negative integer count, or undefined for anything else (missing, null, negative, not a number). */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function field(obj: unknown, key: string): unknown {
  return obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
}

/**
 * Splits `total` into two parts when the details may name either, both or neither: a missing
 * part is what the total leaves; with no details at all everything is the first part.
 */
function split(total: number | undefined, first: number | undefined, second: number | undefined): [number, number] {
  const sum = total ?? (first ?? 0) + (second ?? 0);
  const a = first ?? Math.max(0, sum - (second ?? 0));
  return [a, second ?? Math.max(0, sum - a)];
}

/**
 * Chat completions, embeddings and moderations: `prompt_tokens` (+ `prompt_tokens_details.cached_tokens`)
 * and `completion_tokens`. The Responses-style names (`input_tokens`, `output_tokens`,
 * `input_tokens_details.cached_tokens`) are read too, as some compatible servers send them.
 */
export function readTextUsage(usage: unknown): TokenCounts | undefined {
  const prompt = count(field(usage, 'prompt_tokens')) ?? count(field(usage, 'input_tokens'));
  const completion = count(field(usage, 'completion_tokens')) ?? count(field(usage, 'output_tokens'));
  if (prompt === undefined && completion === undefined) return undefined;
  const details = field(usage, 'prompt_tokens_details') ?? field(usage, 'input_tokens_details');
  const inputText = prompt ?? 0;
  const cached = Math.min(count(field(details, 'cached_tokens')) ?? 0, inputText);
  return { inputText, cachedInput: cached, inputImage: 0, outputText: completion ?? 0, outputImage: 0 };
}

/**
 * GPT image answers: `input_tokens` split by `input_tokens_details` into text and image tokens
 * (all text without details), `output_tokens` all image tokens unless `output_tokens_details`
 * splits them. Cached input is not discounted for image models, so it is not read.
 */
export function readImageUsage(usage: unknown): TokenCounts | undefined {
  const input = count(field(usage, 'input_tokens'));
  const output = count(field(usage, 'output_tokens'));
  const inDetails = field(usage, 'input_tokens_details');
  const outDetails = field(usage, 'output_tokens_details');
  if (input === undefined && output === undefined && !inDetails && !outDetails) return undefined;
  const [inputText, inputImage] = split(input, count(field(inDetails, 'text_tokens')), count(field(inDetails, 'image_tokens')));
  const [outputImage, outputText] = split(output, count(field(outDetails, 'image_tokens')), count(field(outDetails, 'text_tokens')));
  return { inputText, cachedInput: 0, inputImage, outputText, outputImage };
}
