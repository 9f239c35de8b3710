/** Shapes shared by the parts of `sluice batch` (see docs/BATCH-CLI.md). */

/** The endpoints a Batch-API input line may target (the same list as OpenAI's Batch API). */
export const BATCH_URLS = ['/v1/chat/completions', '/v1/embeddings', '/v1/images/generations', '/v1/moderations'] as const;
export type BatchUrl = (typeof BATCH_URLS)[number];

/** One request to run: a valid input line. */
export interface BatchItem {
  /** 1-based line number in the input file. */
  line: number;
  customId: string;
  url: BatchUrl;
  body: Record<string, unknown>;
}

/** An input line that cannot be run; it is reported and written to the output as an error line. */
export interface BadLine {
  line: number;
  /** The line's custom_id when it has a usable one (a string not used by an earlier line), else null. */
  customId: string | null;
  message: string;
}

/** `response` of an output line: the HTTP answer, whatever its status. */
export interface BatchResponse {
  status_code: number;
  request_id: string | null;
  body: unknown;
}

/** `error` of an output line: a failure without an HTTP answer (or a bad input line). */
export interface BatchError {
  code: string;
  message: string;
  /** Input line number, for bad input lines only. */
  line?: number;
}

/** One line of the output file, in the shape of OpenAI's Batch API output. */
export interface OutputLine {
  id: string;
  custom_id: string | null;
  response: BatchResponse | null;
  error: BatchError | null;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An output line counts as done (skipped on resume) when it holds a 2xx answer. */
export function isSuccess(line: { response?: unknown; error?: unknown }): boolean {
  if (line.error !== null && line.error !== undefined) return false;
  if (!isObject(line.response)) return false;
  const status = line.response.status_code;
  return typeof status === 'number' && status >= 200 && status < 300;
}
