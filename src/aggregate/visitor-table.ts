/**
 * A batch's visitors of one day while it is aggregated: open addressing on typed arrays.
 *
 * Why not a Map<number, {first, last}>: every visitor cost a Map entry, a heap number for its
 * 52-bit id and a span object (~80 bytes, and garbage for the GC); here it costs 16 bytes in
 * three typed arrays, and a hit is one probe (ids are keyed hashes, so their low bits are already
 * uniform).
 */
import type { VisitorSet } from './delta.js';

const EMPTY = -1;

export class VisitorTable {
  #ids: Float64Array;
  #first: Uint32Array;
  #last: Uint32Array;
  #mask: number;
  size = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.#ids = new Float64Array(cap).fill(EMPTY);
    this.#first = new Uint32Array(cap);
    this.#last = new Uint32Array(cap);
    this.#mask = cap - 1;
  }

  /**
   * Counts a hit of visitor `id` (≥ 0) at unix second `t`. Returns 1 when the hit opens a visit
   * (a new visitor, or more than `timeoutSec` after the visitor's latest hit so far), else 0.
   */
  hit(id: number, t: number, timeoutSec: number): 0 | 1 {
    const ids = this.#ids;
    let p = (id >>> 0) & this.#mask;
    for (;;) {
      const k = ids[p]!;
      if (k === id) {
        const last = this.#last[p]!;
        if (t > last) this.#last[p] = t;
        if (t < this.#first[p]!) this.#first[p] = t;
        return t - last > timeoutSec ? 1 : 0;
      }
      if (k === EMPTY) {
        ids[p] = id;
        this.#first[p] = t;
        this.#last[p] = t;
        if (++this.size * 2 > ids.length) this.#grow();
        return 1;
      }
      p = (p + 1) & this.#mask;
    }
  }

  #grow(): void {
    const ids = this.#ids;
    const first = this.#first;
    const last = this.#last;
    const cap = ids.length * 2;
    this.#ids = new Float64Array(cap).fill(EMPTY);
    this.#first = new Uint32Array(cap);
    this.#last = new Uint32Array(cap);
    this.#mask = cap - 1;
    for (let q = 0; q < ids.length; q++) {
      const id = ids[q]!;
      if (id === EMPTY) continue;
      let p = (id >>> 0) & this.#mask;
      while (this.#ids[p] !== EMPTY) p = (p + 1) & this.#mask;
      this.#ids[p] = id;
      this.#first[p] = first[q]!;
      this.#last[p] = last[q]!;
    }
  }

  /** The visitors sorted by id (what a Store merges). */
  toSet(): VisitorSet {
    const n = this.size;
    const order = new Float64Array(n);
    const slot = new Map<number, number>();
    let o = 0;
    for (let p = 0; p < this.#ids.length; p++) {
      const id = this.#ids[p]!;
      if (id === EMPTY) continue;
      order[o++] = id;
      slot.set(id, p);
    }
    order.sort();
    const first = new Uint32Array(n);
    const last = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const p = slot.get(order[i]!)!;
      first[i] = this.#first[p]!;
      last[i] = this.#last[p]!;
    }
    return { ids: order, first, last };
  }
}
