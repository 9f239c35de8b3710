import type { EventStore, SluiceEventRow } from '../store/types.ts';
import type { EventLog, EventType, SluiceEvent } from './event-log.ts';

const DAY_MS = 86_400_000;

/** Options of {@link EventArchive}. */
export interface EventArchiveOptions {
  /** Events older than this are deleted (default 30 days). */
  retentionMs?: number;
  /** How often old events are pruned (default hourly; also once at start). */
  pruneEveryMs?: number;
  /** Told about a failed write or prune; the event itself stays in the in-memory log. */
  onError(err: unknown, what: 'insert' | 'prune'): void;
}

/** An event as a store row: ISO time to epoch ms, absent fields to NULL. */
export function toEventRow(e: SluiceEvent): SluiceEventRow {
  return { time: Date.parse(e.time), type: e.type, account: e.account ?? null, model: e.model ?? null, client: e.client ?? null, message: e.message };
}

/** A stored row back in the shape the admin API has always shown: ISO time, NULL fields left out. */
export function fromEventRow(r: SluiceEventRow): SluiceEvent {
  return {
    time: new Date(r.time).toISOString(),
    type: r.type as EventType,
    ...(r.account === null ? {} : { account: r.account }),
    ...(r.model === null ? {} : { model: r.model }),
    ...(r.client === null ? {} : { client: r.client }),
    message: r.message,
  };
}

/**
 * Writes every event of an {@link EventLog} to the durable {@link EventStore}, so that events
 * survive restarts and instances sharing PostgreSQL see each other's; and prunes old ones. A
 * failed write is reported and dropped, never thrown into `emit()`: an event is worth less
 * than the request that caused it.
 */
export class EventArchive {
  readonly #store: EventStore;
  readonly #opts: EventArchiveOptions;
  readonly #unsubscribe: () => void;
  #timer: NodeJS.Timeout | undefined;
  #pruning: Promise<void> = Promise.resolve();

  constructor(log: EventLog, store: EventStore, opts: EventArchiveOptions) {
    this.#store = store;
    this.#opts = opts;
    this.#unsubscribe = log.subscribe((e) => store.insert(toEventRow(e)).catch((err: unknown) => opts.onError(err, 'insert')));
  }

  /** Prunes now, then every `pruneEveryMs` on a timer that does not keep the process alive. */
  start(): void {
    if (this.#timer) return;
    this.#prune();
    this.#timer = setInterval(() => this.#prune(), this.#opts.pruneEveryMs ?? 3_600_000).unref();
  }

  #prune(): void {
    const olderThan = Date.now() - (this.#opts.retentionMs ?? 30 * DAY_MS);
    this.#pruning = this.#store.prune(olderThan).then(
      () => {},
      (err: unknown) => this.#opts.onError(err, 'prune'),
    );
  }

  /** Stops pruning and writing; waits for a running prune. Call `EventLog.flush()` first to let started writes finish. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unsubscribe();
    await this.#pruning;
  }
}
