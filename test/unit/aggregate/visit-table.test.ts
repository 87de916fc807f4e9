import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_KEY } from '../../../src/aggregate/index.js';
import { VisitTable } from '../../../src/aggregate/visit-table.js';
import { emptyIntervals, mergeIntervals, summarizeVisits } from '../../../src/aggregate/visit-merge.js';

type Hit = readonly [client: number, t: number, page: number];
interface Visit {
  client: number;
  first: number;
  last: number;
  pages: number;
  entry: number;
  exit: number;
}

const T = 1800;
const less = (a: number, b: number): boolean => a < b;

/** Visits the plain way: each client's hits in time order, cut where the gap exceeds T. */
function reference(hits: readonly Hit[]): Visit[] {
  const out: Visit[] = [];
  const clients = [...new Set(hits.map((h) => h[0]))].sort((a, b) => a - b);
  for (const c of clients) {
    const mine = hits.filter((h) => h[0] === c).sort((a, b) => a[1] - b[1]);
    let v: Visit | null = null;
    let pageT = { entryT: 0, exitT: 0 };
    for (const [, t, page] of mine) {
      if (v === null || t - v.last > T) {
        v = { client: c, first: t, last: t, pages: 0, entry: NO_KEY, exit: NO_KEY };
        out.push(v);
      }
      v.last = t;
      if (page === NO_KEY) continue;
      if (v.pages === 0 || t < pageT.entryT || (t === pageT.entryT && page < v.entry)) {
        v.entry = page;
        pageT.entryT = t;
      }
      if (v.pages === 0 || t > pageT.exitT || (t === pageT.exitT && page > v.exit)) {
        v.exit = page;
        pageT.exitT = t;
      }
      v.pages++;
      if (v.pages === 1) pageT = { entryT: t, exitT: t };
    }
  }
  return out;
}

function visitsOf(table: VisitTable): Visit[] {
  const out: Visit[] = [];
  for (let v = 0; v < table.visitors; v++) {
    for (let i = table.headOf(v); i !== -1; i = table.next(i)) {
      out.push({ client: table.clientOf(v), first: table.first(i), last: table.last(i), pages: table.pages(i), entry: table.entry(i), exit: table.exit(i) });
    }
  }
  return out.sort((a, b) => a.client - b.client || a.first - b.first);
}

const hitsArb = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 30_000 }), fc.oneof(fc.constant(NO_KEY), fc.integer({ min: 0, max: 5 }))),
  { maxLength: 60 },
);

describe('visit table', () => {
  it('gives the visits of the time-ordered hits, whatever order the hits come in', () => {
    fc.assert(
      fc.property(hitsArb, fc.integer(), (hits, seed) => {
        const shuffled = [...hits];
        let s = seed >>> 0;
        for (let i = shuffled.length - 1; i > 0; i--) {
          s = (Math.imul(s, 1103515245) + 12345) >>> 0;
          const j = s % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const table = new VisitTable(T, less);
        for (const [c, t, p] of shuffled) table.hit(0, c, t, p);
        expect(visitsOf(table)).toEqual(reference(hits));
      }),
      { numRuns: 300 },
    );
  });

  it('parts of a day (any split) joined by mergeIntervals equal one table of every hit', () => {
    fc.assert(
      fc.property(hitsArb, fc.integer({ min: 1, max: 4 }), (hits, parts) => {
        const all = emptyIntervals(hits.length);
        let n = 0;
        for (let p = 0; p < parts; p++) {
          const table = new VisitTable(T, less);
          hits.forEach(([c, t, page], i) => {
            if (i % parts === p) table.hit(0, c, t, page);
          });
          for (const v of visitsOf(table)) {
            all.visitor[n] = v.client;
            all.first[n] = v.first;
            all.last[n] = v.last;
            all.pages[n] = v.pages;
            all.entry[n] = v.entry;
            all.exit[n] = v.exit;
            // Entry and exit times are the first and last page views; recompute them from the hits.
            const pagesIn = hits.filter((h, i) => i % parts === p && h[0] === v.client && h[1] >= v.first && h[1] <= v.last && h[2] !== NO_KEY).map((h) => h[1]);
            all.entryTime[n] = pagesIn.length ? Math.min(...pagesIn) : 0;
            all.exitTime[n] = pagesIn.length ? Math.max(...pagesIn) : 0;
            n++;
          }
        }
        const merged = mergeIntervals({ ...all, length: n }, T, less);
        const got: Visit[] = [];
        for (let i = 0; i < merged.length; i++) {
          got.push({ client: merged.visitor[i]!, first: merged.first[i]!, last: merged.last[i]!, pages: merged.pages[i]!, entry: merged.entry[i]!, exit: merged.exit[i]! });
        }
        const want = reference(hits);
        expect(got).toEqual(want);
        const s = summarizeVisits(merged);
        expect(s.visits).toBe(want.length);
        expect(s.bounces).toBe(want.filter((v) => v.pages === 1).length);
        expect(s.visitSeconds).toBe(want.reduce((a, v) => a + v.last - v.first, 0));
      }),
      { numRuns: 300 },
    );
  });
});
