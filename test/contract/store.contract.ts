/**
 * The Store contract: every implementation runs this suite (Hono's common.case.test pattern).
 * `open` returns a fresh, empty store.
 */
import { describe, expect, it } from 'vitest';
import { visitorSetOf, type Batch, type Counter, type DayDelta, type VisitorSpan } from '../../src/aggregate/delta.js';
import type { ListName } from '../../src/core/lists.js';
import type { Store } from '../../src/store/index.js';

export function day(
  site: string,
  date: string,
  o: Partial<Omit<DayDelta, 'visitors'>> & { visitors?: Map<number, VisitorSpan>; list?: Partial<Record<ListName, Record<string, number>>> } = {},
): DayDelta {
  const lists = new Map<ListName, Map<string, Counter>>();
  for (const [name, rows] of Object.entries(o.list ?? {})) {
    lists.set(name as ListName, new Map(Object.entries(rows!).map(([k, hits]) => [k, { hits, bytes: hits * 10 }])));
  }
  return {
    site,
    date,
    hits: o.hits ?? 0,
    pages: o.pages ?? 0,
    bytes: o.bytes ?? 0,
    bots: o.bots ?? 0,
    visits: o.visits ?? 0,
    ftpTransfers: 0,
    ftpBytes: 0,
    visitors: visitorSetOf(o.visitors ?? []),
    lists,
    others: o.others ?? new Map(),
  };
}

const meta = new Map([['a.example', { ipPolicy: 'masked', userPolicy: 'pseudonym', attribution: ['DB-IP'], rawWindowDays: 7 }]]);
const batch = (days: DayDelta[], extra: Partial<Batch> = {}): Batch => ({ days, sites: meta, rejected: [], checkpoint: null, raw: [], lines: 0, ...extra });

export function runStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    it('adds deltas and answers a range report', async () => {
      const s = await open();
      const v = new Map([[1, { first: 100, last: 200 }], [2, { first: 100, last: 100 }]]);
      await s.commit(batch([day('a.example', '2024-03-01', { hits: 3, bytes: 30, visits: 2, visitors: v, list: { ips: { '192.0.2.0': 2, '198.51.100.0': 1 } } })]));
      await s.commit(batch([day('a.example', '2024-03-01', { hits: 2, bytes: 20, visits: 1, visitors: new Map([[2, { first: 5000, last: 5000 }]]), list: { ips: { '192.0.2.0': 2 } } })]));
      await s.commit(batch([day('a.example', '2024-03-02', { hits: 1, bytes: 5, list: { ips: { '203.0.113.0': 1 } } })]));
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
      expect(r.distinctIps).toBe(3);
      expect(r.meta.ipPolicy).toBe('masked');
      const one = (await s.query({ site: 'a.example', from: '2024-03-02', to: '2024-03-02', top: 10 }))!;
      expect(one.days).toHaveLength(1);
      expect(one.distinctIps).toBe(1);
      await s.close();
    });

    it('sorts by hits, then key in code point order, and honours top', async () => {
      const s = await open();
      await s.commit(batch([day('a.example', '2024-03-01', { hits: 1, list: { urls: { '/b': 2, '/a': 2, '/\u00e9': 2, '/Z': 2, '/c': 5 } } })]));
      const r = (await s.query({ site: 'a.example', from: null, to: null, top: 3 }))!;
      expect(r.top.urls.map((x) => x.key)).toEqual(['/c', '/Z', '/a']);
      const all = (await s.query({ site: 'a.example', from: null, to: null, top: 0 }))!;
      expect(all.top.urls.map((x) => x.key)).toEqual(['/c', '/Z', '/a', '/b', '/\u00e9']);
      await s.close();
    });

    it('keeps sites apart', async () => {
      const s = await open();
      await s.commit(batch([day('a.example', '2024-03-01', { hits: 1, list: { ips: { x: 1 } } }), day('b.example', '2024-03-01', { hits: 7 })]));
      expect((await s.query({ site: 'a.example', from: null, to: null, top: 10 }))!.days[0]!.hits).toBe(1);
      expect((await s.query({ site: 'b.example', from: null, to: null, top: 10 }))!.top.ips).toEqual([]);
      expect(await s.query({ site: 'c.example', from: null, to: null, top: 10 })).toBeNull();
      expect(await s.sites()).toEqual(['a.example', 'b.example']);
      await s.close();
    });

    it('commits the checkpoint with the batch, and nothing of a failed batch', async () => {
      const s = await open();
      const cp = { scope: 'site:a.example', fpLength: 10, fpHash: 'abc', dev: 1, ino: 2, offset: 100, lines: 5 };
      await s.commit(batch([day('a.example', '2024-03-01', { hits: 5 })], { checkpoint: cp, rejected: [{ site: 'a.example', reason: 'bad_ip', lines: 2 }] }));
      expect(await s.checkpoints('site:a.example')).toEqual([cp]);
      const bad = day('a.example', 'not-a-date', { hits: 1000 });
      await expect(s.commit(batch([day('a.example', '2024-03-01', { hits: 1 }), bad], { checkpoint: { ...cp, offset: 999 } }))).rejects.toMatchObject({ code: 'ERR_STORE_WRITE' });
      expect((await s.checkpoints('site:a.example'))[0]!.offset).toBe(100);
      const r = (await s.query({ site: 'a.example', from: null, to: null, top: 10 }))!;
      expect(r.days[0]!.hits).toBe(5);
      expect(r.rejected).toEqual({ bad_ip: 2 });
      await s.close();
    });

    it('deletes a whole site with an audit record, and keeps contract ends', async () => {
      const s = await open();
      await s.commit(batch([day('a.example', '2024-03-01', { hits: 3, list: { ips: { x: 3 } } }), day('b.example', '2024-03-01', { hits: 1 })]));
      await s.setContractEnd('a.example', '2024-06-30');
      expect(await s.retention()).toEqual([
        { site: 'a.example', contractEnd: '2024-06-30', rawWindowDays: 7, firstDay: '2024-03-01', lastDay: '2024-03-01' },
        { site: 'b.example', contractEnd: null, rawWindowDays: 0, firstDay: '2024-03-01', lastDay: '2024-03-01' },
      ]);
      const at = new Date('2025-01-01T00:00:00Z');
      expect(await s.deleteSite('a.example', 'contract-end', 'contract ended 2024-06-30', at)).toBeGreaterThan(2);
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
      await s.commit(batch([day('a.example', '2024-03-01', { hits: 2 })], { raw: [{ site: 'a.example', day: '2024-03-01', bytes: 120, lines: 2 }] }));
      await s.commit(batch([], { raw: [{ site: 'a.example', day: '2024-03-01', bytes: 180, lines: 3 }] }));
      expect(await s.rawFiles()).toEqual([{ site: 'a.example', day: '2024-03-01', bytes: 180, lines: 3 }]);
      await s.forgetRawFile('a.example', '2024-03-01', { at: '2024-03-09T00:00:00.000Z', action: 'purge-raw', site: 'a.example', day: '2024-03-01', rows: 3, detail: '' });
      expect(await s.rawFiles()).toEqual([]);
      expect((await s.audit()).map((a) => a.action)).toEqual(['purge-raw']);
      await s.close();
    });

    it('counts folded keys in others', async () => {
      const s = await open();
      await s.commit(batch([day('a.example', '2024-03-01', { hits: 9, others: new Map([['urls', { hits: 4, bytes: 8 }]]) })]));
      const r = (await s.query({ site: 'a.example', from: null, to: null, top: 10 }))!;
      expect(r.others.urls).toEqual({ hits: 4, bytes: 8 });
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
        const days: DayDelta[] = [];
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
          days.push(day('a.example', date, { hits: 1, list: { ips } }));
        }
        await s.commit(batch(days));
      }
      const total = new Map<string, number>();
      for (const w of want.values()) for (const [k, h] of w) total.set(k, (total.get(k) ?? 0) + h);
      const order = [...total].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([key, hits]) => ({ key, hits, bytes: hits * 10 }));
      const all = (await s.query({ site: 'a.example', from: null, to: null, top: 0 }))!;
      expect(all.top.ips).toEqual(order);
      expect(all.distinctIps).toBe(total.size);
      const top = (await s.query({ site: 'a.example', from: null, to: null, top: 7 }))!;
      expect(top.top.ips).toEqual(order.slice(0, 7));
      const one = (await s.query({ site: 'a.example', from: '2024-03-02', to: '2024-03-02', top: 5 }))!;
      const second = [...want.get('2024-03-02')!].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      expect(one.top.ips).toEqual(second.slice(0, 5).map(([key, hits]) => ({ key, hits, bytes: hits * 10 })));
      expect(one.distinctIps).toBe(second.length);
      await s.close();
    });
  });
}
