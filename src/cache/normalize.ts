import type { Endpoint } from '../providers/index.ts';

/**
 * The optional prompt normalisation (per client, `normalizePrompts: true`). It changes only the
 * cache key, never what is sent upstream. A text is normalised by collapsing every run of
 * Unicode whitespace (`/\s+/u`: spaces, tabs, newlines, NBSP, ...) into one space, trimming
 * both ends, and lower-casing (`String#toLowerCase`, locale-independent). No other change
 * (no Unicode normalisation, no punctuation change). The texts normalised are:
 * - chat: `content` of every message whose role is not `tool` or `function` (tool results are
 *   data): a string content, or the `text` of each `{type: "text"}` part of an array content;
 * - embeddings and moderations: `input` as a string, or each string of an array (token arrays
 *   and image parts are left alone; moderation `{type: "text"}` parts are normalised);
 * - image generations: `prompt`.
 * A prompt that is already normal gets the same key with or without normalisation, so such
 * requests share entries with clients that do not normalise.
 */
export function normalizeText(text: string): string {
  return text.replace(/\s+/gu, ' ').trim().toLowerCase();
}

/** A copy of the body parameters `params` of an `endpoint` call with its prompt texts normalised. */
export function normalizePrompts(endpoint: Endpoint, params: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out = { ...params };
  if (endpoint === 'chat.completions' && Array.isArray(out.messages)) out.messages = out.messages.map(normalizeMessage);
  if ((endpoint === 'embeddings' || endpoint === 'moderations') && out.input !== undefined) out.input = normalizeInput(out.input);
  if (endpoint.startsWith('images.') && typeof out.prompt === 'string') out.prompt = normalizeText(out.prompt);
  return out;
}

function normalizeMessage(m: unknown): unknown {
  if (!isObject(m) || m.role === 'tool' || m.role === 'function') return m;
  if (typeof m.content === 'string') return { ...m, content: normalizeText(m.content) };
  if (Array.isArray(m.content)) return { ...m, content: m.content.map(normalizeTextPart) };
  return m;
}

function normalizeInput(input: unknown): unknown {
  if (typeof input === 'string') return normalizeText(input);
  if (!Array.isArray(input)) return input;
  return input.map((x) => (typeof x === 'string' ? normalizeText(x) : normalizeTextPart(x)));
}

function normalizeTextPart(part: unknown): unknown {
  if (isObject(part) && part.type === 'text' && typeof part.text === 'string') return { ...part, text: normalizeText(part.text) };
  return part;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
