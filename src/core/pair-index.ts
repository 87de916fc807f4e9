/**
 * (a, b) pairs of unsigned 32-bit integers → dense ids in insertion order: the aggregator's
 * counters are keyed by (site-day, key id), visitors by (site-day, client). Open addressing over
 * typed arrays: no object, string or boxed number per entry, and `clear()` reuses the memory.
 */
import { mixPair, pow2AtLeast } from './bytes.js';

export class PairIndex {
  #a: Uint32Array;
  #b: Uint32Array;
  #slots: Int32Array;
  #mask: number;
  size = 0;

  constructor(expected = 1024) {
    const cap = pow2AtLeast(expected * 2);
    this.#slots = new Int32Array(cap);
    this.#mask = cap - 1;
    this.#a = new Uint32Array(expected);
    this.#b = new Uint32Array(expected);
  }

  /** The id of (a, b), or -1. */
  get(a: number, b: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    let p = mixPair(a, b) & mask;
    for (;;) {
      const s = slots[p]!;
      if (s === 0) return -1;
      const id = s - 1;
      if (this.#a[id] === a && this.#b[id] === b) return id;
      p = (p + 1) & mask;
    }
  }

  /** The id of (a, b), adding the pair when new (then the id is the previous `size`). */
  add(a: number, b: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    let p = mixPair(a, b) & mask;
    for (;;) {
      const s = slots[p]!;
      if (s === 0) break;
      const id = s - 1;
      if (this.#a[id] === a && this.#b[id] === b) return id;
      p = (p + 1) & mask;
    }
    const id = this.size++;
    if (id >= this.#a.length) {
      const a2 = new Uint32Array(this.#a.length * 2);
      a2.set(this.#a);
      const b2 = new Uint32Array(this.#b.length * 2);
      b2.set(this.#b);
      this.#a = a2;
      this.#b = b2;
    }
    this.#a[id] = a;
    this.#b[id] = b;
    slots[p] = id + 1;
    if (this.size * 2 > slots.length) this.#rehash();
    return id;
  }

  keyA(id: number): number {
    return this.#a[id]!;
  }

  keyB(id: number): number {
    return this.#b[id]!;
  }

  get memoryBytes(): number {
    return this.#a.length * 8 + this.#slots.length * 4;
  }

  clear(): void {
    if (this.size === 0) return;
    this.#slots.fill(0);
    this.size = 0;
  }

  #rehash(): void {
    const cap = this.#slots.length * 2;
    const slots = new Int32Array(cap);
    const mask = cap - 1;
    for (let id = 0; id < this.size; id++) {
      let p = mixPair(this.#a[id]!, this.#b[id]!) & mask;
      while (slots[p] !== 0) p = (p + 1) & mask;
      slots[p] = id + 1;
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}

/** A growable column of numbers indexed by id (counters beside a PairIndex). */
export class F64Column {
  data: Float64Array;
  constructor(expected = 1024) {
    this.data = new Float64Array(expected);
  }
  /** Make `id` addressable (ids arrive densely, in order), zeroed. */
  ensure(id: number): void {
    if (id < this.data.length) return;
    let cap = this.data.length * 2;
    while (cap <= id) cap *= 2;
    const d = new Float64Array(cap);
    d.set(this.data);
    this.data = d;
  }
}

/** A growable column of unsigned 32-bit integers indexed by id. */
export class U32Column {
  data: Uint32Array;
  constructor(expected = 1024) {
    this.data = new Uint32Array(expected);
  }
  ensure(id: number): void {
    if (id < this.data.length) return;
    let cap = this.data.length * 2;
    while (cap <= id) cap *= 2;
    const d = new Uint32Array(cap);
    d.set(this.data);
    this.data = d;
  }
}
