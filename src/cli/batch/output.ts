/**
 * The output file: resuming from it, and appending to it.
 *
 * On start, `prepareOutput` reads an existing output and keeps only the lines with a 2xx
 * answer (their custom_ids are skipped); failed lines, a partial last line left by a crash
 * (no newline), unreadable lines and repeated custom_ids are removed, so the failed items run
 * again and every custom_id appears once in the final file. While running, each result is
 * appended with one synchronous write as it arrives, so a crash loses only what was in flight.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, createReadStream, createWriteStream, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { OutputLine } from './types.ts';
import { isObject, isSuccess } from './types.ts';

export interface ResumeState {
  /** custom_ids with a 2xx answer in the output: skipped. */
  done: Set<string>;
  /** Lines removed so their items run again (failures, including bad input lines). */
  droppedFailed: number;
  /** A last line without its newline (a crash while writing it), removed. */
  droppedPartial: boolean;
  /** Lines that are not JSON objects with a custom_id (hand edits), removed. */
  droppedCorrupt: number;
  /** Later lines of a custom_id already done, removed. */
  droppedDuplicate: number;
}

/** Cuts a file after its last newline; returns whether there was a partial last line. */
export function truncatePartialLine(path: string): boolean {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return false;
    const buf = Buffer.alloc(64 * 1024);
    let end = size;
    let keep = 0;
    while (end > 0) {
      const start = Math.max(0, end - buf.length);
      const n = readSync(fd, buf, 0, end - start, start);
      if (end === size && buf[n - 1] === 0x0a) return false;
      const i = buf.subarray(0, n).lastIndexOf(0x0a);
      if (i >= 0) {
        keep = start + i + 1;
        break;
      }
      end = start;
    }
    ftruncateSync(fd, keep);
    return true;
  } finally {
    closeSync(fd);
  }
}

type Verdict = 'keep' | 'failed' | 'corrupt' | 'duplicate' | 'blank';

function judge(text: string, done: Set<string>): Verdict {
  if (text.trim() === '') return 'blank';
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'corrupt';
  }
  if (!isObject(v)) return 'corrupt';
  if (!isSuccess(v)) return 'failed';
  if (typeof v.custom_id !== 'string') return 'corrupt';
  if (done.has(v.custom_id)) return 'duplicate';
  done.add(v.custom_id);
  return 'keep';
}

function lines(path: string) {
  return createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
}

/**
 * Reads an existing output for resuming (see the module comment), rewriting it (through a
 * temporary file and a rename) only when some line must go. A missing file is an empty one.
 */
export async function prepareOutput(path: string): Promise<ResumeState> {
  const state: ResumeState = { done: new Set(), droppedFailed: 0, droppedPartial: false, droppedCorrupt: 0, droppedDuplicate: 0 };
  if (!existsSync(path)) return state;
  state.droppedPartial = truncatePartialLine(path);
  let dropped = 0;
  for await (const text of lines(path)) {
    const verdict = judge(text, state.done);
    if (verdict === 'keep') continue;
    dropped++;
    if (verdict === 'failed') state.droppedFailed++;
    else if (verdict === 'corrupt') state.droppedCorrupt++;
    else if (verdict === 'duplicate') state.droppedDuplicate++;
  }
  if (dropped === 0) return state;
  const tmp = `${path}.rewrite-${process.pid}`;
  const out = createWriteStream(tmp);
  try {
    const seen = new Set<string>();
    for await (const text of lines(path)) {
      if (judge(text, seen) !== 'keep') continue;
      if (!out.write(`${text}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    renameSync(tmp, path);
  } catch (err) {
    out.destroy();
    rmSync(tmp, { force: true });
    throw err;
  }
  return state;
}

/** Appends output lines, one synchronous write each; refuses to write a custom_id twice. */
export class OutputWriter {
  #fd: number;
  #written = new Set<string>();

  constructor(path: string, alreadyDone: ReadonlySet<string>) {
    this.#fd = openSync(path, 'a');
    for (const id of alreadyDone) this.#written.add(id);
  }

  write(line: OutputLine): void {
    if (line.custom_id !== null) {
      if (this.#written.has(line.custom_id)) throw new Error(`internal error: custom_id ${line.custom_id} written twice`);
      this.#written.add(line.custom_id);
    }
    const buf = Buffer.from(`${JSON.stringify(line)}\n`);
    let offset = 0;
    while (offset < buf.length) offset += writeSync(this.#fd, buf, offset);
  }

  close(): void {
    try {
      fsyncSync(this.#fd);
    } finally {
      closeSync(this.#fd);
    }
  }
}

/**
 * A lock file next to the output (`<output>.lock`, holding the pid) so two runs cannot append
 * to the same output at once. A lock whose process is gone (killed) is taken over.
 */
export function lockOutput(path: string): () => void {
  const lock = `${path}.lock`;
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = readPid(lock);
      if (pid !== undefined && pid !== process.pid && isAlive(pid)) {
        throw new LockedError(`${path} is being written by another sluice batch (pid ${pid}); remove ${lock} if that is not so`);
      }
      rmSync(lock, { force: true });
    }
  }
  throw new LockedError(`cannot lock ${path} (${lock})`);
}

export class LockedError extends Error {}

function readPid(lock: string): number | undefined {
  try {
    const fd = openSync(lock, 'r');
    try {
      const buf = Buffer.alloc(32);
      const n = readSync(fd, buf, 0, 32, 0);
      const pid = Number(buf.subarray(0, n).toString().trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A fresh output line id, like OpenAI's `batch_req_...`. */
export function newLineId(): string {
  return `batch_req_${randomBytes(16).toString('hex')}`;
}
