import { describe, expect, it } from 'vitest';
import {
  allOf,
  decodeSegment,
  encodeSegment,
  idSums,
  kthLargest,
  mergeFrom,
  mergeSegments,
  segmentOf,
  topCandidates,
  type Segment,
} from '../../../src/store/sqlite/list-segments.js';

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCounts(r: () => number, n: number, idSpace: number): Map<number, [number, number]> {
  const m = new Map<number, [number, number]>();
  while (m.size < n) m.set(1 + Math.floor(r() * idSpace), [1 + Math.floor(r() * 50), Math.floor(r() * 2 ** 40)]);
  return m;
}

function segOf(m: Map<number, [number, number]>): Segment {
  const e = [...m];
  return segmentOf(
    Uint32Array.from(e, ([id]) => id),
    Float64Array.from(e, ([, [h]]) => h),
    Float64Array.from(e, ([, [, b]]) => b),
  );
}

function asMap(s: Segment): Map<number, [number, number]> {
  const m = new Map<number, [number, number]>();
  for (let i = 0; i < s.ids.length; i++) m.set(s.ids[i]!, [s.hits[i]!, s.bytes[i]!]);
  return m;
}

describe('list segments', () => {
  it('sorts by id and survives encode/decode, also from an unaligned buffer', () => {
    const r = rng(1);
    const m = randomCounts(r, 500, 100_000);
    const s = segOf(m);
    for (let i = 1; i < s.ids.length; i++) expect(s.ids[i]!).toBeGreaterThan(s.ids[i - 1]!);
    const blob = encodeSegment(s);
    expect(blob.length).toBe(500 * 20);
    const unaligned = Buffer.alloc(blob.length + 3).subarray(3);
    blob.copy(unaligned);
    expect(asMap(decodeSegment(unaligned))).toEqual(m);
    expect(() => decodeSegment(Buffer.alloc(21))).toThrow(/whole number/);
  });

  it('merges two segments into their sum', () => {
    const r = rng(2);
    const a = randomCounts(r, 3000, 5000);
    const b = randomCounts(r, 2000, 5000);
    const want = new Map(a);
    for (const [id, [h, by]] of b) {
      const o = want.get(id);
      want.set(id, o ? [o[0] + h, o[1] + by] : [h, by]);
    }
    const merged = mergeSegments(segOf(a), segOf(b));
    expect(asMap(merged)).toEqual(want);
    for (let i = 1; i < merged.ids.length; i++) expect(merged.ids[i]!).toBeGreaterThan(merged.ids[i - 1]!);
  });

  it('absorbs stored segments of similar size only (binary counter)', () => {
    expect(mergeFrom([], 10)).toBe(0);
    expect(mergeFrom([1000], 10)).toBe(1);
    expect(mergeFrom([1000, 10], 10)).toBe(1);
    expect(mergeFrom([1000, 20, 10], 10)).toBe(1);
    expect(mergeFrom([30, 20, 10], 10)).toBe(0);
    // Appending size-1 segments keeps O(log n) of them.
    let segs: number[] = [];
    for (let k = 0; k < 10_000; k++) {
      const from = mergeFrom(segs, 1);
      segs = [...segs.slice(0, from), segs.slice(from).reduce((x, y) => x + y, 1)];
      expect(segs.length).toBeLessThanOrEqual(16);
    }
    expect(segs.reduce((x, y) => x + y, 0)).toBe(10_000);
  });

  // Dense ids take the array table, sparse ones (and ranges past its memory bound) the hash table.
  it.each([
    ['dense', 30_000, 0],
    ['sparse', 3_000_000_000, 0],
    ['hash table grown from a low estimate', 3_000_000_000, 10],
  ])('sums many segments by id like a Map does, and counts distinct ids (%s)', (_name, idSpace, estimate) => {
    const r = rng(3);
    const segs: Segment[] = [];
    const want = new Map<number, [number, number]>();
    for (let k = 0; k < 20; k++) {
      const m = randomCounts(r, 1 + Math.floor(r() * 4000), idSpace);
      segs.push(segOf(m));
      for (const [id, [h, b]] of m) {
        const o = want.get(id);
        want.set(id, o ? [o[0] + h, o[1] + b] : [h, b]);
      }
    }
    const lo = Math.min(...segs.map((s) => s.ids[0]!));
    const hi = Math.max(...segs.map((s) => s.ids[s.ids.length - 1]!));
    const sums = idSums(lo, hi, estimate || segs.reduce((n, s) => n + s.ids.length, 0));
    for (const s of segs) sums.add(s);
    expect(sums.size).toBe(want.size);
    expect(asMap(allOf(sums))).toEqual(want);
  });

  it('topCandidates: the top-k by hits with every tie of the k-th', () => {
    // hits: id 1..10 → 10, 9, 8, 7, 7, 7, 3, 2, 1, 1
    const hits = [10, 9, 8, 7, 7, 7, 3, 2, 1, 1];
    const sums = idSums(1, 10, 10);
    sums.add(segmentOf(Uint32Array.from(hits, (_, i) => i + 1), Float64Array.from(hits), new Float64Array(10)));
    const top = (k: number): number[] => [...topCandidates(sums, k).ids].sort((a, b) => a - b);
    expect(top(3)).toEqual([1, 2, 3]);
    expect(top(4)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(top(10)).toHaveLength(10);
    expect(top(99)).toHaveLength(10);
    expect(top(-1)).toHaveLength(10);
    expect(top(0)).toEqual([]);
  });

  it('topCandidates agrees with sorting, for small (one pass) and large (quickselect) k, with many ties', () => {
    const r = rng(5);
    const m = randomCounts(r, 3000, 9000);
    for (const [id, v] of m) m.set(id, [1 + Math.floor(r() * 40), v[1]]); // hits 1..40: many ties
    const sums = idSums(1, 9000, m.size);
    sums.add(segOf(m));
    const sorted = [...m.values()].map(([h]) => h).sort((a, b) => b - a);
    for (const k of [1, 7, 64, 65, 500, 2999]) {
      const floor = sorted[k - 1]!;
      const want = [...m].filter(([, [h]]) => h >= floor).map(([id]) => id).sort((a, b) => a - b);
      expect([...topCandidates(sums, k).ids].sort((a, b) => a - b)).toEqual(want);
    }
  });

  it('kthLargest agrees with sorting', () => {
    const r = rng(4);
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(r() * 300);
      const a = Float64Array.from({ length: n }, () => Math.floor(r() * 20));
      const sorted = [...a].sort((x, y) => y - x);
      const k = 1 + Math.floor(r() * n);
      expect(kthLargest(a, k)).toBe(sorted[k - 1]);
    }
  });
});
