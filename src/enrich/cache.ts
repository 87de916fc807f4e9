import { ownString } from '../core/strings.js';
/**
 * The bounded memo every enricher keeps in front of its slow path. Enrichers are called once per
 * log line but see few distinct inputs (user agents, referrers, client addresses repeat), so a
 * hit must cost one Map lookup and return the value stored on the miss, never a new object.
 *
 * Eviction is FIFO, oldest insertion first: a Map iterates in insertion order, so the oldest key
 * is the first one. FIFO rather than LRU because refreshing recency on a hit would cost a delete
 * and a set per line; FIFO rather than clear-all so a full cache does not make every line a miss
 * at once (that spike is what clear-all does on a log with many one-off values, e.g. scanners).
 */
export class BoundedCache<V> {
  readonly #map = new Map<string, V>();
  readonly #max: number;

  constructor(max: number) {
    // A cache of 0 would evict on every insert; 1 is the smallest that still memoises.
    this.#max = Math.max(1, Math.floor(max));
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  /** The key is copied: a slice would pin the whole chunk of log it was cut from (core/strings.ts). */
  set(key: string, value: V): void {
    if (this.#map.size >= this.#max) {
      const oldest = this.#map.keys().next();
      if (oldest.done !== true) this.#map.delete(oldest.value);
    }
    this.#map.set(ownString(key), value);
  }

  clear(): void {
    this.#map.clear();
  }
}

/** Default bound per enricher: large enough for a busy day of one site, small in memory (~a few MB). */
export const DEFAULT_CACHE_SIZE = 20_000;
