/** Things operators want to know about, as they happen. */
export type EventType =
  | 'account_disabled'
  | 'account_enabled'
  | 'circuit_opened'
  | 'circuit_closed'
  | 'account_rate_limited'
  | 'account_added'
  | 'account_removed'
  | 'budget_threshold';

export interface SluiceEvent {
  time: string;
  type: EventType;
  account?: string;
  model?: string;
  client?: string;
  message: string;
}

/**
 * A bounded in-memory list of recent events with subscribers (the admin API lists them;
 * later, alerts and the dashboard subscribe). Never holds secrets: messages are ours.
 */
export class EventLog {
  readonly #events: SluiceEvent[] = [];
  readonly #max: number;
  readonly #subscribers = new Set<(e: SluiceEvent) => void>();

  constructor(max = 1000) {
    this.#max = max;
  }

  emit(type: EventType, message: string, fields: { account?: string; model?: string; client?: string } = {}): void {
    const e: SluiceEvent = { time: new Date().toISOString(), type, ...fields, message };
    this.#events.push(e);
    if (this.#events.length > this.#max) this.#events.shift();
    for (const fn of this.#subscribers) fn(e);
  }

  /** Most recent first. */
  list(limit = 100): SluiceEvent[] {
    return this.#events.slice(-limit).reverse();
  }

  subscribe(fn: (e: SluiceEvent) => void): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }
}
