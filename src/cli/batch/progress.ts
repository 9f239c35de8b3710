/**
 * Progress on stderr: a bar (cli-progress) when stderr is a terminal, else a plain line every
 * few seconds, so logs of CI jobs and `nohup` runs stay readable.
 */
import cliProgress from 'cli-progress';
import { type BatchStats, progressFigures, progressLine } from './stats.ts';

export interface Progress {
  /** Redraws with the current stats. */
  update(): void;
  /** Prints a message above the bar (or as a line). */
  log(message: string): void;
  stop(): void;
}

const FORMAT = '{bar} {value}/{total} | ok {ok} | failed {failed} | {reqPerMin} req/min | {imgPerMin} img/min | ETA {etaText}';

export function createProgress(stats: BatchStats, opts: { stream: NodeJS.WriteStream; intervalMs: number }): Progress {
  const { stream } = opts;
  if (!stream.isTTY) {
    const timer = setInterval(() => stream.write(`${progressLine(progressFigures(stats))}\n`), opts.intervalMs);
    timer.unref();
    return {
      update() {},
      log: (message) => stream.write(message.endsWith('\n') ? message : `${message}\n`),
      stop: () => clearInterval(timer),
    };
  }
  const multi = new cliProgress.MultiBar(
    { stream, format: FORMAT, barsize: 24, hideCursor: true, gracefulExit: false, clearOnComplete: false, fps: 8, linewrap: false, emptyOnZero: true, forceRedraw: true },
    cliProgress.Presets.shades_classic,
  );
  const payload = () => {
    const f = progressFigures(stats);
    return { ok: f.ok, failed: f.failed, reqPerMin: f.reqPerMin, imgPerMin: f.imgPerMin, etaText: f.eta };
  };
  const bar = multi.create(stats.total, stats.done, payload());
  // Rates and ETA move even when nothing finishes.
  const timer = setInterval(() => bar.update(stats.done, payload()), 1000);
  timer.unref();
  return {
    update: () => bar.update(stats.done, payload()),
    log(message) {
      multi.log(message.endsWith('\n') ? message : `${message}\n`);
      multi.update(); // draw now: the buffer is otherwise flushed on the next frame only
    },
    stop() {
      clearInterval(timer);
      bar.update(stats.done, payload());
      multi.update();
      multi.stop();
    },
  };
}
