/**
 * A site-day segment: what one commit (or a compaction) adds to one site and day, as two blobs.
 *
 * `lists`: every top list of the site-day, each as columns sorted by a 64-bit keyed hash of the
 * key text, with the texts beside them:
 *   [u32 version][u32 count]
 *   per list: [u8 id][u8 timed][u16 0][u32 n][u32 textBytes][u32 0]
 *             [hits f64×n][bytes f64×n]([timeSum f64×n][timeMax f64×n])
 *             [hashHi u32×n][hashLo u32×n][textEnd u32×n][text bytes], padded to 8 bytes
 *   (8-byte columns first, then 4-byte ones: one pad per list, so a list of one key costs ~60 bytes)
 *   others: [u32 count] then per list [u8 id][7 pad][hits f64][bytes f64]
 * Keys are merged and summed by hash: a commit needs no lookup of existing keys (no per-key
 * dimension ids, so a commit's cost is its own size whatever the number of sites), and a report
 * sums typed arrays by integer. Two different texts with one 64-bit hash (probability ~N²/2^65
 * for N distinct keys of a site and list: below 1e-5 for ten million) would be counted as one;
 * the hash is keyed per store (store_meta.hash_seed), so nobody can craft such a pair.
 *
 * `visits`: the site-day's visit intervals (aggregate/visit-merge.ts), sorted by (visitor, first),
 * with entry and exit pages as hashes of their `urls` texts:
 *   [u32 n][u32 0][visitor f64×n][first u32×n][last][pages][entryTime][exitTime][entryHi][entryLo][exitHi][exitLo]
 */
import { hashRange, viewOf } from '../../core/bytes.js';

const VERSION = 1;
export const NO_HASH = 0xffffffff;

export interface ListSegment {
  readonly id: number;
  readonly hashHi: Uint32Array;
  readonly hashLo: Uint32Array;
  readonly hits: Float64Array;
  readonly bytes: Float64Array;
  readonly timeSum: Float64Array | null;
  readonly timeMax: Float64Array | null;
  /** Key k's text is text[textEnd[k-1] (0 for k = 0), textEnd[k]). */
  readonly textEnd: Uint32Array;
  readonly text: Uint8Array;
}

export interface DecodedLists {
  readonly lists: Map<number, ListSegment>;
  readonly others: Map<number, { hits: number; bytes: number }>;
}

export interface SegmentVisits {
  readonly n: number;
  readonly visitor: Float64Array;
  readonly first: Uint32Array;
  readonly last: Uint32Array;
  readonly pages: Uint32Array;
  readonly entryTime: Uint32Array;
  readonly exitTime: Uint32Array;
  readonly entryHi: Uint32Array;
  readonly entryLo: Uint32Array;
  readonly exitHi: Uint32Array;
  readonly exitLo: Uint32Array;
}

/** The keyed 64-bit hash of key texts: two 32-bit lanes seeded from the store's seed. */
export class KeyHasher {
  readonly #s1: number;
  readonly #s2: number;
  hi = 0;
  lo = 0;
  constructor(seed: number) {
    this.#s1 = seed >>> 0;
    this.#s2 = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  }
  /** Sets hi/lo to the hash of v[start, end). */
  hash(v: DataView, start: number, end: number): void {
    this.hi = hashRange(v, start, end, this.#s1);
    this.lo = hashRange(v, start, end, this.#s2);
  }
  hashBytes(b: Uint8Array): void {
    this.hash(viewOf(b), 0, b.length);
  }
}

const pad8 = (n: number): number => (n + 7) & ~7;

/** Entries of one list to encode, in any order; `key(i)` gives entry i's text bytes. */
export interface ListInput {
  readonly id: number;
  readonly n: number;
  readonly key: (i: number) => Uint8Array;
  readonly hits: (i: number) => number;
  readonly bytes: (i: number) => number;
  readonly timeSum?: (i: number) => number;
  readonly timeMax?: (i: number) => number;
}

/** Sorts entries by (hashHi, hashLo, text) and lays the list out as a ListSegment. */
export function buildList(input: ListInput, hasher: KeyHasher): ListSegment {
  const n = input.n;
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  const keys: Uint8Array[] = new Array<Uint8Array>(n);
  for (let i = 0; i < n; i++) {
    const k = input.key(i);
    keys[i] = k;
    hasher.hashBytes(k);
    hi[i] = hasher.hi;
    lo[i] = hasher.lo;
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => hi[a]! - hi[b]! || lo[a]! - lo[b]! || Buffer.compare(keys[a]!, keys[b]!));
  const timed = input.timeSum !== undefined;
  const out = {
    id: input.id,
    hashHi: new Uint32Array(n),
    hashLo: new Uint32Array(n),
    hits: new Float64Array(n),
    bytes: new Float64Array(n),
    timeSum: timed ? new Float64Array(n) : null,
    timeMax: timed ? new Float64Array(n) : null,
    textEnd: new Uint32Array(n),
    text: new Uint8Array(0),
  };
  let size = 0;
  for (let i = 0; i < n; i++) size += keys[i]!.length;
  const text = new Uint8Array(size);
  let o = 0;
  for (let j = 0; j < n; j++) {
    const i = order[j]!;
    out.hashHi[j] = hi[i]!;
    out.hashLo[j] = lo[i]!;
    out.hits[j] = input.hits(i);
    out.bytes[j] = input.bytes(i);
    if (timed) {
      out.timeSum![j] = input.timeSum!(i);
      out.timeMax![j] = input.timeMax!(i);
    }
    text.set(keys[i]!, o);
    o += keys[i]!.length;
    out.textEnd[j] = o;
  }
  return { ...out, text };
}

export function keyOf(l: ListSegment, k: number): Uint8Array {
  return l.text.subarray(k === 0 ? 0 : l.textEnd[k - 1]!, l.textEnd[k]!);
}

export interface ListShape {
  readonly id: number;
  readonly n: number;
  readonly textBytes: number;
  readonly timed: boolean;
}

/**
 * A list that writes itself into the columns it is given (list-sum.ts `summed`: the sum of
 * several pieces' lists), so that a compaction writes the sums straight into the new blob.
 */
export interface ListFill extends ListShape {
  fill(into: ListSegment): void;
}

/** A list to store: a segment as it is, or one that fills itself. */
export type ListSource = ListSegment | ListFill;

/** A list of the given shape, its columns zeroed. */
export function emptyList(sh: ListShape): ListSegment {
  const n = sh.n;
  return {
    id: sh.id,
    hashHi: new Uint32Array(n),
    hashLo: new Uint32Array(n),
    hits: new Float64Array(n),
    bytes: new Float64Array(n),
    timeSum: sh.timed ? new Float64Array(n) : null,
    timeMax: sh.timed ? new Float64Array(n) : null,
    textEnd: new Uint32Array(n),
    text: new Uint8Array(sh.textBytes),
  };
}

const isFill = (src: ListSource): src is ListFill => 'fill' in src;

function shapeOf(src: ListSource): ListShape {
  if (isFill(src)) return src;
  return { id: src.id, n: src.hashHi.length, textBytes: src.text.length, timed: src.timeSum !== null };
}

function listBytes(l: ListShape): number {
  return 16 + pad8(l.n * (l.timed ? 32 : 16) + l.n * 12 + l.textBytes);
}

/**
 * Lays the lists out as one blob; a ListFill writes itself straight into it, so a compaction
 * holds its pieces and the blob, not a merged copy of every list besides.
 */
export function encodeLists(lists: readonly ListSource[], others: ReadonlyMap<number, { hits: number; bytes: number }>): Buffer {
  const shapes = lists.map(shapeOf);
  let size = 8;
  for (const l of shapes) size += listBytes(l);
  size += 8 + others.size * 24;
  // allocUnsafeSlow: its memory starts at offset 0, so the typed views below are aligned.
  const buf = Buffer.allocUnsafeSlow(size);
  buf.fill(0);
  const v = viewOf(buf);
  v.setUint32(0, VERSION, true);
  v.setUint32(4, lists.length, true);
  let o = 8;
  for (let li = 0; li < lists.length; li++) {
    const sh = shapes[li]!;
    const n = sh.n;
    v.setUint8(o, sh.id);
    v.setUint8(o + 1, sh.timed ? 1 : 0);
    v.setUint32(o + 4, n, true);
    v.setUint32(o + 8, sh.textBytes, true);
    let at = o + 16;
    const f64 = (): Float64Array => {
      const t = new Float64Array(buf.buffer, at, n);
      at += n * 8;
      return t;
    };
    const u32 = (): Uint32Array => {
      const t = new Uint32Array(buf.buffer, at, n);
      at += n * 4;
      return t;
    };
    const hits = f64();
    const bytes = f64();
    const timeSum = sh.timed ? f64() : null;
    const timeMax = sh.timed ? f64() : null;
    const into: ListSegment = { id: sh.id, hits, bytes, timeSum, timeMax, hashHi: u32(), hashLo: u32(), textEnd: u32(), text: new Uint8Array(buf.buffer, at, sh.textBytes) };
    const src = lists[li]!;
    if (isFill(src)) src.fill(into);
    else copyList(src, into);
    o += listBytes(sh);
  }
  v.setUint32(o, others.size, true);
  o += 8;
  for (const [id, c] of others) {
    v.setUint8(o, id);
    v.setFloat64(o + 8, c.hits, true);
    v.setFloat64(o + 16, c.bytes, true);
    o += 24;
  }
  return buf;
}

/** A list copied out of its blob, so that the blob can be dropped. */
export function listCopy(l: ListSegment): ListSegment {
  const c = emptyList(shapeOf(l));
  copyList(l, c);
  return c;
}

function copyList(l: ListSegment, into: ListSegment): void {
  into.hits.set(l.hits);
  into.bytes.set(l.bytes);
  if (l.timeSum !== null) {
    into.timeSum!.set(l.timeSum);
    into.timeMax!.set(l.timeMax!);
  }
  into.hashHi.set(l.hashHi);
  into.hashLo.set(l.hashLo);
  into.textEnd.set(l.textEnd);
  into.text.set(l.text);
}

export function decodeLists(blob: Uint8Array): DecodedLists {
  // Typed views need 8-byte alignment: better-sqlite3's blobs have it; anything else is copied.
  const b = blob.byteOffset % 8 === 0 ? blob : new Uint8Array(blob);
  const v = viewOf(b);
  if (v.getUint32(0, true) !== VERSION) throw new Error(`list segment version ${v.getUint32(0, true)} is unknown`);
  const count = v.getUint32(4, true);
  let o = 8;
  const base = b.byteOffset;
  const lists = new Map<number, ListSegment>();
  for (let c = 0; c < count; c++) {
    const start = o;
    const id = v.getUint8(o);
    const timed = v.getUint8(o + 1) === 1;
    const n = v.getUint32(o + 4, true);
    const textBytes = v.getUint32(o + 8, true);
    o += 16;
    const f64 = (): Float64Array => {
      const t = new Float64Array(b.buffer, base + o, n);
      o += n * 8;
      return t;
    };
    const u32 = (): Uint32Array => {
      const t = new Uint32Array(b.buffer, base + o, n);
      o += n * 4;
      return t;
    };
    const hits = f64();
    const bytes = f64();
    const timeSum = timed ? f64() : null;
    const timeMax = timed ? f64() : null;
    const hashHi = u32();
    const hashLo = u32();
    const textEnd = u32();
    const text = new Uint8Array(b.buffer, base + o, textBytes);
    const l: ListSegment = { id, hashHi, hashLo, hits, bytes, timeSum, timeMax, textEnd, text };
    lists.set(id, l);
    o = start + listBytes({ id, n, textBytes, timed });
  }
  const others = new Map<number, { hits: number; bytes: number }>();
  const no = v.getUint32(o, true);
  o += 8;
  for (let i = 0; i < no; i++) {
    others.set(v.getUint8(o), { hits: v.getFloat64(o + 8, true), bytes: v.getFloat64(o + 16, true) });
    o += 24;
  }
  return { lists, others };
}

/** 32-bit columns of a visits blob after the 64-bit visitor ids (first … exitLo). */
const VISIT_U32_COLUMNS = 9;

/**
 * A zeroed buffer for the visits blob of n intervals. Zeroed: padding is never written, and
 * uninitialised memory may hold bytes of raw log lines, which must not reach the store. (Before
 * 2026-12-03 the blob had room for a tenth column that nothing wrote.)
 */
export function visitsBlob(n: number): Buffer {
  // Buffer.alloc: zeroed, and never a slice of the pool, so typed views over it are aligned.
  return Buffer.alloc(8 + pad8(n * 8) + pad8(n * 4) * VISIT_U32_COLUMNS);
}

export function encodeVisits(s: SegmentVisits): Buffer {
  const n = s.n;
  const buf = visitsBlob(n);
  const v = viewOf(buf);
  v.setUint32(0, n, true);
  v.setUint32(4, 0, true);
  let o = 8;
  const put = (src: ArrayBufferView, bytes: number): void => {
    buf.set(new Uint8Array(src.buffer, src.byteOffset, bytes), o);
    o += pad8(bytes);
  };
  put(s.visitor, n * 8);
  for (const a of [s.first, s.last, s.pages, s.entryTime, s.exitTime, s.entryHi, s.entryLo, s.exitHi, s.exitLo]) put(a, n * 4);
  return buf;
}

/**
 * A zeroed visits blob with room for `capacity` intervals, and its columns: a merge writes its
 * output straight into them (`fitVisitsBlob` then lays them out for the count it ended with).
 */
export function visitsBlobFor(capacity: number): { blob: Buffer; columns: SegmentVisits } {
  const blob = visitsBlob(capacity);
  viewOf(blob).setUint32(0, capacity, true);
  return { blob, columns: decodeVisits(blob) };
}

/**
 * A blob of `visitsBlobFor` (its header still says its capacity) holding its first n intervals,
 * laid out as a blob of n: each column moved down to where a blob of n has it (lower offsets, in
 * column order, so no column is overwritten before it moves), the padding zeroed, and the rest
 * cut off (a view).
 */
export function fitVisitsBlob(blob: Buffer, n: number): Buffer {
  const v = viewOf(blob);
  const capacity = v.getUint32(0, true);
  v.setUint32(0, n, true);
  if (n === capacity) return blob;
  let from = 8 + pad8(capacity * 8);
  let to = 8 + pad8(n * 8);
  for (let c = 0; c < VISIT_U32_COLUMNS; c++) {
    blob.copyWithin(to, from, from + n * 4);
    blob.fill(0, to + n * 4, to + pad8(n * 4));
    from += pad8(capacity * 4);
    to += pad8(n * 4);
  }
  return blob.subarray(0, to);
}

export function decodeVisits(blob: Uint8Array): SegmentVisits {
  const b = blob.byteOffset % 8 === 0 ? blob : new Uint8Array(blob);
  const n = viewOf(b).getUint32(0, true);
  let o = 8;
  const u32 = (): Uint32Array => {
    const t = new Uint32Array(b.buffer, b.byteOffset + o, n);
    o += pad8(n * 4);
    return t;
  };
  const visitor = new Float64Array(b.buffer, b.byteOffset + o, n);
  o += pad8(n * 8);
  return { n, visitor, first: u32(), last: u32(), pages: u32(), entryTime: u32(), exitTime: u32(), entryHi: u32(), entryLo: u32(), exitHi: u32(), exitLo: u32() };
}
