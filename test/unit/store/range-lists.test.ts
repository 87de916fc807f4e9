/**
 * A report's list from the rollups' heads (range-lists.ts) must give the rows and sums that
 * summing every whole list gives, and read the whole lists only when the heads cannot decide.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIST_IDS } from '../../../src/core/lists.js';
import { rangeDistinct, rangeList, type RangeListQuery, type RolledList } from '../../../src/store/sqlite/range-lists.js';
import { decodeHashes, decodeDirectory, headOf, PART_BODY, PART_HASHES, PART_HEAD, rollupParts } from '../../../src/store/sqlite/rollup-parts.js';
import { buildList, decodeLists, encodeLists, KeyHasher, type ListSegment } from '../../../src/store/sqlite/segment-codec.js';

const hasher = new KeyHasher(11);
const enc = new TextEncoder();

/** A list of `id` from key → [hits, timeSum]. */
function listOf(id: number, counts: ReadonlyMap<string, [number, number]>, timed: boolean): ListSegment {
  const keys = [...counts.keys()];
  return buildList(
    {
      id,
      n: keys.length,
      key: (i) => enc.encode(keys[i]!),
      hits: (i) => counts.get(keys[i]!)![0],
      bytes: (i) => counts.get(keys[i]!)![0] * 100 + i,
      ...(timed ? { timeSum: (i: number) => counts.get(keys[i]!)![1], timeMax: (i: number) => counts.get(keys[i]!)![1] % 997 } : {}),
    },
    hasher,
  );
}

function rolledOf(l: ListSegment, max: number): RolledList {
  const { head, floor } = headOf(l, max);
  let hits = 0;
  let bytes = 0;
  for (let i = 0; i < l.hits.length; i++) {
    hits += l.hits[i]!;
    bytes += l.bytes[i]!;
  }
  const n = l.hashHi.length;
  const byTime = l.id === LIST_IDS.slowPages && l.timeSum !== null;
  return { info: { id: l.id, n, headN: head.hashHi.length, hits, bytes, floor, byTime }, head, whole: () => l };
}

/** Rows as a report shows them: by rank, then text; cut to the limit. */
function shown(rows: readonly { key: Uint8Array; hits: number; bytes: number; timeSum: number; timeMax: number }[], q: RangeListQuery): string[] {
  const dec = new TextDecoder();
  const r = rows.map((x) => ({ ...x, text: dec.decode(x.key) }));
  r.sort((a, b) => (q.byTime ? b.timeSum - a.timeSum : b.hits - a.hits) || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  if (q.limit > 0 && r.length > q.limit) r.length = q.limit;
  return r.map((x) => `${x.text} ${x.hits} ${x.bytes} ${x.timeSum} ${x.timeMax}`);
}

/** Parts of a range: per part, key → [hits, timeSum]; Zipf-like or flat. */
const partArb = fc.record({
  keys: fc.integer({ min: 0, max: 60 }),
  skew: fc.constantFrom(true, true, false),
  offset: fc.constantFrom(0, 0, 0, 1, 20),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
});

function counts(p: { keys: number; skew: boolean; offset: number; seed: number }): Map<string, [number, number]> {
  let s = p.seed;
  const next = (n: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const m = new Map<string, [number, number]>();
  for (let i = 0; i < p.keys; i++) {
    const k = `/k${(i + p.offset) % 70}`;
    const hits = p.skew ? Math.max(1, Math.floor(400 / (i + 1)) + next(3)) : 1 + next(4);
    m.set(k, [hits, hits * (1 + next(50))]);
  }
  return m;
}

describe('a list over rollups and days', () => {
  it('gives the rows and sums of the whole lists, from the heads when they decide', () => {
    let fromHeads = 0;
    let fromWhole = 0;
    fc.assert(
      fc.property(
        fc.array(partArb, { minLength: 1, maxLength: 4 }),
        fc.array(partArb, { maxLength: 3 }),
        fc.integer({ min: 2, max: 24 }),
        fc.constantFrom(-1, 1, 3, 10),
        fc.constantFrom(0, 2, 5),
        fc.boolean(),
        (rollParts, dayParts, headKeys, limit, min, slow) => {
          const id = slow ? LIST_IDS.slowPages : LIST_IDS.urls;
          const wholes = rollParts.map((p) => listOf(id, counts(p), slow));
          const days = dayParts.map((p) => listOf(id, counts(p), slow));
          const q: RangeListQuery = { limit, min, byTime: slow };
          const got = rangeList(days, wholes.map((l) => rolledOf(l, headKeys)), q);
          const want = rangeList([...days, ...wholes], [], q);
          expect(want.whole).toBe(true);
          expect(shown(got.rows, q)).toEqual(shown(want.rows, q));
          expect(got.sums).toEqual(want.sums);
          if (got.whole) fromWhole++;
          else fromHeads++;
        },
      ),
      { numRuns: 400 },
    );
    // Both ways were taken: the heads decided skewed lists, flat ones needed the whole lists.
    expect(fromHeads, `heads ${fromHeads}, whole ${fromWhole}`).toBeGreaterThan(20);
    expect(fromWhole).toBeGreaterThan(20);
  });

  it('counts distinct keys over the days and the rollups key hashes', () => {
    const a = listOf(LIST_IDS.ips, new Map([['10.0.0.1', [3, 0]], ['10.0.0.2', [1, 0]]]), false);
    const b = listOf(LIST_IDS.ips, new Map([['10.0.0.2', [5, 0]], ['10.0.0.3', [1, 0]], ['10.0.0.4', [2, 0]]]), false);
    const c = listOf(LIST_IDS.ips, new Map([['10.0.0.4', [1, 0]]]), false);
    expect(rangeDistinct([a], [b, c])).toBe(4);
    expect(rangeDistinct([], [])).toBe(0);
  });

  it('counts distinct keys as a set of every list\'s keys would, over few lists and many', () => {
    fc.assert(
      fc.property(fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { maxLength: 60 }), { maxLength: 20 }), (sets) => {
        const lists = sets.map((keys) => listOf(LIST_IDS.ips, new Map(keys.map((k) => [`k${k}`, [1, 0] as [number, number]])), false));
        expect(rangeDistinct(lists.slice(0, 1), lists.slice(1))).toBe(new Set(sets.flat()).size);
      }),
      { numRuns: 300 },
    );
  });

  it('counts distinct key hashes over many buckets, uniform or bunched into one bucket, as a set would', () => {
    // Tens of thousands of keys: thousands of buckets and tables that grow; hashes bunched in a
    // few values of hashHi (one bucket) or of hashLo must count the same.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom('uniform', 'oneHi', 'fewLo'), (seed, k, shape) => {
        let x = seed;
        const rand = (): number => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0), x);
        const pool: [number, number][] = [];
        for (let i = 0; i < 30_000; i++) pool.push([shape === 'oneHi' ? 7 : rand(), shape === 'fewLo' ? rand() % 5 : rand()]);
        const lists = Array.from({ length: k }, () => {
          const keys = [...new Map(pool.filter(() => rand() % 3 === 0).map((h) => [`${h[0]}:${h[1]}`, h])).values()];
          keys.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
          return { hashHi: Uint32Array.from(keys, (h) => h[0]), hashLo: Uint32Array.from(keys, (h) => h[1]) };
        });
        const want = new Set(lists.flatMap((l) => Array.from(l.hashHi, (h, i) => `${h}:${l.hashLo[i]}`))).size;
        expect(rangeDistinct([], lists)).toBe(want);
      }),
      { numRuns: 12 },
    );
  });
});

describe('a rollup stored by list', () => {
  it('keeps each list as its head, its whole list when the head is not all of it, and the address hashes', () => {
    const many = new Map<string, [number, number]>();
    for (let i = 0; i < 300; i++) many.set(`198.51.100.${i}`, [1 + (i % 7), 0]);
    const bigIps = listOf(LIST_IDS.ips, many, false);
    const small = listOf(LIST_IDS.countries, new Map([['de', [4, 0]], ['fr', [2, 0]]]), false);
    const summed = decodeLists(encodeLists([bigIps, small], new Map([[LIST_IDS.urls, { hits: 7, bytes: 70 }]])));
    const { directory, parts } = rollupParts(summed);
    const all = [...parts];
    const dir = decodeDirectory(directory);
    expect(dir.others.get(LIST_IDS.urls)).toEqual({ hits: 7, bytes: 70 });
    const info = dir.lists.get(LIST_IDS.ips)!;
    expect([info.n, info.headN]).toEqual([300, 256]);
    expect(info.hits).toBe([...bigIps.hits].reduce((x, y) => x + y, 0));
    expect(dir.lists.get(LIST_IDS.countries)).toMatchObject({ n: 2, headN: 2, floor: 0 });
    const kinds = all.map((p) => `${p.list}:${p.kind}`).sort();
    expect(kinds).toEqual([`${LIST_IDS.countries}:${PART_HEAD}`, `${LIST_IDS.ips}:${PART_BODY}`, `${LIST_IDS.ips}:${PART_HASHES}`, `${LIST_IDS.ips}:${PART_HEAD}`].sort());
    const head = decodeLists(all.find((p) => p.list === LIST_IDS.ips && p.kind === PART_HEAD)!.data).lists.get(LIST_IDS.ips)!;
    // The head holds the keys of highest hits; none outside it has more than the floor.
    let minIn = Infinity;
    for (let i = 0; i < head.hits.length; i++) minIn = Math.min(minIn, head.hits[i]!);
    expect(minIn).toBe(info.floor);
    const inHead = new Set(Array.from(head.hashHi, (h, i) => `${h}:${head.hashLo[i]}`));
    for (let i = 0; i < bigIps.hits.length; i++) if (!inHead.has(`${bigIps.hashHi[i]}:${bigIps.hashLo[i]}`)) expect(bigIps.hits[i]).toBeLessThanOrEqual(info.floor);
    const hashes = decodeHashes(all.find((p) => p.kind === PART_HASHES)!.data);
    expect([...hashes.hashHi]).toEqual([...bigIps.hashHi]);
    expect([...hashes.hashLo]).toEqual([...bigIps.hashLo]);
  });
});
