import type { CachedAnswer } from './types.ts';

/** Bytes counted per entry besides its body, key, content type and model (map and object overhead). */
export const ENTRY_OVERHEAD_BYTES = 64;

/** What an entry costs against `maxBytes`: body + key + content type + model (UTF-8) + overhead. */
export function entrySize(key: string, answer: CachedAnswer): number {
  return answer.body.byteLength + Buffer.byteLength(key) + Buffer.byteLength(answer.contentType) + Buffer.byteLength(answer.model) + ENTRY_OVERHEAD_BYTES;
}

interface Entry {
  answer: CachedAnswer;
  expiresAt: number;
  size: number;
}

/**
 * An in-memory LRU bounded by bytes (see {@link entrySize}). Least recently used entries are
 * evicted past `maxBytes`; an entry larger than `maxBytes / 4` is not kept. An expired entry is
 * dropped when it is read, or evicted in its turn.
 */
export class ByteLru {
  readonly #maxBytes: number;
  readonly #map = new Map<string, Entry>();
  #bytes = 0;
  #evictions = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** The fresh entry for `key` (now the most recently used), or undefined. */
  get(key: string, now: number): CachedAnswer | undefined {
    const e = this.#map.get(key);
    if (!e) return undefined;
    this.#remove(key, e);
    if (e.expiresAt <= now) return undefined;
    this.#map.set(key, e);
    this.#bytes += e.size;
    return e.answer;
  }

  /** Stores (replacing any entry for `key`); false when the entry is not kept (too large). */
  set(key: string, answer: CachedAnswer, expiresAt: number): boolean {
    const old = this.#map.get(key);
    if (old) this.#remove(key, old);
    const size = entrySize(key, answer);
    if (size > this.#maxBytes / 4) return false;
    this.#map.set(key, { answer, expiresAt, size });
    this.#bytes += size;
    for (const [k, e] of this.#map) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#remove(k, e);
      this.#evictions++;
    }
    return true;
  }

  /** Bytes held (sum of {@link entrySize}). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Entries held (expired ones included until they are read or evicted). */
  get entries(): number {
    return this.#map.size;
  }

  /** Entries evicted to make room. */
  get evictions(): number {
    return this.#evictions;
  }

  /** Keys from least to most recently used. */
  keys(): string[] {
    return [...this.#map.keys()];
  }

  #remove(key: string, e: Entry): void {
    this.#map.delete(key);
    this.#bytes -= e.size;
  }
}
