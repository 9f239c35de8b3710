/**
 * `sluice batch`: runs a Batch-API JSONL file (or a file of image prompts) against any
 * OpenAI-compatible endpoint with bounded concurrency, writing OpenAI batch output lines as
 * results arrive. Resumable, interruptible with Ctrl-C. See docs/BATCH-CLI.md.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { Agent } from 'undici';
import { cell } from '../table.ts';
import { estimateCost, reportedCost } from './cost.ts';
import { saveImages } from './images.ts';
import { type InputFormat, PROMPT_DEFAULTS, type ParsedInput, parseInput } from './input.ts';
import { LockedError, lockOutput, newLineId, OutputWriter, prepareOutput } from './output.ts';
import { createProgress, type Progress } from './progress.ts';
import { type Outcome, type RequestContext, sendItem } from './request.ts';
import { BatchStats, formatDuration, formatSummary } from './stats.ts';
import type { BadLine, BatchItem, OutputLine } from './types.ts';
import { isObject } from './types.ts';

/** Options as commander hands them over (see the registration in src/cli/main.ts). */
export interface BatchFlags {
  output?: string;
  baseUrl?: string;
  key?: string;
  concurrency?: number;
  timeoutMs?: number;
  maxRetries?: number;
  imagesDir?: string;
  model?: string;
  size?: string;
  quality?: string;
  n?: number;
  inputFormat?: string;
  graceMs?: number;
}

export const EXIT_OK = 0;
export const EXIT_FAILURES = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const MAX_PRINTED_BAD_LINES = 20;
const MAX_PRINTED_FAILURE_KINDS = 10;
const PROGRESS_INTERVAL_MS = 5000;

class UsageError extends Error {}

interface Settings {
  input: string;
  output: string;
  baseUrl: string;
  key: string;
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
  graceMs: number;
  imagesDir?: string;
  inputFormat: InputFormat | 'auto';
  prompt: typeof PROMPT_DEFAULTS;
  promptFlags: string[];
}

function intIn(name: string, v: number | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = v ?? fallback;
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`);
  return n;
}

function settings(input: string, f: BatchFlags, env: NodeJS.ProcessEnv): Settings {
  if (!f.output) throw new UsageError('missing -o, --output <file> (the results file, also what a re-run resumes from)');
  try {
    if (!statSync(input).isFile()) throw new UsageError(`${input} is not a file`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${input}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    if (statSync(f.output).ino === statSync(input).ino) throw new UsageError('the output file must not be the input file');
  } catch (err) {
    if (err instanceof UsageError) throw err;
  }
  const baseUrl = f.baseUrl ?? env.OPENAI_BASE_URL ?? DEFAULT_BASE_URL;
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new UsageError(`--base-url ${JSON.stringify(baseUrl)} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError('--base-url must be an http:// or https:// URL');
  const key = f.key ?? env.OPENAI_API_KEY;
  if (!key) throw new UsageError('no API key: pass --key KEY or set OPENAI_API_KEY');
  const inputFormat = (f.inputFormat ?? 'auto') as Settings['inputFormat'];
  if (!['auto', 'jsonl', 'prompts'].includes(inputFormat)) throw new UsageError('--input-format must be auto, jsonl or prompts');
  const promptFlags = (['model', 'size', 'quality', 'n'] as const).filter((k) => f[k] !== undefined).map((k) => `--${k}`);
  return {
    input,
    output: f.output,
    baseUrl,
    key,
    concurrency: intIn('concurrency', f.concurrency, 16, 1, 10_000),
    timeoutMs: intIn('timeout-ms', f.timeoutMs, 600_000, 1),
    maxRetries: intIn('max-retries', f.maxRetries, 5, 0, 100),
    graceMs: intIn('grace-ms', f.graceMs, 15_000, 0),
    imagesDir: f.imagesDir,
    inputFormat,
    prompt: {
      model: f.model ?? PROMPT_DEFAULTS.model,
      size: f.size ?? PROMPT_DEFAULTS.size,
      quality: f.quality ?? PROMPT_DEFAULTS.quality,
      n: intIn('n', f.n, PROMPT_DEFAULTS.n, 1, 10),
    },
    promptFlags,
  };
}

/** Why an outcome failed, as counted in the summary: `HTTP 429 rate_limit_exceeded`, `timeout`, ... */
function failureReason(o: Outcome): string {
  if (o.kind === 'error') return o.code;
  if (o.kind !== 'response') return 'interrupted';
  const err = isObject(o.body) && isObject(o.body.error) ? o.body.error : undefined;
  const code = err && (typeof err.code === 'string' ? err.code : typeof err.type === 'string' ? err.type : undefined);
  return code ? `HTTP ${o.status} ${code}` : `HTTP ${o.status}`;
}

function failureMessage(o: Outcome): string {
  if (o.kind === 'error') return o.message;
  if (o.kind === 'response') {
    const err = isObject(o.body) && isObject(o.body.error) ? o.body.error : undefined;
    if (err && typeof err.message === 'string') return err.message;
    return typeof o.body === 'string' ? o.body.slice(0, 200) : JSON.stringify(o.body).slice(0, 200);
  }
  return '';
}

function badLineOutput(bad: BadLine, done: ReadonlySet<string>): OutputLine {
  const customId = bad.customId !== null && !done.has(bad.customId) ? bad.customId : null;
  return { id: newLineId(), custom_id: customId, response: null, error: { code: 'invalid_input_line', message: `line ${bad.line}: ${bad.message}`, line: bad.line } };
}

function reportBadLines(input: ParsedInput, file: string, log: (s: string) => void, autoDetected: boolean): void {
  if (input.bad.length === 0) return;
  for (const bad of input.bad.slice(0, MAX_PRINTED_BAD_LINES)) log(`${file}:${bad.line}: ${bad.message}`);
  if (input.bad.length > MAX_PRINTED_BAD_LINES) log(`... and ${input.bad.length - MAX_PRINTED_BAD_LINES} more bad lines`);
  log(`sluice batch: ${input.bad.length} bad input line${input.bad.length === 1 ? '' : 's'} skipped (written to the output as error lines, counted as failures)`);
  const notJson = input.bad.filter((b) => b.message.startsWith('not valid JSON')).length;
  if (autoDetected && notJson > input.items.length) {
    log('sluice batch: (read as Batch-API JSONL; if this is a list of image prompts, pass --input-format prompts)');
  }
}

/** Runs the command; returns the exit code. Usage problems print a message and return 2. */
export async function batchCommand(inputPath: string, flags: BatchFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const err = (s: string) => process.stderr.write(`${s}\n`);
  let s: Settings;
  try {
    s = settings(inputPath, flags, env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`sluice batch: ${e.message}`);
    return EXIT_USAGE;
  }
  let unlock: () => void;
  try {
    mkdirSync(dirname(resolve(s.output)), { recursive: true });
    unlock = lockOutput(s.output);
  } catch (e) {
    err(`sluice batch: ${e instanceof LockedError ? e.message : `cannot write ${s.output}: ${(e as Error).message}`}`);
    return EXIT_USAGE;
  }
  try {
    return await run(s, err);
  } catch (e) {
    err(`sluice batch: ${(e as Error).message ?? e}`);
    return EXIT_FAILURES;
  } finally {
    unlock();
  }
}

async function run(s: Settings, err: (s: string) => void): Promise<number> {
  const input = parseInput(readFileSync(s.input, 'utf8'), s.inputFormat, s.prompt);
  if (input.format === 'jsonl' && s.promptFlags.length > 0) err(`sluice batch: ${s.promptFlags.join(', ')} ignored: the input is Batch-API JSONL`);
  reportBadLines(input, basename(s.input), err, s.inputFormat === 'auto');
  if (s.imagesDir) await mkdir(s.imagesDir, { recursive: true });
  const path = new URL(s.baseUrl).pathname.replace(/\/+$/, '');
  if (path === '') err(`sluice batch: note: --base-url has no path, so requests go to ${s.baseUrl.replace(/\/+$/, '')}/chat/completions etc. (OpenAI and Sluice want .../v1)`);

  const resume = await prepareOutput(s.output);
  const dropped = resume.droppedFailed + resume.droppedCorrupt + resume.droppedDuplicate;
  if (resume.done.size > 0 || dropped > 0 || resume.droppedPartial) {
    const notes = [
      resume.droppedFailed ? `${resume.droppedFailed} failed lines removed to run again` : '',
      resume.droppedPartial ? 'a partial last line removed' : '',
      resume.droppedCorrupt ? `${resume.droppedCorrupt} unreadable lines removed` : '',
      resume.droppedDuplicate ? `${resume.droppedDuplicate} repeated lines removed` : '',
    ].filter(Boolean);
    err(`sluice batch: resuming ${s.output}: ${resume.done.size} done${notes.length ? `; ${notes.join('; ')}` : ''}`);
  }

  const stats = new BatchStats();
  stats.total = input.lines;
  const queue: BatchItem[] = [];
  for (const item of input.items) {
    if (resume.done.has(item.customId)) stats.skipped++;
    else queue.push(item);
  }
  const writer = new OutputWriter(s.output, resume.done);
  for (const bad of input.bad) {
    writer.write(badLineOutput(bad, resume.done));
    stats.bad++;
  }
  err(`sluice batch: ${input.lines} lines (${input.format === 'jsonl' ? 'Batch-API JSONL' : 'image prompts'}), ${stats.skipped} already done, ${queue.length} to run, concurrency ${s.concurrency} → ${s.baseUrl}`);

  const stop = new AbortController();
  const abort = new AbortController();
  let graceTimer: NodeJS.Timeout | undefined;
  let inFlight = 0;
  let signalled: NodeJS.Signals | undefined;
  const progress: Progress = createProgress(stats, { stream: process.stderr, intervalMs: PROGRESS_INTERVAL_MS });
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) {
      progress.log(`sluice batch: ${sig} again: abandoning ${inFlight} requests in flight (they will run on the next run)`);
      abort.abort();
      return;
    }
    signalled = sig;
    stop.abort();
    if (inFlight > 0) {
      progress.log(`sluice batch: stopping: waiting up to ${formatDuration(s.graceMs)} for ${inFlight} requests in flight (${sig === 'SIGINT' ? 'Ctrl-C' : sig} again to abandon them)`);
    }
    graceTimer = setTimeout(() => abort.abort(), s.graceMs);
    graceTimer.unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const dispatcher = new Agent({ headersTimeout: s.timeoutMs, bodyTimeout: s.timeoutMs, connect: { timeout: Math.min(s.timeoutMs, 30_000) } });
  const reported = new Set<string>();
  const ctx: RequestContext = {
    baseUrl: s.baseUrl,
    key: s.key,
    timeoutMs: s.timeoutMs,
    maxRetries: s.maxRetries,
    dispatcher,
    stop: stop.signal,
    abort: abort.signal,
    userAgent: 'sluice-batch/0.1',
    onRetry: () => {
      stats.retries++;
    },
  };
  const imageCtx = s.imagesDir
    ? { dir: s.imagesDir, dispatcher, timeoutMs: Math.min(s.timeoutMs, 120_000), maxRetries: s.maxRetries, abort: abort.signal, auth: { origin: new URL(s.baseUrl).origin, key: s.key } }
    : undefined;

  /** Runs one item and writes its line; false when it was interrupted (nothing written). */
  const runItem = async (item: BatchItem): Promise<boolean> => {
    const outcome = await sendItem(item, ctx);
    if (outcome.kind === 'interrupted') return false;
    let line: OutputLine;
    if (outcome.kind === 'error') {
      line = { id: newLineId(), custom_id: item.customId, response: null, error: { code: outcome.code, message: outcome.message } };
    } else {
      let body = outcome.body;
      const success = outcome.status >= 200 && outcome.status < 300;
      if (success && item.url === '/v1/images/generations') {
        if (isObject(body) && Array.isArray(body.data)) stats.images += body.data.length;
        if (imageCtx) {
          let saved: Awaited<ReturnType<typeof saveImages>>;
          try {
            saved = await saveImages(body, item.customId, item.body, imageCtx);
          } catch (e) {
            if (abort.signal.aborted) return false;
            throw e;
          }
          body = saved.body;
          stats.imageFiles += saved.files.length;
          stats.downloadErrors += saved.downloadErrors.length;
          for (const d of saved.downloadErrors) progress.log(`sluice batch: image download failed: ${cell(d)}`);
        }
      }
      if (success) {
        const cost = reportedCost(outcome.body, outcome.headers);
        const estimate = cost === undefined ? estimateCost(outcome.body, item.body) : undefined;
        if (cost !== undefined) {
          stats.reportedUsd += cost;
          stats.reportedAnswers++;
        } else if (estimate !== undefined) {
          stats.estimatedUsd += estimate;
          stats.estimatedAnswers++;
        } else stats.unpricedAnswers++;
      }
      line = { id: newLineId(), custom_id: item.customId, response: { status_code: outcome.status, request_id: outcome.requestId, body }, error: null };
    }
    writer.write(line);
    if (line.error === null && line.response && line.response.status_code < 300) stats.ok++;
    else {
      const reason = failureReason(outcome);
      stats.fail(reason);
      if (!reported.has(reason) && reported.size < MAX_PRINTED_FAILURE_KINDS) {
        reported.add(reason);
        progress.log(`sluice batch: line ${item.line} (${cell(item.customId)}) failed: ${cell(reason)}: ${cell(failureMessage(outcome))}`);
      }
    }
    progress.update();
    return true;
  };

  let next = 0;
  let notRun = 0;
  let fatal: { error: unknown } | undefined;
  const worker = async () => {
    while (!stop.signal.aborted && next < queue.length) {
      const item = queue[next++];
      inFlight++;
      try {
        if (!(await runItem(item))) notRun++;
      } catch (e) {
        // e.g. the disk is full: stop everything, keep what was written, report it.
        notRun++;
        fatal ??= { error: e };
        stop.abort();
        abort.abort();
      } finally {
        inFlight--;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(s.concurrency, queue.length) }, worker));
  } finally {
    notRun += queue.length - next;
    progress.stop();
    writer.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (graceTimer) clearTimeout(graceTimer);
    await (signalled ? dispatcher.destroy() : dispatcher.close());
  }
  err(formatSummary(stats, { output: s.output, imagesDir: s.imagesDir, notRun, interrupted: signalled !== undefined || fatal !== undefined }));
  if (fatal) throw fatal.error;
  if (signalled) return signalled === 'SIGTERM' ? 143 : EXIT_INTERRUPTED;
  return stats.failed + stats.bad > 0 ? EXIT_FAILURES : EXIT_OK;
}
