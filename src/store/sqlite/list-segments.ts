/**
 * A day's counts of one top list, stored as a blob: columns sorted by dimension id.
 *
 * Why blobs instead of one row per key: a busy site has ~300k addresses a day. As rows, a batch
 * commit was one upsert per key (the slowest part of ingest) and a 30-day report summed millions
 * of rows in SQL (0.5 s for the address list alone). As sorted columns, a commit is a linear merge
 * and a report sums typed arrays (IdSums below): tens of milliseconds.
 *
 * Layout, n entries: [hits: float64 × n][bytes: float64 × n][ids: uint32 × n], 20 bytes an entry.
 * Float64 counts stay exact to 2^53 (bytes of one key can pass 2^32 in a day).
 *
 * A (site, list, day) may hold several segments: small batches (tail -F, HTTP ingest) append a
 * small segment instead of rewriting the day, and segments of similar size are merged (see
 * `mergeFrom`), so each entry is rewritten O(log n) times and a day holds O(log n) segments.
 */

const ENTRY = 20;

export interface Segment {
  readonly ids: Uint32Array;
  readonly hits: Float64Array;
  readonly bytes: Float64Array;
}

export function encodeSegment(s: Segment): Buffer {
  const n = s.ids.length;
  // Not allocUnsafe: that may hand out a slice of its pool at any offset, and typed views need
  // alignment. allocUnsafeSlow owns its memory from offset 0.
  const buf = Buffer.allocUnsafeSlow(n * ENTRY);
  new Float64Array(buf.buffer, buf.byteOffset, n).set(s.hits);
  new Float64Array(buf.buffer, buf.byteOffset + n * 8, n).set(s.bytes);
  new Uint32Array(buf.buffer, buf.byteOffset + n * 16, n).set(s.ids);
  return buf;
}

export function decodeSegment(blob: Uint8Array): Segment {
  const n = blob.byteLength / ENTRY;
  if (!Number.isInteger(n)) throw new Error(`list segment of ${blob.byteLength} bytes is not a whole number of entries`);
  // Typed views need 8-byte alignment; better-sqlite3's blobs have it (checked on 10M lines), any
  // other buffer is copied.
  const own = blob.byteOffset % 8 === 0 ? blob : new Uint8Array(blob);
  return {
    hits: new Float64Array(own.buffer, own.byteOffset, n),
    bytes: new Float64Array(own.buffer, own.byteOffset + n * 8, n),
    ids: new Uint32Array(own.buffer, own.byteOffset + n * 16, n),
  };
}

/** A segment from (id, hits, bytes) triples in any order; ids must be distinct. */
export function segmentOf(ids: Uint32Array, hits: Float64Array, bytes: Float64Array): Segment {
  const n = ids.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => ids[a]! - ids[b]!);
  const s = { ids: new Uint32Array(n), hits: new Float64Array(n), bytes: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const k = order[i]!;
    s.ids[i] = ids[k]!;
    s.hits[i] = hits[k]!;
    s.bytes[i] = bytes[k]!;
  }
  return s;
}

/** The sum of two segments (a linear merge: both are sorted by id). */
export function mergeSegments(a: Segment, b: Segment): Segment {
  const na = a.ids.length;
  const nb = b.ids.length;
  const ids = new Uint32Array(na + nb);
  const hits = new Float64Array(na + nb);
  const bytes = new Float64Array(na + nb);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < na && j < nb) {
    const x = a.ids[i]!;
    const y = b.ids[j]!;
    if (x < y) {
      ids[o] = x;
      hits[o] = a.hits[i]!;
      bytes[o++] = a.bytes[i++]!;
    } else if (y < x) {
      ids[o] = y;
      hits[o] = b.hits[j]!;
      bytes[o++] = b.bytes[j++]!;
    } else {
      ids[o] = x;
      hits[o] = a.hits[i]! + b.hits[j]!;
      bytes[o++] = a.bytes[i++]! + b.bytes[j++]!;
    }
  }
  for (; i < na; i++, o++) {
    ids[o] = a.ids[i]!;
    hits[o] = a.hits[i]!;
    bytes[o] = a.bytes[i]!;
  }
  for (; j < nb; j++, o++) {
    ids[o] = b.ids[j]!;
    hits[o] = b.hits[j]!;
    bytes[o] = b.bytes[j]!;
  }
  return { ids: ids.subarray(0, o), hits: hits.subarray(0, o), bytes: bytes.subarray(0, o) };
}

/**
 * Which stored segments a new one of `size` entries absorbs: walking back from the newest, every
 * segment no larger than twice the merged size so far (a binary-counter rule, like an LSM tier).
 * Returns the index of the first absorbed segment (stored.length = none).
 */
export function mergeFrom(stored: readonly number[], size: number): number {
  let merged = size;
  let i = stored.length;
  while (i > 0 && stored[i - 1]! <= 2 * merged) {
    merged += stored[i - 1]!;
    i--;
  }
  return i;
}

const EMPTY: Segment = { ids: new Uint32Array(0), hits: new Float64Array(0), bytes: new Float64Array(0) };

/** Sums per dimension id over many segments, and what a report needs of the sums. */
export interface IdSums {
  add(s: Segment): void;
  /** Distinct ids added. */
  readonly size: number;
  /** Calls `visit` for every id with its sums, in no particular order. */
  scan(visit: (id: number, hits: number, bytes: number) => void): void;
}

/** Every id with its sums, in no particular order. */
export function allOf(sums: IdSums): Segment {
  return collect(sums, sums.size, -Infinity);
}

/** The entries with at least `floor` hits (`n` of them). */
function collect(sums: IdSums, n: number, floor: number): Segment {
  const out = { ids: new Uint32Array(n), hits: new Float64Array(n), bytes: new Float64Array(n) };
  let o = 0;
  sums.scan((id, hits, bytes) => {
    if (hits < floor) return;
    out.ids[o] = id;
    out.hits[o] = hits;
    out.bytes[o++] = bytes;
  });
  return out;
}

/** Below this, the top-k floor comes from one pass with a small sorted buffer instead of quickselect. */
const SMALL_TOP = 64;

/**
 * The entries that can be among the `limit` largest by hits: every entry with at least the
 * limit-th largest hit count, ties included (the caller orders ties by key text, which it has
 * to look up). limit < 0: all entries. Nothing but the candidates is materialised: a report
 * wants 10 rows of 500k addresses.
 */
export function topCandidates(sums: IdSums, limit: number): Segment {
  const n = sums.size;
  if (limit < 0 || limit >= n) return allOf(sums);
  if (limit === 0) return EMPTY;
  let floor: number;
  if (limit <= SMALL_TOP) {
    // The `limit` largest so far, ascending: most entries are below best[0] and cost one compare.
    const best = new Float64Array(limit).fill(-Infinity);
    sums.scan((_id, hits) => {
      if (hits <= best[0]!) return;
      let i = 1;
      while (i < limit && best[i]! < hits) {
        best[i - 1] = best[i]!;
        i++;
      }
      best[i - 1] = hits;
    });
    floor = best[0]!;
  } else {
    const all = new Float64Array(n);
    let o = 0;
    sums.scan((_id, hits) => {
      all[o++] = hits;
    });
    floor = kthLargest(all, limit);
  }
  let k = 0;
  sums.scan((_id, hits) => {
    if (hits >= floor) k++;
  });
  return collect(sums, k, floor);
}

/** Above this many ids in range a dense table costs too much memory (16 bytes an id). */
const DENSE_MAX_RANGE = 1 << 23;

/**
 * The table for ids in [lo, hi] when about `entries` are coming. Ids of one list are usually
 * dense (they are handed out in batches), and segments are sorted by id, so a dense array is
 * written front to back, which the CPU prefetches: ~10 ns an entry, where a hash table costs
 * ~90 ns (a cache miss per entry once it outgrows the cache; measured on 2M entries).
 */
export function idSums(lo: number, hi: number, entries: number): IdSums {
  const range = hi - lo + 1;
  if (range > 0 && range <= DENSE_MAX_RANGE && range <= 8 * entries) return new DenseSums(lo, range);
  return new HashSums(entries);
}

class DenseSums implements IdSums {
  /** [hits, bytes] per id - lo. Every stored entry has hits ≥ 1, so 0 hits means absent. */
  readonly #v: Float64Array;
  size = 0;

  constructor(
    readonly lo: number,
    range: number,
  ) {
    this.#v = new Float64Array(range * 2);
  }

  add(s: Segment): void {
    const v = this.#v;
    const lo = this.lo;
    for (let i = 0; i < s.ids.length; i++) {
      const j = (s.ids[i]! - lo) * 2;
      if (v[j] === 0) this.size++;
      v[j]! += s.hits[i]!;
      v[j + 1]! += s.bytes[i]!;
    }
  }

  scan(visit: (id: number, hits: number, bytes: number) => void): void {
    const v = this.#v;
    for (let j = 0; j < v.length; j += 2) if (v[j] !== 0) visit(this.lo + j / 2, v[j]!, v[j + 1]!);
  }
}

/** Open addressing on typed arrays, for ids too sparse for DenseSums. */
class HashSums implements IdSums {
  #keys: Uint32Array;
  /** [hits, bytes] per slot. */
  #v: Float64Array;
  #mask: number;
  size = 0;

  constructor(expected: number) {
    let cap = 16;
    while (cap < Math.min(expected, 1 << 22) * 2) cap *= 2;
    this.#keys = new Uint32Array(cap);
    this.#v = new Float64Array(cap * 2);
    this.#mask = cap - 1;
  }

  add(s: Segment): void {
    for (let i = 0; i < s.ids.length; i++) {
      if (this.size * 2 >= this.#keys.length) this.#grow();
      this.#put(s.ids[i]!, s.hits[i]!, s.bytes[i]!);
    }
  }

  #put(id: number, hits: number, bytes: number): void {
    const keys = this.#keys;
    const mask = this.#mask;
    // Ids are SQLite rowids from 1: 0 marks an empty slot.
    let p = Math.imul(id, 0x9e3779b1) & mask;
    for (;;) {
      const k = keys[p]!;
      if (k === id) break;
      if (k === 0) {
        keys[p] = id;
        this.size++;
        break;
      }
      p = (p + 1) & mask;
    }
    this.#v[p * 2]! += hits;
    this.#v[p * 2 + 1]! += bytes;
  }

  #grow(): void {
    const keys = this.#keys;
    const v = this.#v;
    const cap = keys.length * 2;
    this.#keys = new Uint32Array(cap);
    this.#v = new Float64Array(cap * 2);
    this.#mask = cap - 1;
    this.size = 0;
    for (let p = 0; p < keys.length; p++) if (keys[p] !== 0) this.#put(keys[p]!, v[p * 2]!, v[p * 2 + 1]!);
  }

  scan(visit: (id: number, hits: number, bytes: number) => void): void {
    const keys = this.#keys;
    const v = this.#v;
    for (let p = 0; p < keys.length; p++) if (keys[p] !== 0) visit(keys[p]!, v[p * 2]!, v[p * 2 + 1]!);
  }
}

/** The k-th largest value (1-based) of `a`, which it reorders (quickselect). */
export function kthLargest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  const want = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else return a[want]!;
  }
  return a[want]!;
}
