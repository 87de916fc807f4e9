import { describe, expect, it } from 'vitest';
import { decodeSegment, encodeSegment, segmentOf, type Segment } from '../../../src/store/sqlite/list-segments.js';

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

describe('v4 list segments (read by the v5 migration)', () => {
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

});
