/** buildReport, loadReport and the calendar helpers: the v2 contract fields (issue 14). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore, rowsOf } from '../../../src/store/index.js';
import { batchOf } from '../../helpers/batch.js';
import { buildReport } from '../../../src/report/build.js';
import { loadReport } from '../../../src/report/load.js';
import { continuousDays, MAX_AXIS_DAYS, monthRows, monthsBetween, previousRange } from '../../../src/report/periods.js';
import type { ReportQuery, Store, StoredReport } from '../../../src/store/store.js';
import { fullStored, previousStored } from '../../helpers/full-report.js';

const CLOCK = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));

describe('buildReport (v2 fields)', () => {
  it('always gives 24 hours in clock order, zeros included, whatever the top and the stored order', () => {
    const s = fullStored();
    s.top.hours = [
      { key: '14', hits: 900, bytes: 9 },
      { key: '3', hits: 10, bytes: 1 },
    ];
    for (const top of [1, 3, 10, 0]) {
      const r = buildReport(s, { top });
      expect(r.top.hours.map((h) => h.key)).toEqual(CLOCK);
      expect(r.top.hours[14]).toEqual({ key: '14', hits: 900, bytes: 9 });
      expect(r.top.hours[3]).toEqual({ key: '03', hits: 10, bytes: 1 });
      expect(r.top.hours.filter((h) => h.hits === 0)).toHaveLength(22);
    }
  });

  it('cuts every other list to top, as a store asked for top would', () => {
    const r = buildReport(fullStored(), { top: 2 });
    expect(r.top.urls.map((u) => u.key)).toEqual(['/', '/index.html']);
    expect(r.top.browserVersions).toHaveLength(2);
    expect(r.top.slowPages.map((x) => x.key)).toEqual(['/', '/search']);
    expect(buildReport(fullStored(), { top: 0 }).top.urls).toHaveLength(5);
  });

  it('sums bounces and visit seconds over the days, builds months and previous', () => {
    const s = fullStored();
    const r = buildReport(s, { previous: previousStored() });
    expect(r.totals.bounces).toBe(s.days.reduce((a, d) => a + d.bounces, 0));
    expect(r.totals.visitSeconds).toBe(s.days.reduce((a, d) => a + d.visitSeconds, 0));
    expect(r.totals.bounces).toBeGreaterThan(0);
    expect(r.months).toEqual([{ month: '2024-03', hits: r.totals.hits, visitors: r.totals.visitors, visits: r.totals.visits, pages: r.totals.pages, bytes: r.totals.bytes }]);
    expect(r.previous?.from).toBe('2024-01-30');
    expect(r.previous?.to).toBe('2024-02-29');
    expect(r.previous?.totals.hits).toBe(31 * 300);
    expect(r.previous?.totals.ips).toBe(1000);
    expect(buildReport(s).previous).toBeNull();
  });

  it('orders slow pages by cumulative time, with the average rounded to microseconds', () => {
    const r = buildReport(fullStored(), {});
    expect(r.top.slowPages).toEqual([
      { key: '/', hits: 3000, bytes: 3_000_000, totalMs: 120_000, avgMs: 40, maxMs: 900 },
      { key: '/search', hits: 200, bytes: 200_000, totalMs: 96_000, avgMs: 480, maxMs: 4200 },
      { key: '/blog/', hits: 900, bytes: 900_000, totalMs: 27_000, avgMs: 30, maxMs: 310 },
    ]);
    const s = fullStored();
    s.top.slowPages = [{ key: '/x', hits: 3, bytes: 0, totalMs: 1, maxMs: 0.5 }];
    expect(buildReport(s, {}).top.slowPages[0]!.avgMs).toBe(0.333);
  });

  it('passes undeduplicated days through, sorted, within the range', () => {
    const s = fullStored();
    s.undeduplicatedDays = ['2024-03-09', '2024-03-02', '2023-12-31'];
    expect(buildReport(s).undeduplicatedDays).toEqual(['2024-03-02', '2024-03-09']);
  });
});

describe('calendar helpers', () => {
  it('previous period: the same number of days, ending the day before', () => {
    expect(previousRange('2024-03-01', '2024-03-31')).toEqual({ from: '2024-01-30', to: '2024-02-29' });
    expect(previousRange('2024-03-10', '2024-03-10')).toEqual({ from: '2024-03-09', to: '2024-03-09' });
    expect(previousRange('2024-01-01', '2024-01-07')).toEqual({ from: '2023-12-25', to: '2023-12-31' });
  });

  it('months across a year end, zeros included, visitors summed per day', () => {
    expect(monthsBetween('2023-11-15', '2024-02-01')).toEqual(['2023-11', '2023-12', '2024-01', '2024-02']);
    const rows = monthRows('2023-12-30', '2024-02-02', [
      { date: '2023-12-31', hits: 5, visitors: 2, visits: 3, pages: 1, bytes: 10 },
      { date: '2024-02-01', hits: 7, visitors: 4, visits: 4, pages: 2, bytes: 20 },
      { date: '2024-02-02', hits: 1, visitors: 1, visits: 1, pages: 1, bytes: 1 },
    ]);
    expect(rows.map((r) => [r.month, r.hits, r.visitors])).toEqual([
      ['2023-12', 5, 2],
      ['2024-01', 0, 0],
      ['2024-02', 8, 5],
    ]);
  });

  it('a continuous date axis with empty days as zero, and none for absurd ranges', () => {
    const axis = continuousDays('2024-02-27', '2024-03-02', [{ date: '2024-03-01', hits: 4, visitors: 1, visits: 1, pages: 1, bytes: 1 }]);
    expect(axis.map((d) => [d.date, d.hits])).toEqual([
      ['2024-02-27', 0],
      ['2024-02-28', 0],
      ['2024-02-29', 0],
      ['2024-03-01', 4],
      ['2024-03-02', 0],
    ]);
    const one = [{ date: '2000-01-01', hits: 1, visitors: 1, visits: 1, pages: 1, bytes: 1 }];
    expect(continuousDays('2000-01-01', '2099-12-31', one)).toEqual(one);
    expect(continuousDays('2000-01-01', `${2000 + Math.floor(MAX_AXIS_DAYS / 366)}-01-01`, one).length).toBeGreaterThan(300);
  });
});

describe('loadReport', () => {
  /** A store that records the queries and answers like a real one would (top applied, hours whole). */
  function recording(): { store: Store; queries: ReportQuery[] } {
    const queries: ReportQuery[] = [];
    const store = {
      async query(q: ReportQuery): Promise<StoredReport | null> {
        queries.push(q);
        const s = q.from === '2024-03-01' || q.from === null ? fullStored() : previousStored();
        for (const k of Object.keys(s.top) as (keyof StoredReport['top'])[]) if (rowsOf(k, q.top) > 0) s.top[k] = s.top[k].slice(0, rowsOf(k, q.top));
        return s;
      },
    } as unknown as Store;
    return { store, queries };
  }

  it('asks for top rows (every store gives hours whole), and for the previous period only with compare', async () => {
    const { store, queries } = recording();
    const r = (await loadReport(store, { site: 's', from: null, to: null, top: 3 }))!;
    const minHits = { ips: 3, users: 3, ftpIps: 3, ftpUsers: 3 };
    expect(queries).toEqual([{ site: 's', from: null, to: null, top: 3, minHits }]);
    expect(r.top.hours.map((h) => h.key)).toEqual(CLOCK);
    expect(r.top.hours.every((h) => h.hits > 0)).toBe(true);
    expect(r.top.urls).toHaveLength(3);
    expect(r.previous).toBeNull();

    const c = (await loadReport(store, { site: 's', from: '2024-03-01', to: '2024-03-31', top: 0, compare: true }))!;
    expect(queries.slice(1)).toEqual([
      { site: 's', from: '2024-03-01', to: '2024-03-31', top: 0, minHits },
      { site: 's', from: '2024-01-30', to: '2024-02-29', top: 1 },
    ]);
    expect(c.previous?.totals.hits).toBe(31 * 300);
  });
});

describe('publication threshold (store and loadReport)', () => {
  const lists = {
    ips: { '192.0.2.0': 5, '198.51.100.0': 1 },
    users: { 'u-often': 3, 'u-once': 2 },
    ftpIps: { '203.0.113.0': 4, '203.0.113.77': 1 },
    ftpUsers: { 'ftp-often': 7, 'ftp-once': 1, 'ftp-twice': 2 },
    ftpFiles: { '/pub/a.tar': 1 },
    urls: { '/once.html': 1 },
  };
  async function store(): Promise<Store> {
    const s = await openStore(join(mkdtempSync(join(tmpdir(), 'weblog-threshold-')), 't.db'), { visitTimeoutSec: 1800 });
    await s.commit(batchOf([{ site: 's.example', date: '2024-03-01', hits: 10, list: lists }]));
    return s;
  }

  it('lists IPs and user names of web and FTP only when seen at least k times, for every top; the rest is in others', async () => {
    const s = await store();
    for (const top of [0, 1, 10]) {
      const r = (await loadReport(s, { site: 's.example', from: null, to: null, top, threshold: 3 }))!;
      expect(r.top.ips.map((x) => x.key)).toEqual(['192.0.2.0']);
      expect(r.top.users.map((x) => x.key)).toEqual(['u-often']);
      expect(r.ftp.top.ftpIps.map((x) => x.key)).toEqual(['203.0.113.0']);
      expect(r.ftp.top.ftpUsers.map((x) => x.key)).toEqual(['ftp-often']);
      expect(r.others.ips).toEqual({ hits: 1, bytes: 10 });
      expect(r.others.ftpIps).toEqual({ hits: 1, bytes: 10 });
      expect(r.others.ftpUsers).toEqual({ hits: 3, bytes: 30 });
      // Lists that name no person are not thresholded.
      expect(r.ftp.top.ftpFiles.map((x) => x.key)).toEqual(['/pub/a.tar']);
      expect(r.top.urls.map((x) => x.key)).toEqual(['/once.html']);
      expect(r.meta.privacy.threshold).toBe(3);
    }
    await s.close();
  });

  it('threshold 1 lists everything', async () => {
    const s = await store();
    const r = (await loadReport(s, { site: 's.example', from: null, to: null, top: 0, threshold: 1 }))!;
    expect(r.ftp.top.ftpUsers).toHaveLength(3);
    expect(r.ftp.top.ftpIps).toHaveLength(2);
    expect(r.others).toEqual({});
    await s.close();
  });
});
