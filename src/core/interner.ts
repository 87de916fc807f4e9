/**
 * Byte strings → dense integer ids, for the hot path: a log field (a path, a User-Agent, a
 * Referer) is looked up by its bytes in place and becomes an id; the bytes are copied once, into
 * an arena, when a value is first seen. No JS string and no object per value: a value costs its
 * bytes plus 12 bytes of index, and `clear()` makes the table reusable without garbage.
 *
 * Open addressing with linear probing over an Int32Array of id + 1 (0 = free); the 32-bit hash of
 * each value is kept so that a probe compares bytes only when the hashes agree.
 */
import { hashRange, pow2AtLeast, rangesEqual, viewOf } from './bytes.js';

const SEED = 0x5bd1e995;

export class ByteInterner {
  #arena: Uint8Array;
  #arenaView: DataView;
  #used = 0;
  #off: Uint32Array;
  #len: Uint32Array;
  #hash: Uint32Array;
  #slots: Int32Array;
  #mask: number;
  /** Number of distinct values. */
  size = 0;

  constructor(expected = 1024, arenaBytes = 64 * 1024) {
    const cap = pow2AtLeast(expected * 2);
    this.#slots = new Int32Array(cap);
    this.#mask = cap - 1;
    this.#off = new Uint32Array(expected);
    this.#len = new Uint32Array(expected);
    this.#hash = new Uint32Array(expected);
    this.#arena = new Uint8Array(arenaBytes);
    this.#arenaView = viewOf(this.#arena);
  }

  #lastSrc: Uint8Array | null = null;
  #lastView: DataView = new DataView(new ArrayBuffer(0));

  /** A DataView over `src`, reused while callers pass the same buffer (a block of log). */
  #viewOf(src: Uint8Array): DataView {
    if (src !== this.#lastSrc) {
      this.#lastSrc = src;
      this.#lastView = viewOf(src);
    }
    return this.#lastView;
  }

  /** The id of src[start, end), adding it when new. */
  intern(src: Uint8Array, start: number, end: number): number {
    const view = this.#viewOf(src);
    const h = hashRange(view, start, end, SEED);
    const n = end - start;
    const slots = this.#slots;
    const mask = this.#mask;
    let p = h & mask;
    for (;;) {
      const s = slots[p]!;
      if (s === 0) break;
      const id = s - 1;
      if (this.#hash[id] === h && this.#len[id] === n && rangesEqual(this.#arenaView, this.#off[id]!, view, start, n)) return id;
      p = (p + 1) & mask;
    }
    const id = this.size++;
    if (id >= this.#off.length) this.#growIndex();
    if (this.#used + n > this.#arena.length) this.#growArena(n);
    const arena = this.#arena;
    const o = this.#used;
    if (n < 32) for (let i = 0; i < n; i++) arena[o + i] = src[start + i]!;
    else arena.set(src.subarray(start, end), o);
    this.#used = o + n;
    this.#off[id] = o;
    this.#len[id] = n;
    this.#hash[id] = h;
    slots[p] = id + 1;
    if (this.size * 2 > slots.length) this.#rehash();
    return id;
  }

  /** Where internText encodes: one buffer reused, so a lookup allocates nothing (intern copies new values). */
  #textScratch = Buffer.allocUnsafeSlow(256);

  /**
   * Like `intern`, for text (UTF-8 encoded). A batch's drain calls it once per kept entry of
   * some lists (an address per site and day): a Buffer and a DataView per call were over a third
   * of the address list's drain time (5,000 vhosts, profile: 667 → 422 ms).
   */
  internText(text: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (text.length * 3 > this.#textScratch.length) this.#textScratch = Buffer.allocUnsafeSlow(pow2AtLeast(text.length * 3));
    const n = this.#textScratch.write(text, 0, 'utf8');
    return this.intern(this.#textScratch, 0, n);
  }

  /** The id of src[start, end), or -1 when it was never interned. */
  find(src: Uint8Array, start: number, end: number): number {
    const view = this.#viewOf(src);
    const h = hashRange(view, start, end, SEED);
    const n = end - start;
    let p = h & this.#mask;
    for (;;) {
      const s = this.#slots[p]!;
      if (s === 0) return -1;
      const id = s - 1;
      if (this.#hash[id] === h && this.#len[id] === n && rangesEqual(this.#arenaView, this.#off[id]!, view, start, n)) return id;
      p = (p + 1) & this.#mask;
    }
  }

  /** The 32-bit hash the table keeps for id (a stable hash of its bytes). */
  hashOf(id: number): number {
    return this.#hash[id]!;
  }

  /** The arena the ids' bytes live in (valid until the next intern or clear). */
  get arena(): Uint8Array {
    return this.#arena;
  }

  offsetOf(id: number): number {
    return this.#off[id]!;
  }

  lengthOf(id: number): number {
    return this.#len[id]!;
  }

  bytesOf(id: number): Uint8Array {
    const o = this.#off[id]!;
    return this.#arena.subarray(o, o + this.#len[id]!);
  }

  /** Bytes held (arena used + index), for memory budgets. */
  get memoryBytes(): number {
    return this.#used + this.size * 12 + this.#slots.length * 4;
  }

  /** Forget every value; keeps the allocated memory for reuse. */
  clear(): void {
    this.#lastSrc = null;
    if (this.size === 0) return;
    this.#slots.fill(0);
    this.size = 0;
    this.#used = 0;
  }

  #growIndex(): void {
    const cap = this.#off.length * 2;
    const off = new Uint32Array(cap);
    off.set(this.#off);
    const len = new Uint32Array(cap);
    len.set(this.#len);
    const hash = new Uint32Array(cap);
    hash.set(this.#hash);
    this.#off = off;
    this.#len = len;
    this.#hash = hash;
  }

  #growArena(need: number): void {
    let cap = this.#arena.length * 2;
    while (cap < this.#used + need) cap *= 2;
    const a = new Uint8Array(cap);
    a.set(this.#arena.subarray(0, this.#used));
    this.#arena = a;
    this.#arenaView = viewOf(a);
  }

  #rehash(): void {
    const cap = this.#slots.length * 2;
    const slots = new Int32Array(cap);
    const mask = cap - 1;
    for (let id = 0; id < this.size; id++) {
      let p = this.#hash[id]! & mask;
      while (slots[p] !== 0) p = (p + 1) & mask;
      slots[p] = id + 1;
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}
