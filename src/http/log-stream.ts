import { writeSync } from 'node:fs';

/** Past this many bytes waiting, the lines are written at once instead of at the end of the turn. */
const MAX_PENDING_BYTES = 64 * 1024;

/**
 * The destination of the JSON log lines (one access-log line per request): pino's default
 * writes each line with its own write(2) to stdout, a system call per request. This one keeps
 * the lines written during one turn of the event loop and writes them with one call when the
 * turn ends (`setImmediate`), or at once past 64 KiB. Writes stay synchronous, like pino's
 * default, so lines keep their order and nothing waits in memory across turns; what is pending
 * is written on `exit` too (a crash loses nothing already logged, a SIGKILL at most one turn).
 */
export class BatchedLineWriter {
  readonly #fd: number;
  #pending: string[] = [];
  #bytes = 0;
  #scheduled = false;
  readonly #flush = (): void => this.flush();

  constructor(fd = 1) {
    this.#fd = fd;
    process.once('exit', this.#flush);
  }

  /** pino calls this with one complete line. */
  write(line: string): boolean {
    this.#pending.push(line);
    this.#bytes += line.length;
    if (this.#bytes >= MAX_PENDING_BYTES) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flush);
    }
    return true;
  }

  /** Writes every pending line now. */
  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const text = this.#pending.length === 1 ? this.#pending[0] : this.#pending.join('');
    this.#pending = [];
    this.#bytes = 0;
    let written = 0;
    try {
      written = writeSync(this.#fd, text); // the usual case: the whole batch in one call, no copy
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
    if (written === Buffer.byteLength(text)) return;
    // A partial write (a full non-blocking pipe): the rest, by bytes, as pino's sync destination does.
    const buf = Buffer.from(text);
    for (let off = written; off < buf.length; ) {
      try {
        off += writeSync(this.#fd, buf, off);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      }
    }
  }
}
