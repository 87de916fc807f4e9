import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeLists, summed } from '../../../src/store/sqlite/list-sum.js';
import { KeyHasher, buildList, decodeLists, encodeLists, keyOf, type ListSegment } from '../../../src/store/sqlite/segment-codec.js';

const hasher = new KeyHasher(12345);
const enc = new TextEncoder();
const dec = new TextDecoder();

interface Entry {
  key: string;
  hits: number;
  bytes: number;
  time: number;
}

function listOf(entries: readonly Entry[], timed: boolean): ListSegment {
  return buildList(
    {
      id: 3,
      n: entries.length,
      key: (i) => enc.encode(entries[i]!.key),
      hits: (i) => entries[i]!.hits,
      bytes: (i) => entries[i]!.bytes,
      ...(timed ? { timeSum: (i: number) => entries[i]!.time, timeMax: (i: number) => entries[i]!.time } : {}),
    },
    hasher,
  );
}

/** What the merge must give: per key text, hits and bytes added, time summed, its maximum kept. */
function expected(parts: readonly (readonly Entry[])[]): Map<string, [number, number, number, number]> {
  const m = new Map<string, [number, number, number, number]>();
  for (const p of parts)
    for (const e of p) {
      const c = m.get(e.key);
      m.set(e.key, c === undefined ? [e.hits, e.bytes, e.time, e.time] : [c[0] + e.hits, c[1] + e.bytes, c[2] + e.time, Math.max(c[3], e.time)]);
    }
  return m;
}

const entries = fc.uniqueArray(
  fc.record({ key: fc.string({ minLength: 1, maxLength: 6 }), hits: fc.integer({ min: 1, max: 1000 }), bytes: fc.integer({ min: 0, max: 1e9 }), time: fc.integer({ min: 0, max: 1e6 }) }),
  { selector: (e) => e.key, maxLength: 40 },
);

describe('mergeLists (compaction and reports of several segments)', () => {
  it('adds every key once, keeps hash order and sizes its arrays exactly, for any number of lists', () => {
    fc.assert(
      fc.property(fc.array(entries, { minLength: 1, maxLength: 9 }), fc.boolean(), (parts, timed) => {
        const merged = mergeLists(parts.map((p) => listOf(p, timed)));
        const want = expected(parts);
        expect(merged.hashHi.length).toBe(want.size);
        expect(merged.hashHi.buffer.byteLength).toBe(want.size * 4);
        let text = 0;
        for (const k of want.keys()) text += enc.encode(k).length;
        expect(merged.text.length).toBe(text);
        for (let i = 0; i < merged.hashHi.length; i++) {
          if (i > 0) {
            const up = merged.hashHi[i - 1]! < merged.hashHi[i]! || (merged.hashHi[i - 1] === merged.hashHi[i] && merged.hashLo[i - 1]! < merged.hashLo[i]!);
            expect(up).toBe(true);
          }
          const key = dec.decode(keyOf(merged, i));
          const w = want.get(key)!;
          expect([merged.hits[i], merged.bytes[i]]).toEqual([w[0], w[1]]);
          if (timed) expect([merged.timeSum![i], merged.timeMax![i]]).toEqual([w[2], w[3]]);
          else expect(merged.timeSum).toBeNull();
        }
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('gives the same list whichever way the lists are grouped', () => {
    fc.assert(
      fc.property(fc.array(entries, { minLength: 3, maxLength: 6 }), (parts) => {
        const ls = parts.map((p) => listOf(p, true));
        const once = mergeLists(ls);
        const nested = mergeLists([mergeLists(ls.slice(0, 2)), mergeLists(ls.slice(2))]);
        expect(Buffer.from(nested.text)).toEqual(Buffer.from(once.text));
        expect([...nested.hits]).toEqual([...once.hits]);
        expect([...nested.timeMax!]).toEqual([...once.timeMax!]);
      }),
      { seed: 11, numRuns: 100 },
    );
  });

  it('encodes a group summed straight into the blob byte for byte as the merged list, beside single lists', () => {
    fc.assert(
      fc.property(fc.array(entries, { minLength: 2, maxLength: 6 }), entries, fc.boolean(), (parts, single, timed) => {
        const group = parts.map((p) => listOf(p, timed));
        const one = { ...listOf(single, !timed), id: 9 };
        const two = { ...listOf(single, timed), id: 10 };
        const others = new Map([[3, { hits: 5, bytes: 7 }]]);
        const direct = encodeLists([one, summed(group), two], others);
        expect(direct.equals(encodeLists([one, mergeLists(group), two], others))).toBe(true);
        const back = decodeLists(direct);
        expect([...back.lists.keys()]).toEqual([9, 3, 10]);
        expect(back.others.get(3)).toEqual({ hits: 5, bytes: 7 });
      }),
      { seed: 13, numRuns: 200 },
    );
  });
});
