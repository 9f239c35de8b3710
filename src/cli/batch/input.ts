/**
 * Reading the input of `sluice batch`: a Batch-API JSONL file, or a plain text file with one
 * image prompt per line. Bad JSONL lines are kept with their line numbers, so the runner can
 * report them and write them to the output as error lines.
 */
import type { BadLine, BatchItem, BatchUrl } from './types.ts';
import { BATCH_URLS, isObject } from './types.ts';

export type InputFormat = 'jsonl' | 'prompts';

/** The image request built from each line of a prompt file. */
export interface PromptDefaults {
  model: string;
  size: string;
  quality: string;
  n: number;
}

export const PROMPT_DEFAULTS: PromptDefaults = { model: 'gpt-image-1', size: '1024x1024', quality: 'medium', n: 1 };

export interface ParsedInput {
  format: InputFormat;
  items: BatchItem[];
  bad: BadLine[];
  /** Non-empty lines (items + bad). */
  lines: number;
}

/** Splits a file into lines numbered from 1, without a BOM or the `\r` of CRLF files. */
function splitLines(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function looksLikeBatchLine(line: string): boolean {
  try {
    const v: unknown = JSON.parse(line);
    return isObject(v) && ('custom_id' in v || 'url' in v || 'body' in v);
  } catch {
    return false;
  }
}

/**
 * JSONL when every non-empty line starts with `{`, or when some line parses as an object with a
 * `custom_id`, `url` or `body` (so a broken line does not turn a JSONL file into prompts);
 * otherwise a prompt file.
 */
export function detectFormat(lines: readonly string[]): InputFormat {
  let allBraces = true;
  let sawLine = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    sawLine = true;
    if (!line.startsWith('{')) allBraces = false;
    else if (looksLikeBatchLine(line)) return 'jsonl';
  }
  return sawLine && allBraces ? 'jsonl' : 'prompts';
}

function describeValue(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Validates one Batch-API line; returns the item or the reasons it is bad. */
function parseBatchLine(text: string, line: number): { item: BatchItem } | { bad: BadLine } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { bad: { line, customId: null, message: `not valid JSON (${(err as Error).message})` } };
  }
  if (!isObject(v)) return { bad: { line, customId: null, message: 'not a JSON object' } };
  const customId = typeof v.custom_id === 'string' && v.custom_id !== '' ? v.custom_id : null;
  const problems: string[] = [];
  if (customId === null) problems.push('custom_id must be a non-empty string');
  if (v.method !== 'POST') problems.push(`method must be "POST" (got ${describeValue(v.method)})`);
  if (!BATCH_URLS.includes(v.url as BatchUrl)) problems.push(`url must be one of ${BATCH_URLS.join(', ')} (got ${describeValue(v.url)})`);
  if (!isObject(v.body)) problems.push('body must be a JSON object');
  else if (v.body.stream === true) problems.push('body.stream is not supported in a batch');
  if (problems.length > 0 || customId === null) return { bad: { line, customId, message: problems.join('; ') } };
  return { item: { line, customId, url: v.url as BatchUrl, body: v.body as Record<string, unknown> } };
}

/**
 * Parses an input file. `format` 'auto' detects it (see `detectFormat`). A custom_id used by
 * an earlier line makes a line bad (custom_ids must be unique, as in OpenAI's Batch API).
 */
export function parseInput(text: string, format: InputFormat | 'auto', defaults: PromptDefaults = PROMPT_DEFAULTS): ParsedInput {
  const lines = splitLines(text);
  const fmt = format === 'auto' ? detectFormat(lines) : format;
  const items: BatchItem[] = [];
  const bad: BadLine[] = [];
  const seen = new Map<string, number>();
  let count = 0;
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    count++;
    if (fmt === 'prompts') {
      const { model, size, quality, n } = defaults;
      items.push({ line, customId: `line-${line}`, url: '/v1/images/generations', body: { model, prompt: raw.trim(), size, quality, n } });
      return;
    }
    const parsed = parseBatchLine(raw.trim(), line);
    const id = 'item' in parsed ? parsed.item.customId : parsed.bad.customId;
    const first = id === null ? undefined : seen.get(id);
    if (id !== null && first !== undefined) {
      const reason = `duplicate custom_id ${JSON.stringify(id)} (first on line ${first})`;
      const message = 'bad' in parsed ? `${reason}; ${parsed.bad.message}` : reason;
      bad.push({ line, customId: null, message });
      return;
    }
    if (id !== null) seen.set(id, line);
    if ('item' in parsed) items.push(parsed.item);
    else bad.push(parsed.bad);
  });
  return { format: fmt, items, bad, lines: count };
}
