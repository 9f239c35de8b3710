/** Anything queued on behalf of a client, cancellable in place. */
export interface Queued {
  readonly client: string;
  readonly weight: number;
  /** Set once resolved, rejected or cancelled; such items are skipped. */
  done: boolean;
}

class ClientLine<T extends Queued> {
  readonly name: string;
  readonly weight: number;
  deficit = 0;
  entered = false;
  #items: T[] = [];
  #head = 0;

  constructor(name: string, weight: number) {
    this.name = name;
    this.weight = weight;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** The first item not yet done (drops done ones on the way). */
  head(): T | undefined {
    while (this.#head < this.#items.length && this.#items[this.#head].done) this.#head++;
    if (this.#head > 64 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return this.#items[this.#head];
  }
}

/**
 * Deficit round-robin over clients (Shreedhar & Varghese), for one priority level: each
 * client's turn adds its weight to its deficit, and it may start one request per whole unit.
 * A client with a 10,000-request backlog and a client with a trickle alternate by weight, so
 * the burst cannot starve the trickle.
 */
export class FairQueue<T extends Queued> {
  readonly #lines = new Map<string, ClientLine<T>>();
  #ring: ClientLine<T>[] = [];
  #cursor = 0;
  /** Items not done. Maintained by {@link push}, {@link take} and {@link cancelled}. */
  size = 0;

  /** Queues `item` behind its client's earlier items. Returns true when it is its client's first. */
  push(item: T): boolean {
    let line = this.#lines.get(item.client);
    const first = !line || line.head() === undefined;
    if (!line) {
      line = new ClientLine<T>(item.client, item.weight);
      this.#lines.set(item.client, line);
      this.#ring.push(line);
    }
    line.push(item);
    this.size++;
    return first;
  }

  /** An item left the queue from the middle (deadline, abort): it is already marked done. */
  cancelled(): void {
    this.size--;
  }

  /** Number of clients with something queued. */
  get clients(): number {
    return this.#ring.length;
  }

  /** The item whose turn it is, or undefined when empty. Call {@link take} or {@link skip} next. */
  peek(): T | undefined {
    while (this.#ring.length > 0) {
      if (this.#cursor >= this.#ring.length) this.#cursor = 0;
      const line = this.#ring[this.#cursor];
      const item = line.head();
      if (item) {
        if (!line.entered) {
          line.entered = true;
          line.deficit = Math.min(line.deficit + line.weight, Math.max(1, line.weight));
        }
        return item;
      }
      this.#remove(line);
    }
    return undefined;
  }

  /** The peeked item starts: charge its client, move on when its turn is used up. */
  take(item: T): void {
    item.done = true;
    this.size--;
    const line = this.#lines.get(item.client);
    if (!line) return;
    line.deficit -= 1;
    if (!line.head()) this.#remove(line);
    else if (line.deficit < 1) this.skip();
  }

  /** The peeked item cannot start now: give the turn to the next client. */
  skip(): void {
    const line = this.#ring[this.#cursor];
    if (line) line.entered = false;
    this.#cursor = this.#cursor + 1 >= this.#ring.length ? 0 : this.#cursor + 1;
  }

  #remove(line: ClientLine<T>): void {
    const i = this.#ring.indexOf(line);
    this.#ring.splice(i, 1);
    this.#lines.delete(line.name);
    line.deficit = 0;
    line.entered = false;
    if (i < this.#cursor) this.#cursor--;
    if (this.#cursor >= this.#ring.length) this.#cursor = 0;
  }
}
