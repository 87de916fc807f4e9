/**
 * The Store contract: every implementation runs this suite (Hono's common.case.test pattern).
 * `open` returns a fresh, empty store.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckpointMove, SiteMeta } from '../../src/aggregate/index.js';
import type { Store } from '../../src/store/index.js';
import { batchOf, partOf, type DaySpec, type IntervalSpec } from '../helpers/batch.js';

const all = { site: 'a.example', from: null, to: null, top: 0 } as const;
const MASK = { mode: 'mask', v4: 24, v6: 48 } as const;

export function runStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    it('keeps the policies of a site as data: each once, oldest first; the raw window of the latest batch', async () => {
      const s = await open();
      const d = (n: number): DaySpec[] => [{ site: 'p.example', date: `2024-03-0${n}`, hits: 1 }];
      const m = (v: SiteMeta): Map<string, SiteMeta> => new Map([['p.example', v]]);
      const pseudo = { mode: 'pseudonym', v4: null, v6: null } as const;
      await s.commit(batchOf(d(1), { sites: m({ ip: [MASK], user: [{ mode: 'pseudonym' }], attribution: [], rawWindowDays: 7 }) }));
      await s.commit(batchOf(d(2), { sites: m({ ip: [MASK], user: [{ mode: 'pseudonym' }], attribution: ['DB-IP'], rawWindowDays: 7 }) }));
      await s.commit(batchOf(d(3), { sites: m({ ip: [pseudo], user: [{ mode: 'drop' }], attribution: ['DB-IP'], rawWindowDays: 14 }) }));
      await s.commit(batchOf(d(4), { sites: m({ ip: [{ mode: 'mask', v4: 16, v6: 40 }], user: [{ mode: 'drop' }], attribution: [], rawWindowDays: 3 }) }));
      const r = (await s.query({ site: 'p.example', from: null, to: null, top: 1 }))!;
      expect(r.meta).toEqual({
        ip: [MASK, pseudo, { mode: 'mask', v4: 16, v6: 40 }],
        user: [{ mode: 'pseudonym' }, { mode: 'drop' }],
        attribution: ['DB-IP'],
        rawWindowDays: 3,
      });
      expect((await s.retention()).find((x) => x.site === 'p.example')?.rawWindowDays).toBe(3);
      await s.close();
    });

    it('adds parts and answers a range report', async () => {
      const s = await open();
      const v: IntervalSpec[] = [
        { visitor: 1, first: 100, last: 200 },
        { visitor: 2, first: 100, last: 100 },
      ];
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 3, bytes: 30, visits: v, list: { ips: { '192.0.2.0': 2, '198.51.100.0': 1 } } }]));
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 2, bytes: 20, visits: [{ visitor: 2, first: 5000, last: 5000 }], list: { ips: { '192.0.2.0': 2 } } }]));
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-02', hits: 1, bytes: 5, list: { ips: { '203.0.113.0': 1 } } }]));
      const r = (await s.query({ site: 'a.example', from: null, to: null, top: 10 }))!;
      expect(r.from).toBe('2024-03-01');
      expect(r.to).toBe('2024-03-02');
      expect(r.days.map((d) => [d.date, d.hits, d.visitors, d.visits])).toEqual([
        ['2024-03-01', 5, 2, 3],
        ['2024-03-02', 1, 0, 0],
      ]);
      expect(r.top.ips).toEqual([
        { key: '192.0.2.0', hits: 4, bytes: 40 },
        { key: '198.51.100.0', hits: 1, bytes: 10 },
        { key: '203.0.113.0', hits: 1, bytes: 10 },
      ]);
      expect(r.sums.ips).toEqual({ hits: 6, bytes: 60 });
      expect(r.distinctIps).toBe(3);
      expect(r.undeduplicatedDays).toEqual([]);
      expect(r.meta).toEqual({ ip: [MASK], user: [{ mode: 'pseudonym' }], attribution: ['DB-IP'], rawWindowDays: 7 });
      const one = (await s.query({ site: 'a.example', from: '2024-03-02', to: '2024-03-02', top: 10 }))!;
      expect(one.days).toHaveLength(1);
      expect(one.distinctIps).toBe(1);
      await s.close();
    });

    it('sorts by hits, then key in code point order, and honours top', async () => {
      const s = await open();
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 1, list: { urls: { '/b': 2, '/a': 2, '/\u00e9': 2, '/Z': 2, '/c': 5 } } }]));
      const r = (await s.query({ site: 'a.example', from: null, to: null, top: 3 }))!;
      expect(r.top.urls.map((x) => x.key)).toEqual(['/c', '/Z', '/a']);
      const every = (await s.query(all))!;
      expect(every.top.urls.map((x) => x.key)).toEqual(['/c', '/Z', '/a', '/b', '/\u00e9']);
      await s.close();
    });

    it('gives the hours list whole whatever top, and every other list top rows', async () => {
      const s = await open();
      const hours: Record<string, number> = {};
      for (let h = 0; h < 24; h++) hours[String(h).padStart(2, '0')] = 1 + (h % 5);
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 60, list: { hours, urls: { '/a': 3, '/b': 2, '/c': 1 } } }]));
      for (const top of [1, 2, 30]) {
        const r = (await s.query({ site: 'a.example', from: null, to: null, top }))!;
        expect(r.top.hours.map((x) => x.key).sort()).toEqual(Object.keys(hours).sort());
        expect(r.top.urls).toHaveLength(Math.min(top, 3));
      }
      await s.close();
    });

    it('lists only keys with enough hits where asked (the publication threshold), the same for every top', async () => {
      const s = await open();
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 12, list: { ips: { a: 5, b: 3, c: 2, d: 1, e: 1 } } }]));
      for (const top of [0, 1, 2, 10]) {
        const r = (await s.query({ site: 'a.example', from: null, to: null, top, minHits: { ips: 3 } }))!;
        expect(r.top.ips.map((x) => x.key)).toEqual(['a', 'b'].slice(0, top === 0 ? 2 : top));
        expect(r.sums.ips).toEqual({ hits: 12, bytes: 120 });
      }
      await s.close();
    });

    it('keeps sites apart', async () => {
      const s = await open();
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 1, list: { ips: { x: 1 } } }, { site: 'b.example', date: '2024-03-01', hits: 7 }]));
      expect((await s.query({ site: 'a.example', from: null, to: null, top: 10 }))!.days[0]!.hits).toBe(1);
      expect((await s.query({ site: 'b.example', from: null, to: null, top: 10 }))!.top.ips).toEqual([]);
      expect(await s.query({ site: 'c.example', from: null, to: null, top: 10 })).toBeNull();
      expect(await s.sites()).toEqual(['a.example', 'b.example']);
      await s.close();
    });

    it('commits the source position with the batch, and nothing of a failed batch', async () => {
      const s = await open();
      const cp: CheckpointMove = { fpLength: 10, fpHash: 'abc', dev: 1, ino: 2, from: null, offset: 100, lines: 5 };
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 5 }], { checkpoint: cp, rejected: [{ site: 'a.example', reason: 'bad_ip', lines: 2 }] }));
      expect(await s.checkpoints()).toEqual([{ fpLength: 10, fpHash: 'abc', dev: 1, ino: 2, offset: 100, lines: 5 }]);
      const bad = partOf([{ site: 'a.example', date: '2024-03-01', hits: 1 }]);
      (bad.day as Int32Array)[0] = -5;
      const next: CheckpointMove = { ...cp, from: { fpLength: 10, fpHash: 'abc', offset: 100 }, offset: 999 };
      await expect(s.commit({ ...batchOf([], { checkpoint: next }), parts: [partOf([{ site: 'a.example', date: '2024-03-01', hits: 1 }]), bad] })).rejects.toMatchObject({
        code: 'ERR_STORE_WRITE',
      });
      expect((await s.checkpoints())[0]!.offset).toBe(100);
      const r = (await s.query(all))!;
      expect(r.days[0]!.hits).toBe(5);
      expect(r.rejected).toEqual({ bad_ip: 2 });
      await s.close();
    });

    it('refuses a batch whose source moved on (compare-and-set): two ingests of one file count it once', async () => {
      const s = await open();
      const first: CheckpointMove = { fpLength: 10, fpHash: 'f', dev: 1, ino: 2, from: null, offset: 100, lines: 5 };
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 5 }], { checkpoint: first }));
      // A second ingest that started at the beginning too: refused, nothing added.
      await expect(s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 5 }], { checkpoint: first }))).rejects.toMatchObject({ code: 'ERR_SOURCE_BUSY' });
      // The first ingest goes on from where it stands.
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 3 }], { checkpoint: { ...first, from: { fpLength: 10, fpHash: 'f', offset: 100 }, offset: 160, lines: 8 } }));
      await expect(s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 3 }], { checkpoint: { ...first, from: { fpLength: 10, fpHash: 'f', offset: 100 }, offset: 170, lines: 9 } }))).rejects.toMatchObject({
        code: 'ERR_SOURCE_BUSY',
      });
      expect((await s.query(all))!.days[0]!.hits).toBe(8);
      expect((await s.checkpoints())[0]!.offset).toBe(160);
      await s.close();
    });

    it('deletes a whole site with an audit record, and keeps contract ends', async () => {
      const s = await open();
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 3, list: { ips: { x: 3 } } }, { site: 'b.example', date: '2024-03-01', hits: 1 }]));
      await s.setContractEnd('a.example', '2024-06-30');
      expect(await s.retention()).toEqual([
        { site: 'a.example', contractEnd: '2024-06-30', rawWindowDays: 7, firstDay: '2024-03-01', lastDay: '2024-03-01' },
        { site: 'b.example', contractEnd: null, rawWindowDays: 0, firstDay: '2024-03-01', lastDay: '2024-03-01' },
      ]);
      const at = new Date('2025-01-01T00:00:00Z');
      expect(await s.deleteSite('a.example', 'contract-end', 'contract ended 2024-06-30', at)).toBeGreaterThan(1);
      expect(await s.query({ site: 'a.example', from: null, to: null, top: 10 })).toBeNull();
      expect((await s.query({ site: 'b.example', from: null, to: null, top: 10 }))!.days[0]!.hits).toBe(1);
      expect(await s.deleteSite('a.example', 'contract-end', 'again', at)).toBe(0);
      await s.addAudit([{ at: at.toISOString(), action: 'purge-raw', site: 'b.example', day: '2024-03-01', rows: 5, detail: '' }]);
      const audit = await s.audit();
      expect(audit.map((a) => [a.action, a.site, a.day])).toEqual([
        ['contract-end', 'a.example', null],
        ['purge-raw', 'b.example', '2024-03-01'],
      ]);
      expect(audit[0]!.at).toBe(at.toISOString());
      await s.close();
    });

    it('commits raw-file sizes with the batch and forgets them with an audit record', async () => {
      const s = await open();
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 2 }], { raw: [{ site: 'a.example', day: '2024-03-01', bytes: 120, lines: 2 }] }));
      await s.commit(batchOf([], { raw: [{ site: 'a.example', day: '2024-03-01', bytes: 180, lines: 3 }] }));
      expect(await s.rawFiles()).toEqual([{ site: 'a.example', day: '2024-03-01', bytes: 180, lines: 3 }]);
      await s.forgetRawFile('a.example', '2024-03-01', { at: '2024-03-09T00:00:00.000Z', action: 'purge-raw', site: 'a.example', day: '2024-03-01', rows: 3, detail: '' });
      expect(await s.rawFiles()).toEqual([]);
      expect((await s.audit()).map((a) => a.action)).toEqual(['purge-raw']);
      await s.close();
    });

    it('counts folded keys in others', async () => {
      const s = await open();
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 9, others: { urls: [4, 8] } }]));
      const r = (await s.query(all))!;
      expect(r.others.urls).toEqual({ hits: 4, bytes: 8 });
      await s.close();
    });

    it('keeps the time taken of slow pages: summed, largest, ranked by total time', async () => {
      const s = await open();
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 5, list: { slowPages: { '/a': [2, 20, 3000, 2500], '/b': [3, 30, 1500, 900] } } }]));
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-02', hits: 1, list: { slowPages: { '/b': [1, 10, 4000, 4000] } } }]));
      const r = (await s.query(all))!;
      expect(r.top.slowPages).toEqual([
        { key: '/b', hits: 4, bytes: 40, totalMs: 5.5, maxMs: 4 },
        { key: '/a', hits: 2, bytes: 20, totalMs: 3, maxMs: 2.5 },
      ]);
      await s.close();
    });

    it('many batches of one day add up like one: top-k, ties, all rows, distinct addresses', async () => {
      const s = await open();
      let seed = 7;
      const next = (n: number): number => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed % n;
      };
      const want = new Map<string, Map<string, number>>();
      for (let b = 0; b < 30; b++) {
        const days: DaySpec[] = [];
        for (const date of ['2024-03-01', '2024-03-02']) {
          const ips: Record<string, number> = {};
          // Batches of very different sizes, as tail -F and bulk imports produce.
          const n = b % 7 === 0 ? 400 : 1 + next(20);
          for (let i = 0; i < n; i++) {
            const k = `198.51.${next(4)}.${next(120)}`;
            ips[k] = (ips[k] ?? 0) + 1 + next(3);
          }
          const w = want.get(date) ?? new Map<string, number>();
          for (const [k, h] of Object.entries(ips)) w.set(k, (w.get(k) ?? 0) + h);
          want.set(date, w);
          days.push({ site: 'a.example', date, hits: 1, list: { ips } });
        }
        await s.commit(batchOf(days));
      }
      await s.compact();
      const total = new Map<string, number>();
      for (const w of want.values()) for (const [k, h] of w) total.set(k, (total.get(k) ?? 0) + h);
      const order = [...total].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([key, hits]) => ({ key, hits, bytes: hits * 10 }));
      const every = (await s.query(all))!;
      expect(every.top.ips).toEqual(order);
      expect(every.distinctIps).toBe(total.size);
      const top = (await s.query({ site: 'a.example', from: null, to: null, top: 7 }))!;
      expect(top.top.ips).toEqual(order.slice(0, 7));
      const one = (await s.query({ site: 'a.example', from: '2024-03-02', to: '2024-03-02', top: 5 }))!;
      const second = [...want.get('2024-03-02')!].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      expect(one.top.ips).toEqual(second.slice(0, 5).map(([key, hits]) => ({ key, hits, bytes: hits * 10 })));
      expect(one.distinctIps).toBe(second.length);
      await s.close();
    });

    it('joins visits across commits in any order: visits, bounces, durations, entry and exit pages', async () => {
      // One visitor's day in three parts: 10:00–10:10 (/a → /b), 10:20–10:25 (/c), and 11:30 (/d).
      const parts: IntervalSpec[][] = [
        [{ visitor: 9, first: 36000, last: 36600, pages: 2, entry: '/a', entryTime: 36000, exit: '/b', exitTime: 36600 }],
        [{ visitor: 9, first: 37200, last: 37500, pages: 1, entry: '/c', entryTime: 37200, exit: '/c', exitTime: 37200 }],
        [{ visitor: 9, first: 41400, last: 41400, pages: 1, entry: '/d', entryTime: 41400, exit: '/d', exitTime: 41400 }],
      ];
      for (const order of [
        [0, 1, 2],
        [2, 1, 0],
        [1, 2, 0],
      ]) {
        const s = await open();
        for (const i of order) await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 1, pages: 1, visits: parts[i]!, list: { urls: { '/a': 1, '/b': 1, '/c': 1, '/d': 1 } } }]));
        for (const compacted of [false, true]) {
          if (compacted) await s.compact();
          const r = (await s.query(all))!;
          // 10:10 → 10:20 is within 30 minutes: one visit; 10:25 → 11:30 is not: a second one.
          expect(r.days[0]).toMatchObject({ visitors: 1, visits: 2, bounces: 1, visitSeconds: 1500 });
          expect(r.top.entryPages).toEqual([
            { key: '/a', hits: 1, bytes: 0 },
            { key: '/d', hits: 1, bytes: 0 },
          ]);
          expect(r.top.exitPages).toEqual([
            { key: '/c', hits: 1, bytes: 0 },
            { key: '/d', hits: 1, bytes: 0 },
          ]);
        }
        await s.close();
      }
    });

    it('visits of any split of one visitor-day into commits equal those of one commit (fast-check)', async () => {
      const s = await open();
      let site = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 3000 })), { minLength: 1, maxLength: 12 }),
          fc.integer({ min: 1, max: 4 }),
          async (spans, cuts) => {
            // Intervals already merged per part (as a batch gives them); parts cut at random places.
            const name = `p${site++}.example`;
            const iv = spans.map(([visitor, first, len]) => ({ visitor, first, last: first + len }));
            const chunks: IntervalSpec[][] = Array.from({ length: cuts }, () => []);
            iv.forEach((x, i) => chunks[i % cuts]!.push(x));
            for (const c of chunks) if (c.length > 0) await s.commit(batchOf([{ site: name, date: '2024-03-01', hits: 1, visits: joinOwn(c) }]));
            const want = visitsOf(iv, 1800);
            const r = (await s.query({ site: name, from: null, to: null, top: 0 }))!;
            expect(r.days[0]!.visits).toBe(want.visits);
            expect(r.days[0]!.visitors).toBe(want.visitors);
          },
        ),
        { numRuns: 25 },
      );
      await s.close();
    });

    it('does not join visitors of different key generations, and says which days could not be deduplicated', async () => {
      const s = await open();
      const v = [{ visitor: 1, first: 100, last: 100 }];
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 1, gen: 'g1', visits: v }]));
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 1, gen: 'g2', visits: v }]));
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-02', hits: 1, gen: 'g1', visits: v }]));
      const r = (await s.query(all))!;
      expect(r.days.map((d) => d.visitors)).toEqual([2, 1]);
      expect(r.undeduplicatedDays).toEqual(['2024-03-01']);
      // Every site's such days in one read, within the range asked for.
      await s.commit(batchOf([{ site: 'b.example', date: '2024-03-02', hits: 1, gen: 'g3', visits: v }]));
      await s.commit(batchOf([{ site: 'b.example', date: '2024-03-02', hits: 1, gen: 'g4', visits: v }]));
      await s.commit(batchOf([{ site: 'c.example', date: '2024-03-02', hits: 1, gen: 'g3', visits: v }]));
      expect(await s.undeduplicatedDays('2024-03-01', '2024-03-31')).toEqual([
        { site: 'a.example', day: '2024-03-01' },
        { site: 'b.example', day: '2024-03-02' },
      ]);
      expect(await s.undeduplicatedDays('2024-03-02', '2024-03-02')).toEqual([{ site: 'b.example', day: '2024-03-02' }]);
      await s.close();
    });

    it('closes the visits of days past the raw window: counts and entry pages stay, intervals go', async () => {
      const s = await open();
      const v = [{ visitor: 1, first: 100, last: 400, pages: 2, entry: '/a', exit: '/b' }];
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 2, visits: v, list: { urls: { '/a': 1, '/b': 1 } } }]));
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 1, visits: [{ visitor: 1, first: 900, last: 900 }] }]));
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-20', hits: 1, visits: v, list: { urls: { '/a': 1, '/b': 1 } } }]));
      const before = (await s.query(all))!;
      const closed = await s.closeVisits((w) => (w === 7 ? '2024-03-10' : '2024-03-10'), new Date('2024-03-18T00:00:00Z'));
      expect(closed).toBe(1);
      expect(await s.query(all)).toEqual(before);
      expect((await s.audit()).map((a) => [a.action, a.site])).toEqual([['close-visits', 'a.example']]);
      // A late line for the closed day under a new key counts, but cannot be joined.
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 1, gen: 'late', visits: [{ visitor: 1, first: 950, last: 950 }] }]));
      const after = (await s.query(all))!;
      expect(after.days[0]!.visitors).toBe(2);
      expect(after.undeduplicatedDays).toEqual(['2024-03-01']);
      expect(await s.undeduplicatedDays('2024-03-01', '2024-03-31')).toEqual([{ site: 'a.example', day: '2024-03-01' }]);
      await s.close();
    });
  });
}

/** A part's own intervals: a batch never holds two intervals of one visitor within the timeout. */
function joinOwn(iv: IntervalSpec[]): IntervalSpec[] {
  const m = visitsOf(iv, 1800).merged;
  return m;
}

/** The visits of intervals under the timeout rule, computed the plain way. */
function visitsOf(iv: readonly { visitor: number; first: number; last: number }[], timeout: number): { visitors: number; visits: number; merged: IntervalSpec[] } {
  const sorted = [...iv].sort((a, b) => a.visitor - b.visitor || a.first - b.first);
  const merged: IntervalSpec[] = [];
  for (const x of sorted) {
    const cur = merged[merged.length - 1];
    if (cur !== undefined && cur.visitor === x.visitor && x.first <= cur.last + timeout) cur.last = Math.max(cur.last, x.last);
    else merged.push({ visitor: x.visitor, first: x.first, last: x.last });
  }
  return { visitors: new Set(sorted.map((x) => x.visitor)).size, visits: merged.length, merged };
}
