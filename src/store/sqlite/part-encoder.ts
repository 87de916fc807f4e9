/**
 * The commit path: a batch part's site-days straight into segment blobs (segment-codec.ts's
 * layout), with no object per list or key. A batch of a shared host's log has tens of thousands
 * of site-days with a handful of keys each; building them as ListSegment objects first cost more
 * than the rest of the commit (measured: ~200 typed arrays per site-day, 6 % of the time in GC).
 *
 * Per part, each key's hash is computed once (the same path appears in many site-days); per list
 * and site-day the entries are ordered by hash in one reused permutation array.
 */
import { NO_KEY, TOTAL_FIELDS, type BatchPart, type ListColumns } from '../../aggregate/index.js';
import { viewOf } from '../../core/bytes.js';
import { LIST_IDS } from '../../core/lists.js';
import { NO_HASH, visitsBlob, type KeyHasher } from './segment-codec.js';
import type { VisitSummaryCounts } from './day-segment.js';

const VERSION = 1;
const URLS = LIST_IDS.urls;
const ENTRY = LIST_IDS.entryPages;
const EXIT = LIST_IDS.exitPages;
const pad8 = (n: number): number => (n + 7) & ~7;

export interface EncodedSegment {
  readonly totals: Float64Array;
  readonly lists: Buffer;
  readonly vis: Buffer | null;
  readonly summary: VisitSummaryCounts;
}

export class PartEncoder {
  readonly #part: BatchPart;
  readonly #hi: Uint32Array;
  readonly #lo: Uint32Array;
  readonly #timeout: number;
  #perm = new Uint32Array(1024);

  constructor(part: BatchPart, hasher: KeyHasher, timeoutSec: number) {
    this.#part = part;
    this.#timeout = timeoutSec;
    const off = part.keys.offsets;
    const n = Math.max(0, off.length - 1);
    this.#hi = new Uint32Array(n);
    this.#lo = new Uint32Array(n);
    const v = viewOf(part.keys.bytes);
    for (let k = 0; k < n; k++) {
      hasher.hash(v, off[k]!, off[k + 1]!);
      this.#hi[k] = hasher.hi;
      this.#lo[k] = hasher.lo;
    }
  }

  #keyLen(k: number): number {
    return this.#part.keys.offsets[k + 1]! - this.#part.keys.offsets[k]!;
  }

  /** Key-order comparison of two keys: hash, then text (the same order segment-codec's lists keep). */
  #cmp(a: number, b: number): number {
    const d = this.#hi[a]! - this.#hi[b]! || this.#lo[a]! - this.#lo[b]!;
    if (d !== 0 || a === b) return d;
    return byteCompare(this.#part.keys, a, b);
  }

  /** Entries [a, b) of a list ordered by key: a permutation (insertion sort for the usual handful). */
  #order(l: ListColumns, a: number, b: number): Uint32Array {
    const n = b - a;
    if (n > this.#perm.length) this.#perm = new Uint32Array(Math.max(n, this.#perm.length * 2));
    const p = this.#perm;
    for (let i = 0; i < n; i++) p[i] = a + i;
    if (n <= 16) {
      for (let i = 1; i < n; i++) {
        const x = p[i]!;
        let j = i - 1;
        while (j >= 0 && this.#cmp(l.key[p[j]!]!, l.key[x]!) > 0) {
          p[j + 1] = p[j]!;
          j--;
        }
        p[j + 1] = x;
      }
    } else p.subarray(0, n).sort((x, y) => this.#cmp(l.key[x]!, l.key[y]!));
    return p;
  }

  /** The blobs and counts of site-day `sd`. */
  encode(sd: number): EncodedSegment {
    const part = this.#part;
    const visits = this.#visits(sd);
    // Sizes first: one allocation per blob.
    let size = 8;
    let count = 0;
    for (let id = 0; id < part.lists.length; id++) {
      const l = part.lists[id];
      if (!l) continue;
      const n = l.start[sd + 1]! - l.start[sd]!;
      if (n === 0) continue;
      let text = 0;
      for (let i = l.start[sd]!; i < l.start[sd + 1]!; i++) text += this.#keyLen(l.key[i]!);
      size += 16 + pad8(n * (l.timeSum ? 32 : 16) + n * 12 + text);
      count++;
    }
    for (const m of [visits.entries, visits.exits]) {
      if (m.size === 0) continue;
      let text = 0;
      for (const k of m.keys()) text += this.#keyLen(k);
      size += 16 + pad8(m.size * 28 + text);
      count++;
    }
    const others = this.#others(sd);
    size += 8 + others.length * 24;
    const buf = Buffer.allocUnsafeSlow(size);
    buf.fill(0);
    const v = viewOf(buf);
    v.setUint32(0, VERSION, true);
    v.setUint32(4, count, true);
    let o = 8;
    const dict = part.keys;
    const writeList = (id: number, n: number, timed: boolean, keyAt: (j: number) => number, hits: (j: number) => number, bytes: (j: number) => number, tsum?: (j: number) => number, tmax?: (j: number) => number): void => {
      const start = o;
      v.setUint8(o, id);
      v.setUint8(o + 1, timed ? 1 : 0);
      v.setUint32(o + 4, n, true);
      let text = 0;
      for (let j = 0; j < n; j++) text += this.#keyLen(keyAt(j));
      v.setUint32(o + 8, text, true);
      o += 16;
      for (let j = 0; j < n; j++, o += 8) v.setFloat64(o, hits(j), true);
      for (let j = 0; j < n; j++, o += 8) v.setFloat64(o, bytes(j), true);
      if (timed) {
        for (let j = 0; j < n; j++, o += 8) v.setFloat64(o, tsum!(j), true);
        for (let j = 0; j < n; j++, o += 8) v.setFloat64(o, tmax!(j), true);
      }
      for (let j = 0; j < n; j++, o += 4) v.setUint32(o, this.#hi[keyAt(j)]!, true);
      for (let j = 0; j < n; j++, o += 4) v.setUint32(o, this.#lo[keyAt(j)]!, true);
      let end = 0;
      for (let j = 0; j < n; j++, o += 4) {
        end += this.#keyLen(keyAt(j));
        v.setUint32(o, end, true);
      }
      for (let j = 0; j < n; j++) {
        const k = keyAt(j);
        const s = dict.offsets[k]!;
        const e = dict.offsets[k + 1]!;
        for (let i = s; i < e; i++) buf[o++] = dict.bytes[i]!;
      }
      o = start + 16 + pad8(n * (timed ? 32 : 16) + n * 12 + text);
    };
    for (let id = 0; id < part.lists.length; id++) {
      const l = part.lists[id];
      if (!l) continue;
      const a = l.start[sd]!;
      const n = l.start[sd + 1]! - a;
      if (n === 0) continue;
      const p = this.#order(l, a, a + n);
      const timed = l.timeSum !== undefined;
      writeList(
        id,
        n,
        timed,
        (j) => l.key[p[j]!]!,
        (j) => l.hits[p[j]!]!,
        (j) => l.bytes[p[j]!]!,
        timed ? (j) => l.timeSum![p[j]!]! : undefined,
        timed ? (j) => l.timeMax![p[j]!]! : undefined,
      );
    }
    for (const [id, m] of [
      [ENTRY, visits.entries],
      [EXIT, visits.exits],
    ] as const) {
      if (m.size === 0) continue;
      const keys = [...m.keys()].sort((x, y) => this.#cmp(x, y));
      writeList(
        id,
        keys.length,
        false,
        (j) => keys[j]!,
        (j) => m.get(keys[j]!)!,
        () => 0,
      );
    }
    v.setUint32(o, others.length, true);
    o += 8;
    for (const [id, hits, bytes] of others) {
      v.setUint8(o, id);
      v.setFloat64(o + 8, hits, true);
      v.setFloat64(o + 16, bytes, true);
      o += 24;
    }
    return { totals: part.totals.subarray(sd * TOTAL_FIELDS, (sd + 1) * TOTAL_FIELDS), lists: buf, vis: visits.blob, summary: visits.summary };
  }

  #others(sd: number): [number, number, number][] {
    const o = this.#part.others;
    const out = new Map<number, [number, number, number]>();
    for (let i = 0; i < o.sd.length; i++) {
      if (o.sd[i] !== sd) continue;
      const id = o.list[i]!;
      const c = out.get(id) ?? [id, 0, 0];
      c[1] += o.hits[i]!;
      c[2] += o.bytes[i]!;
      out.set(id, c);
    }
    return [...out.values()];
  }

  /**
   * The site-day's visits: the part's intervals (sorted by visitor, first) joined where two
   * clients hashed to one visitor id, their counts, entry/exit pages, and the blob.
   */
  #visits(sd: number): { blob: Buffer | null; summary: VisitSummaryCounts; entries: Map<number, number>; exits: Map<number, number> } {
    const pv = this.#part.visits;
    const a = pv.start[sd]!;
    const b = pv.start[sd + 1]!;
    const entries = new Map<number, number>();
    const exits = new Map<number, number>();
    const summary = { visitors: 0, visits: 0, bounces: 0, visitSeconds: 0 };
    if (b === a) return { blob: null, summary, entries, exits };
    // Joined intervals, as indexes into the part's columns; a join keeps the first's index and
    // widens it in these copies.
    const n = b - a;
    const first = pv.first.slice(a, b);
    const last = pv.last.slice(a, b);
    const pages = pv.pages.slice(a, b);
    const entry = pv.entry.slice(a, b);
    const entryTime = pv.entryTime.slice(a, b);
    const exit = pv.exit.slice(a, b);
    const exitTime = pv.exitTime.slice(a, b);
    const keep = new Uint8Array(n).fill(1);
    let cur = 0;
    for (let i = 1; i < n; i++) {
      if (pv.visitor[a + i] === pv.visitor[a + cur] && first[i]! <= last[cur]! + this.#timeout) {
        // Two clients with one visitor id (a 52-bit hash collision): one visitor, as stores count it.
        if (last[i]! > last[cur]!) last[cur] = last[i]!;
        if (pages[i]! > 0) {
          if (pages[cur] === 0 || entryTime[i]! < entryTime[cur]! || (entryTime[i] === entryTime[cur] && this.#cmp(entry[i]!, entry[cur]!) < 0)) {
            entry[cur] = entry[i]!;
            entryTime[cur] = entryTime[i]!;
          }
          if (pages[cur] === 0 || exitTime[i]! > exitTime[cur]! || (exitTime[i] === exitTime[cur] && this.#cmp(exit[cur]!, exit[i]!) < 0)) {
            exit[cur] = exit[i]!;
            exitTime[cur] = exitTime[i]!;
          }
          pages[cur] = pages[cur]! + pages[i]!;
        }
        keep[i] = 0;
      } else cur = i;
    }
    let m = 0;
    let prev = NaN;
    for (let i = 0; i < n; i++) {
      if (keep[i] === 0) continue;
      m++;
      const id = pv.visitor[a + i]!;
      if (id !== prev) {
        summary.visitors++;
        prev = id;
      }
      summary.visitSeconds += last[i]! - first[i]!;
      if (pages[i] === 1) summary.bounces++;
      if (pages[i]! > 0) {
        entries.set(entry[i]!, (entries.get(entry[i]!) ?? 0) + 1);
        exits.set(exit[i]!, (exits.get(exit[i]!) ?? 0) + 1);
      }
    }
    summary.visits = m;
    const blob = visitsBlob(m);
    const v = viewOf(blob);
    v.setUint32(0, m, true);
    v.setUint32(4, 0, true);
    let o = 8;
    const col = (get: (i: number) => number, width: 4 | 8): void => {
      for (let i = 0; i < n; i++) {
        if (keep[i] === 0) continue;
        if (width === 8) v.setFloat64(o, get(i), true);
        else v.setUint32(o, get(i), true);
        o += width;
      }
      o = pad8(o);
    };
    col((i) => pv.visitor[a + i]!, 8);
    col((i) => first[i]!, 4);
    col((i) => last[i]!, 4);
    col((i) => pages[i]!, 4);
    col((i) => entryTime[i]!, 4);
    col((i) => exitTime[i]!, 4);
    col((i) => (entry[i] === NO_KEY ? NO_HASH : this.#hi[entry[i]!]!), 4);
    col((i) => (entry[i] === NO_KEY ? NO_HASH : this.#lo[entry[i]!]!), 4);
    col((i) => (exit[i] === NO_KEY ? NO_HASH : this.#hi[exit[i]!]!), 4);
    col((i) => (exit[i] === NO_KEY ? NO_HASH : this.#lo[exit[i]!]!), 4);
    return { blob, summary, entries, exits };
  }
}

function byteCompare(d: { bytes: Uint8Array; offsets: Uint32Array }, a: number, b: number): number {
  const as = d.offsets[a]!;
  const al = d.offsets[a + 1]! - as;
  const bs = d.offsets[b]!;
  const bl = d.offsets[b + 1]! - bs;
  const n = Math.min(al, bl);
  for (let i = 0; i < n; i++) {
    const x = d.bytes[as + i]!;
    const y = d.bytes[bs + i]!;
    if (x !== y) return x - y;
  }
  return al - bl;
}

export { URLS };
