import type { Endpoint } from '../providers/index.ts';

/** The endpoints a batch may target, and the operation each maps to. */
export const BATCH_ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  '/v1/chat/completions': 'chat.completions',
  '/v1/embeddings': 'embeddings',
  '/v1/images/generations': 'images.generations',
  '/v1/moderations': 'moderations',
};

/** OpenAI's limit on lines per batch. */
export const MAX_BATCH_LINES = 50_000;

export interface BatchLine {
  line: number;
  customId: string;
  body: string;
}

/** A validation error as OpenAI reports it in a failed batch's `errors.data`. */
export interface LineError {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

function err(code: string, message: string, line: number | null, param: string | null = null): LineError {
  return { code, message, param, line };
}

/** Checks one parsed line; returns the error or the job. */
function checkLine(obj: unknown, n: number, endpoint: string, seen: Set<string>): LineError | BatchLine {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return err('invalid_json_line', 'This line is not a JSON object.', n);
  const o = obj as Record<string, unknown>;
  for (const field of ['custom_id', 'method', 'url', 'body'] as const) {
    if (o[field] === undefined || o[field] === null) return err('missing_required_parameter', `Missing required parameter: '${field}'.`, n, field);
  }
  if (typeof o.custom_id !== 'string' || o.custom_id === '') return err('invalid_value', "'custom_id' must be a non-empty string.", n, 'custom_id');
  if (o.method !== 'POST') return err('invalid_value', "'method' must be POST.", n, 'method');
  if (o.url !== endpoint) return err('url_mismatch', `The url '${String(o.url)}' does not match the batch's endpoint '${endpoint}'.`, n, 'url');
  if (!o.body || typeof o.body !== 'object' || Array.isArray(o.body)) return err('invalid_value', "'body' must be a JSON object.", n, 'body');
  if (seen.has(o.custom_id)) return err('duplicate_custom_id', `The custom_id '${o.custom_id}' appears more than once in the file.`, n, 'custom_id');
  seen.add(o.custom_id);
  return { line: n, customId: o.custom_id, body: JSON.stringify({ ...(o.body as object), stream: false }) };
}

/**
 * Validates a Batch API input file the way OpenAI does: every non-empty line a JSON object with
 * `custom_id` (unique), `method: POST`, `url` equal to the batch endpoint, and a `body`. Any
 * error fails the whole batch, reported per line (`invalid_json_line`, `duplicate_custom_id`,
 * `url_mismatch`, `missing_required_parameter`, `empty_file`, `too_many_tasks`).
 */
export function validateBatchInput(content: Buffer, endpoint: string): { lines: BatchLine[]; errors: LineError[] } {
  const lines: BatchLine[] = [];
  const errors: LineError[] = [];
  const seen = new Set<string>();
  const text = content.toString('utf8').split('\n');
  for (let i = 0; i < text.length && errors.length < 100; i++) {
    const raw = text[i].trim();
    if (!raw) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch {
      errors.push(err('invalid_json_line', 'This line is not parseable as valid JSON.', i + 1));
      continue;
    }
    const r = checkLine(obj, i + 1, endpoint, seen);
    if ('code' in r) errors.push(r);
    else lines.push(r);
  }
  if (lines.length === 0 && errors.length === 0) errors.push(err('empty_file', 'The input file is empty.', null));
  if (lines.length > MAX_BATCH_LINES) errors.push(err('too_many_tasks', `The input file has ${lines.length} lines; at most ${MAX_BATCH_LINES} are allowed.`, null));
  return { lines, errors };
}
