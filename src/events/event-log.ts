/** Things operators want to know about, as they happen. */
export const EVENT_TYPES = [
  'account_disabled',
  'account_enabled',
  'circuit_opened',
  'circuit_closed',
  'account_rate_limited',
  'account_added',
  'account_removed',
  'budget_threshold',
  'cluster_degraded',
  'cluster_recovered',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface SluiceEvent {
  time: string;
  type: EventType;
  account?: string;
  model?: string;
  client?: string;
  message: string;
}

/**
 * Told about every event. May return a promise (a store write): {@link EventLog.flush} waits
 * for it. A subscriber handles its own failures; one that throws or rejects anyway is ignored,
 * so that emitting (from the pool's hot path) never fails because of a listener.
 */
export type EventSubscriber = (e: SluiceEvent) => unknown;

/**
 * A bounded in-memory list of recent events with subscribers (the durable event store, webhook
 * alerts and the dashboard subscribe). Never holds secrets: messages are ours.
 */
export class EventLog {
  readonly #events: SluiceEvent[] = [];
  readonly #max: number;
  readonly #subscribers = new Set<EventSubscriber>();
  readonly #pending = new Set<Promise<unknown>>();

  constructor(max = 1000) {
    this.#max = max;
  }

  emit(type: EventType, message: string, fields: { account?: string; model?: string; client?: string } = {}): void {
    const e: SluiceEvent = { time: new Date().toISOString(), type, ...fields, message };
    this.#events.push(e);
    if (this.#events.length > this.#max) this.#events.shift();
    for (const fn of this.#subscribers) this.#notify(fn, e);
  }

  #notify(fn: EventSubscriber, e: SluiceEvent): void {
    try {
      const result = fn(e);
      if (!(result instanceof Promise)) return;
      const settled = result.then(
        () => {},
        () => {},
      );
      this.#pending.add(settled);
      void settled.then(() => this.#pending.delete(settled));
    } catch {
      // See EventSubscriber: a listener's failure is its own.
    }
  }

  /** Resolves once every subscriber promise started so far has settled (read-your-writes for the admin API). */
  async flush(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  /** Most recent first, from this process's memory only (the store holds every instance's). */
  list(limit = 100): SluiceEvent[] {
    return this.#events.slice(-limit).reverse();
  }

  subscribe(fn: EventSubscriber): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }
}
