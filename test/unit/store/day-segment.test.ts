/**
 * Joining a site-day's pieces: stored pieces are in (visitor, first) order and are merged k-way
 * and joined in place; a piece out of that order takes the sort. Both must give the same visits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TOTAL_FIELDS } from '../../../src/aggregate/index.js';
import { mergeDaySegments, type DaySegment } from '../../../src/store/sqlite/day-segment.js';
import { KeyHasher, NO_HASH, type SegmentVisits } from '../../../src/store/sqlite/segment-codec.js';

type Iv = readonly [visitor: number, first: number, len: number, pages: number];

function piece(ivs: readonly Iv[]): DaySegment {
  const n = ivs.length;
  const u32 = (f: (iv: Iv) => number): Uint32Array => Uint32Array.from(ivs, f);
  const none = new Uint32Array(n).fill(NO_HASH);
  const visits: SegmentVisits = {
    n,
    visitor: Float64Array.from(ivs, (iv) => iv[0]),
    first: u32((iv) => iv[1]),
    last: u32((iv) => iv[1] + iv[2]),
    pages: u32((iv) => iv[3]),
    entryTime: u32((iv) => iv[1]),
    exitTime: u32((iv) => iv[1] + iv[2]),
    entryHi: none,
    entryLo: none,
    exitHi: none,
    exitLo: none,
  };
  return { totals: new Float64Array(TOTAL_FIELDS), lists: new Map(), others: new Map(), visits, summary: { visitors: 0, visits: 0, bounces: 0, visitSeconds: 0 } };
}

const byVisitorFirst = (a: Iv, b: Iv): number => a[0] - b[0] || a[1] - b[1];
const ivArb = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 3 }));

function rows(s: DaySegment): number[][] {
  // No interval in any piece: the merged day has no visits.
  const v = s.visits ?? piece([]).visits!;
  return Array.from({ length: v.n }, (_, i) => [v.visitor[i]!, v.first[i]!, v.last[i]!, v.pages[i]!, v.entryTime[i]!, v.exitTime[i]!]);
}

describe('joining the pieces of a site-day', () => {
  it('gives the same visits from pieces in visit order (k-way merge) as from a piece out of order (sort)', () => {
    const hasher = new KeyHasher(7);
    fc.assert(
      fc.property(fc.array(fc.array(ivArb, { maxLength: 40 }), { minLength: 2, maxLength: 5 }), (parts) => {
        const sorted = parts.map((p) => [...p].sort(byVisitorFirst));
        // The same intervals, the first piece reversed: no longer in visit order.
        const shuffled = sorted.map((p, i) => (i === 0 ? [...p].reverse() : p));
        const a = mergeDaySegments(sorted.map(piece), 1800, hasher);
        const b = mergeDaySegments(shuffled.map(piece), 1800, hasher);
        expect(rows(a)).toEqual(rows(b));
        expect(a.summary).toEqual(b.summary);
        // Joined visits: in visit order, and no two of one visitor within the timeout of each other.
        const r = rows(a);
        for (let i = 1; i < r.length; i++) {
          expect(r[i]![0]! > r[i - 1]![0]! || (r[i]![0] === r[i - 1]![0] && r[i]![1]! > r[i - 1]![2]! + 1800)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('joining intervals without pages', () => {
  it('keeps the earliest entry and the latest exit, whatever order intervals of one second come in', () => {
    // Found by the property above (seed 68245064): one visitor, two pageless intervals from the same second.
    const hasher = new KeyHasher(7);
    const ivs: Iv[] = [
      [5, 8413, 0, 0],
      [5, 8413, 1, 0],
    ];
    const inOrder = rows(mergeDaySegments([piece(ivs), piece([])], 1800, hasher));
    const reversed = rows(mergeDaySegments([piece([...ivs].reverse()), piece([])], 1800, hasher));
    expect(inOrder).toEqual([[5, 8413, 8414, 0, 8413, 8414]]);
    expect(reversed).toEqual(inOrder);
  });
});
