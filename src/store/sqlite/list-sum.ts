/**
 * Summing a top list over many segments (the days of a report's range), and picking its top N.
 *
 * Every segment's list is sorted by key hash, so the sum is a k-way merge: sequential reads, a
 * few comparisons per entry, no hash table (a table of a million keys costs a cache miss per
 * entry: measured 3–5× slower). Key texts are only read for the rows a report shows.
 */
import { emptyList, keyOf, type ListFill, type ListSegment } from './segment-codec.js';

/** A list's key hashes, in hash order: all that a merge reads of each list. */
export interface KeyHashes {
  readonly hashHi: Uint32Array;
  readonly hashLo: Uint32Array;
}

export interface ListSums {
  /** Distinct keys. */
  readonly n: number;
  readonly hits: Float64Array;
  readonly bytes: Float64Array;
  readonly timeSum: Float64Array | null;
  readonly timeMax: Float64Array | null;
  /** Where the key's text is: list `seg[i]` of the input, entry `idx[i]`. */
  readonly seg: Uint32Array;
  readonly idx: Uint32Array;
}

/**
 * The k-way merge of `lists` by key hash: `key(s, p)` for the first entry of each distinct key
 * (list s, entry p), `add(s, p)` for every entry, that one included, in hash order. The one
 * merge loop of the store: reports sum into arrays, compactions and rollups write straight into
 * a blob.
 */
function mergeWalk(lists: readonly KeyHashes[], key: (s: number, p: number) => void, add: (s: number, p: number) => void): void {
  const k = lists.length;
  // A binary heap of list numbers, ordered by each list's current (hashHi, hashLo), which is kept
  // in two arrays beside it: a comparison reads those, not each list's columns at its position.
  const pos = new Uint32Array(k);
  const curHi = new Uint32Array(k);
  const curLo = new Uint32Array(k);
  const heap = new Int32Array(k);
  let size = 0;
  const down = (i: number): void => {
    const x = heap[i]!;
    const xh = curHi[x]!;
    const xl = curLo[x]!;
    for (;;) {
      let ci = 2 * i + 1;
      if (ci >= size) break;
      let c = heap[ci]!;
      if (ci + 1 < size) {
        const d = heap[ci + 1]!;
        if (curHi[d]! < curHi[c]! || (curHi[d] === curHi[c] && curLo[d]! < curLo[c]!)) {
          c = d;
          ci++;
        }
      }
      if (!(curHi[c]! < xh || (curHi[c] === xh && curLo[c]! < xl))) break;
      heap[i] = c;
      i = ci;
    }
    heap[i] = x;
  };
  for (let s = 0; s < k; s++) {
    const l = lists[s]!;
    if (l.hashHi.length === 0) continue;
    curHi[s] = l.hashHi[0]!;
    curLo[s] = l.hashLo[0]!;
    heap[size++] = s;
  }
  for (let i = (size >> 1) - 1; i >= 0; i--) down(i);
  let first = true;
  let lastHi = -1;
  let lastLo = -1;
  while (size > 0) {
    const s = heap[0]!;
    const p = pos[s]!;
    const hi = curHi[s]!;
    const lo = curLo[s]!;
    if (first || hi !== lastHi || lo !== lastLo) {
      first = false;
      lastHi = hi;
      lastLo = lo;
      key(s, p);
    }
    add(s, p);
    const l = lists[s]!;
    pos[s] = p + 1;
    if (p + 1 < l.hashHi.length) {
      curHi[s] = l.hashHi[p + 1]!;
      curLo[s] = l.hashLo[p + 1]!;
    } else heap[0] = heap[--size]!;
    if (size > 1) down(0);
  }
}

/**
 * Distinct keys of lists of one id (of their hashes: see segment-codec.ts), each list's keys
 * distinct: a report's address count over its rollups and days. Every list is in hash order, so
 * the keys fall into buckets by the top bits of `hashHi`, each a contiguous range of every list;
 * a bucket's keys are counted in a small open-addressing table that stays in the CPU cache and is
 * reused from bucket to bucket (a generation stamp empties it). Nothing of the size of the input
 * is allocated: touching fresh memory is what such a count paid for most (pairwise merges wrote
 * the merged hashes of every level, 2 × 8 bytes a key; on a VM that faults each fresh page into
 * the host, 2.5 ms a MB), and a k-way heap walk costs log k comparisons a key.
 */
export function distinctKeys(lists: readonly KeyHashes[]): number {
  const ls = lists.filter((l) => l.hashHi.length > 0);
  let total = 0;
  for (const l of ls) total += l.hashHi.length;
  if (ls.length <= 1) return total;
  // ~BUCKET_KEYS keys a bucket when the hashes are uniform; any spread is counted right.
  let bits = 0;
  while (bits < 20 && total >>> bits > BUCKET_KEYS) bits++;
  const shift = 32 - bits;
  const pos = new Uint32Array(ls.length);
  let cap = 0;
  let stamp = new Uint32Array(0);
  let tHi = new Uint32Array(0);
  let tLo = new Uint32Array(0);
  let gen = 0;
  let distinct = 0;
  const ends = new Uint32Array(ls.length);
  for (let b = 0; b < 2 ** bits; b++) {
    // This bucket's range of every list: keys whose top `bits` bits are b.
    let n = 0;
    for (let s = 0; s < ls.length; s++) {
      const h = ls[s]!.hashHi;
      let e = pos[s]!;
      if (bits === 0) e = h.length;
      else while (e < h.length && h[e]! >>> shift === b) e++;
      ends[s] = e;
      n += e - pos[s]!;
    }
    if (n === 0) continue;
    if (n * 2 > cap) {
      cap = 2 ** Math.ceil(Math.log2(n * 2));
      stamp = new Uint32Array(cap);
      tHi = new Uint32Array(cap);
      tLo = new Uint32Array(cap);
      gen = 0;
    }
    gen++;
    const mask = cap - 1;
    const tBits = Math.log2(cap);
    for (let s = 0; s < ls.length; s++) {
      const { hashHi: h, hashLo: l } = ls[s]!;
      for (let i = pos[s]!, e = ends[s]!; i < e; i++) {
        const hi = h[i]!;
        const lo = l[i]!;
        // The slot from both lanes mixed: the bucket fixed the top bits of hi, not the others.
        let j = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> (32 - tBits);
        for (;;) {
          if (stamp[j] !== gen) {
            stamp[j] = gen;
            tHi[j] = hi;
            tLo[j] = lo;
            distinct++;
            break;
          }
          if (tHi[j] === hi && tLo[j] === lo) break;
          j = (j + 1) & mask;
        }
      }
      pos[s] = ends[s]!;
    }
  }
  return distinct;
}

/** Keys a bucket of `distinctKeys` aims at: its table (12 bytes a slot, twice the keys in slots) stays in L1/L2. */
const BUCKET_KEYS = 512;

/** Hits and bytes over every key of a list (or of its sums). */
export function totalsOf(l: { readonly hits: Float64Array; readonly bytes: Float64Array }): { hits: number; bytes: number } {
  let hits = 0;
  let bytes = 0;
  for (let k = 0; k < l.hits.length; k++) {
    hits += l.hits[k]!;
    bytes += l.bytes[k]!;
  }
  return { hits, bytes };
}

/** The per-key sums of `lists` (all of one list id). */
export function sumLists(lists: readonly ListSegment[]): ListSums {
  let total = 0;
  for (const l of lists) total += l.hashHi.length;
  const timed = lists.some((l) => l.timeSum !== null);
  const hits = new Float64Array(total);
  const bytes = new Float64Array(total);
  const timeSum = timed ? new Float64Array(total) : null;
  const timeMax = timed ? new Float64Array(total) : null;
  const seg = new Uint32Array(total);
  const idx = new Uint32Array(total);
  let n = -1;
  mergeWalk(
    lists,
    (s, p) => {
      n++;
      seg[n] = s;
      idx[n] = p;
    },
    (s, p) => {
      const l = lists[s]!;
      hits[n] = hits[n]! + l.hits[p]!;
      bytes[n] = bytes[n]! + l.bytes[p]!;
      if (timed && l.timeSum !== null) {
        timeSum![n] = timeSum![n]! + l.timeSum[p]!;
        if (l.timeMax![p]! > timeMax![n]!) timeMax![n] = l.timeMax![p]!;
      }
    },
  );
  n++;
  return {
    n,
    hits: hits.subarray(0, n),
    bytes: bytes.subarray(0, n),
    timeSum: timeSum?.subarray(0, n) ?? null,
    timeMax: timeMax?.subarray(0, n) ?? null,
    seg: seg.subarray(0, n),
    idx: idx.subarray(0, n),
  };
}

/**
 * The sum of lists with one id as a list that writes itself at its exact size (encodeLists):
 * how a compaction or a rollup sums pieces straight into the new blob. Two passes of the merge,
 * one to size the list and one to write it, so nothing but the pieces and the blob is held
 * (one pass into arrays held ~24 bytes per entry of every piece besides).
 */
export function summed(lists: readonly ListSegment[]): ListFill {
  let n = 0;
  let textBytes = 0;
  mergeWalk(
    lists,
    (s, p) => {
      n++;
      textBytes += keyOf(lists[s]!, p).length;
    },
    () => {},
  );
  return {
    id: lists[0]!.id,
    n,
    textBytes,
    timed: lists.some((l) => l.timeSum !== null),
    fill(into: ListSegment): void {
      let i = -1;
      let t = 0;
      mergeWalk(
        lists,
        (s, p) => {
          const l = lists[s]!;
          i++;
          into.hashHi[i] = l.hashHi[p]!;
          into.hashLo[i] = l.hashLo[p]!;
          const kb = keyOf(l, p);
          into.text.set(kb, t);
          t += kb.length;
          into.textEnd[i] = t;
        },
        (s, p) => {
          const l = lists[s]!;
          into.hits[i] = into.hits[i]! + l.hits[p]!;
          into.bytes[i] = into.bytes[i]! + l.bytes[p]!;
          if (into.timeSum !== null && l.timeSum !== null) {
            into.timeSum[i] = into.timeSum[i]! + l.timeSum[p]!;
            if (l.timeMax![p]! > into.timeMax![i]!) into.timeMax![i] = l.timeMax![p]!;
          }
        },
      );
    },
  };
}

/** The sum of lists with one id as one list, allocated at its exact size. */
export function mergeLists(lists: readonly ListSegment[]): ListSegment {
  if (lists.length === 1) return lists[0]!;
  const f = summed(lists);
  const out = emptyList(f);
  f.fill(out);
  return out;
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

export interface SumRow {
  readonly key: Uint8Array;
  readonly hits: number;
  readonly bytes: number;
  readonly timeSum: number;
  readonly timeMax: number;
}

/**
 * The rows that can be among the `limit` largest by hits (limit < 0: all): every key with at
 * least the limit-th largest count, ties included (the caller orders ties by text and cuts).
 * `rank` ranks by another column instead of hits (slow pages: the time).
 */
export function topRows(s: ListSums, lists: readonly ListSegment[], limit: number, rank: Float64Array = s.hits): SumRow[] {
  let floor = -Infinity;
  if (limit === 0) return [];
  if (limit > 0 && limit < s.n) floor = kthLargest(rank.slice(), limit);
  const rows: SumRow[] = [];
  for (let i = 0; i < s.n; i++) {
    if (rank[i]! < floor) continue;
    rows.push({
      key: keyOf(lists[s.seg[i]!]!, s.idx[i]!),
      hits: s.hits[i]!,
      bytes: s.bytes[i]!,
      timeSum: s.timeSum ? s.timeSum[i]! : 0,
      timeMax: s.timeMax ? s.timeMax[i]! : 0,
    });
  }
  return rows;
}
