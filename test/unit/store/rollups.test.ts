import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../../src/core/dates.js';
import { openStore, type ReportQuery, type Store } from '../../../src/store/index.js';
import { chooseRollups, periodsOf, worthRolling } from '../../../src/store/sqlite/rollups.js';
import { batchOf, type DaySpec, type IntervalSpec } from '../../helpers/batch.js';

const fresh = (): string => join(mkdtempSync(join(tmpdir(), 'weblog-rollup-')), 'w.db');

describe('rollup periods', () => {
  it('gives the ISO week (Monday to Sunday) and the calendar month of a day', () => {
    expect(periodsOf(20240304)).toEqual([
      { first: 20240304, last: 20240310 },
      { first: 20240301, last: 20240331 },
    ]);
    // A Friday whose week starts in the year before; a leap February.
    expect(periodsOf(20210101)).toEqual([
      { first: 20201228, last: 20210103 },
      { first: 20210101, last: 20210131 },
    ]);
    expect(periodsOf(20240229)[1]).toEqual({ first: 20240201, last: 20240229 });
    expect(periodsOf(20240310)[0]).toEqual({ first: 20240304, last: 20240310 });
  });

  it('leaves a month to its week when all its data lies in that week, and rolls up any week', () => {
    expect(worthRolling({ first: 20240301, last: 20240331 }, 20240304, 20240310)).toBe(false);
    expect(worthRolling({ first: 20240301, last: 20240331 }, 20240304, 20240311)).toBe(true);
    // A week across two months is a week, whatever its YYYYMMDD numbers.
    expect(worthRolling({ first: 20240226, last: 20240303 }, 20240226, 20240303)).toBe(true);
  });

  it('covers a range with the longest rollups inside it, none overlapping', () => {
    const stored = [
      { id: 1, first: 20240226, last: 20240303 },
      { id: 2, first: 20240301, last: 20240331 },
      { id: 3, first: 20240304, last: 20240310 },
      { id: 4, first: 20240401, last: 20240430 },
    ];
    // March is inside: it wins over the weeks that overlap it.
    expect(chooseRollups(stored, 20240226, 20240415).map((p) => p.id)).toEqual([2]);
    expect(chooseRollups(stored, 20240226, 20240310).map((p) => p.id)).toEqual([1, 3]);
    expect(chooseRollups(stored, 20240301, 20240430).map((p) => p.id)).toEqual([2, 4]);
    expect(chooseRollups(stored, 20240302, 20240330).map((p) => p.id)).toEqual([3]);
    expect(chooseRollups(stored, 20240305, 20240330)).toEqual([]);
  });
});

/** A deterministic generator: the same batches for both stores. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

/** Several commits over 2024-01-25 … 2024-03-14, some days in several pieces, visits open. */
function batches(seed: number): DaySpec[][] {
  const next = rng(seed);
  const out: DaySpec[][] = [];
  for (let b = 0; b < 14; b++) {
    const days: DaySpec[] = [];
    for (let k = 0; k < 6; k++) {
      const date = addDays('2024-01-25', next(50));
      if (days.some((d) => d.date === date && d.site === 'a.example')) continue;
      const ips: Record<string, number> = {};
      const urls: Record<string, number> = {};
      const slow: Record<string, [number, number, number, number]> = {};
      const visits: IntervalSpec[] = [];
      const n = 5 + next(40);
      for (let i = 0; i < n; i++) {
        const ip = `198.51.${next(3)}.${next(60)}`;
        ips[ip] = (ips[ip] ?? 0) + 1;
        const url = `/p${next(30)}`;
        urls[url] = (urls[url] ?? 0) + 1;
        const ms = 1000 * (1 + next(900));
        const c = slow[url] ?? [0, 0, 0, 0];
        slow[url] = [c[0] + 1, c[1] + 10, c[2] + ms, Math.max(c[3], ms)];
        const t = 3600 * next(20) + next(3000);
        // Entry and exit pages are among the day's urls, as the aggregator makes them.
        const exit = Object.keys(urls)[next(Object.keys(urls).length)]!;
        visits.push({ visitor: next(25), first: t, last: t + next(600), pages: 1, entry: url, exit });
      }
      days.push({
        site: 'a.example',
        date,
        hits: n,
        pages: n,
        bytes: n * 10,
        list: { ips, urls, slowPages: slow, referrers: next(2) === 0 ? {} : { [`https://r${next(9)}.example/`]: 1 + next(5) } },
        others: { urls: [next(4), next(400)] },
        visits,
      });
    }
    out.push(days);
  }
  return out;
}

/** The week and month rollups (`days`: the days' own rollups, their heads). */
function rollups(path: string, days = false): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT first_day, last_day FROM seg_rollup WHERE first_day ${days ? '=' : '<'} last_day ORDER BY first_day, last_day`).raw().all() as [number, number][]).map(
      ([a, b]) => `${a}-${b}`,
    );
  } finally {
    db.close();
  }
}
const rollupCount = (path: string): number => rollups(path).length;

const ranges: [string, string][] = [
  ['2024-01-25', '2024-03-14'],
  ['2024-02-01', '2024-02-29'],
  ['2024-02-05', '2024-03-10'],
  ['2024-01-29', '2024-02-04'],
  ['2024-02-03', '2024-03-05'],
  ['2024-01-01', '2024-12-31'],
  ['2024-02-12', '2024-02-13'],
];

async function sameReports(a: Store, b: Store): Promise<void> {
  for (const [from, to] of ranges)
    for (const top of [0, 3]) {
      const q: ReportQuery = { site: 'a.example', from, to, top, minHits: { ips: 2 } };
      expect(await a.query(q), `${from} … ${to}, top ${top}`).toEqual(await b.query(q));
    }
}

describe('week and month rollups (SQLite)', () => {
  it('give the reports the days give, and follow late data', async () => {
    const pathA = fresh();
    const rolled = await openStore(pathA, { visitTimeoutSec: 1800, rollupMinBytes: 0 });
    const plain = await openStore(fresh(), { visitTimeoutSec: 1800, rollupMinBytes: Number.POSITIVE_INFINITY });
    for (const days of batches(11)) {
      await rolled.commit(batchOf(days));
      await plain.commit(batchOf(days));
    }
    await rolled.compact();
    await plain.compact();
    const built = rollupCount(pathA);
    // 2024-01-25 … 2024-03-14 touch 8 ISO weeks and 3 months; weeks across two months too.
    expect(built).toBeGreaterThanOrEqual(9);
    expect(rollups(pathA)).toEqual(expect.arrayContaining(['20240129-20240204', '20240201-20240229', '20240226-20240303']));
    await sameReports(rolled, plain);

    // Late lines of a rolled-up day: its week and month are dropped at once, the report follows.
    const late: DaySpec[] = [{ site: 'a.example', date: '2024-02-14', hits: 3, list: { ips: { '203.0.113.9': 3 }, urls: { '/late': 3 } }, visits: [{ visitor: 99, first: 100, last: 200, pages: 1, entry: '/late', exit: '/late' }] }];
    await rolled.commit(batchOf(late));
    await plain.commit(batchOf(late));
    expect(rollupCount(pathA)).toBe(built - 2);
    await sameReports(rolled, plain);
    // The next end of an ingest rolls them up again.
    await rolled.compact();
    await plain.compact();
    expect(rollupCount(pathA)).toBe(built);
    await sameReports(rolled, plain);
    await rolled.close();
    await plain.close();
  });

  it('rolls up the history of a store migrated from schema 7 once, at its next compact', async () => {
    const path = fresh();
    const s = await openStore(path, { visitTimeoutSec: 1800, rollupMinBytes: 0 });
    for (const days of batches(5)) await s.commit(batchOf(days));
    await s.compact();
    const want = rollups(path);
    expect(want.length).toBeGreaterThan(3);
    await s.close();
    // The same store as schema 7 left it: no rollups.
    const db = new Database(path);
    db.exec(`DELETE FROM schema_migration WHERE version IN (11, 12); DROP TRIGGER seg_rollup_part_follows; DROP TABLE seg_rollup_part; DELETE FROM schema_migration WHERE version = 10;
      DROP TRIGGER seg_written_add; DROP TABLE seg_written; DELETE FROM schema_migration WHERE version = 9;
      DROP TRIGGER seg_rollup_stale_add; DROP TRIGGER seg_rollup_stale_del; DROP TABLE seg_rollup;
      DELETE FROM schema_migration WHERE version = 8;`);
    db.close();
    const migrated = await openStore(path, { visitTimeoutSec: 1800, rollupMinBytes: 0 });
    expect(rollups(path)).toEqual([]);
    await migrated.compact();
    expect(rollups(path)).toEqual(want);
    const meta = new Database(path, { readonly: true });
    expect(meta.prepare("SELECT COUNT(*) AS n FROM store_meta WHERE key = 'rollup_history'").get()).toEqual({ n: 0 });
    meta.close();
    await migrated.close();
  });

  it('decides top rows from the heads of lists longer than a head, and reads whole lists when it must', async () => {
    const pathA = fresh();
    const rolled = await openStore(pathA, { visitTimeoutSec: 1800, rollupMinBytes: 0 });
    const plain = await openStore(fresh(), { visitTimeoutSec: 1800, rollupMinBytes: Number.POSITIVE_INFINITY });
    const next = rng(5);
    // Every day of February: 600 addresses (a few busy ones, the rest flat), 400 skewed urls, slow pages.
    for (let d = 0; d < 29; d++) {
      const ips: Record<string, number> = {};
      const urls: Record<string, number> = {};
      const slow: Record<string, [number, number, number, number]> = {};
      for (let i = 0; i < 600; i++) ips[`2001:db8::${(i * 7 + d) % 900}`] = i < 5 ? 50 + next(20) : 1 + next(3);
      for (let i = 0; i < 400; i++) {
        urls[`/u${i}`] = 1 + Math.floor(500 / (i + 1)) + next(2);
        slow[`/u${i}`] = [urls[`/u${i}`]!, 0, 1000 * (1 + next(100)) * urls[`/u${i}`]!, 1000 * next(900)];
      }
      const day: DaySpec = { site: 'a.example', date: addDays('2024-02-01', d), hits: 1000, pages: 1000, list: { ips, urls, slowPages: slow } };
      await rolled.commit(batchOf([day]));
      await plain.commit(batchOf([day]));
    }
    await rolled.compact();
    await plain.compact();
    expect(rollups(pathA)).toEqual(expect.arrayContaining(['20240201-20240229', '20240205-20240211']));
    const db = new Database(pathA, { readonly: true });
    const bodies = db.prepare('SELECT COUNT(*) AS n FROM seg_rollup_part WHERE kind = 1').get() as { n: number };
    // Every day (one piece each) has its heads and address hashes, and no body: its piece is it.
    const dayParts = db
      .prepare('SELECT p.kind, COUNT(*) AS n FROM seg_rollup_part p JOIN seg_rollup r ON r.id = p.rollup_id WHERE r.first_day = r.last_day GROUP BY p.kind ORDER BY p.kind')
      .raw()
      .all();
    db.close();
    expect(bodies.n).toBeGreaterThan(0);
    expect(rollups(pathA, true)).toHaveLength(29);
    expect(dayParts).toEqual([
      [0, 29 * 3],
      [2, 29],
    ]);
    // Ranges whose ends are days outside any week: those days' heads decide, or their pieces are read.
    for (const [from, to] of [['2024-02-01', '2024-02-29'], ['2024-02-03', '2024-02-27'], ['2024-02-05', '2024-02-18'], ['2024-02-06', '2024-02-08']] as const)
      for (const top of [0, 1, 10, 24, 300])
        for (const minHits of [{}, { ips: 2 }, { ips: 1000 }]) {
          const q: ReportQuery = { site: 'a.example', from, to, top, minHits };
          expect(await rolled.query(q), `${from} … ${to}, top ${top}, ${JSON.stringify(minHits)}`).toEqual(await plain.query(q));
        }
    await rolled.close();
    await plain.close();
  });

  it('compacts and rolls up what a process left behind, and leaves a period to its days while a day has pieces to join', async () => {
    const path = fresh();
    const plain = await openStore(fresh(), { visitTimeoutSec: 1800, rollupMinBytes: Number.POSITIVE_INFINITY });
    const day = (date: string, first: number): DaySpec => ({
      site: 'a.example',
      date,
      hits: 1,
      pages: 1,
      list: { urls: { [`/p${first}`]: 1 } },
      visits: [{ visitor: 1, first, last: first, pages: 1, entry: `/p${first}`, exit: `/p${first}` }],
    });
    const both = async (st: Store, d: DaySpec): Promise<void> => {
      await st.commit(batchOf([d]));
      await plain.commit(batchOf([d]));
    };
    const pieces = (date: number): number => {
      const db = new Database(path, { readonly: true });
      const n = (db.prepare('SELECT COUNT(*) AS n FROM seg WHERE day = ?').get(date) as { n: number }).n;
      db.close();
      return n;
    };
    // A process that stopped (or was restarted) before compacting: 2024-02-13 in two open pieces.
    const first = await openStore(path, { visitTimeoutSec: 1800, rollupMinBytes: 0 });
    await both(first, day('2024-02-12', 50));
    await both(first, day('2024-02-13', 100));
    await both(first, day('2024-02-13', 400));
    await first.close();
    expect(pieces(20240213)).toBe(2);
    // The next process's compaction takes what the store marked as written, whoever wrote it:
    // that day is joined into one piece, and its week rolled up (not February: one week of data).
    const second = await openStore(path, { visitTimeoutSec: 1800, rollupMinBytes: 0 });
    await second.compact();
    await plain.compact();
    expect(pieces(20240213)).toBe(1);
    expect(rollups(path)).toEqual(['20240212-20240218']);
    await sameReports(second, plain);
    // A piece another writer adds after a compaction took the marks: the rollup it makes stale is
    // gone (trigger), and while the day is in two open pieces its week is left to the days.
    await both(second, day('2024-02-13', 2000));
    const db = new Database(path);
    db.exec('DELETE FROM seg_written');
    db.close();
    await both(second, day('2024-02-12', 100));
    await both(second, day('2024-02-12', 9000));
    await second.compact();
    expect(pieces(20240213)).toBe(2);
    expect(rollupCount(path)).toBe(0);
    await sameReports(second, plain);
    // Once that day is written again, it is compacted and the week rolled up; a day of another
    // week of February: the month is rolled up too.
    await both(second, day('2024-02-13', 3000));
    await both(second, day('2024-02-20', 100));
    await both(second, day('2024-02-21', 100));
    await second.compact();
    await plain.compact();
    expect(rollups(path)).toEqual(['20240201-20240229', '20240212-20240218', '20240219-20240225']);
    await sameReports(second, plain);
    await second.close();
    await plain.close();
  });

  it('a store from schema 8 has its history compacted and its rollups built anew at its next compact', async () => {
    const path = fresh();
    const s = await openStore(path, { visitTimeoutSec: 1800, rollupMinBytes: 0 });
    for (const days of batches(5)) await s.commit(batchOf(days));
    await s.compact();
    const ids = (): string[] => {
      const db = new Database(path, { readonly: true });
      const r = (db.prepare('SELECT id, first_day, last_day FROM seg_rollup WHERE first_day < last_day ORDER BY id').raw().all() as number[][]).map((x) => x.join(':'));
      db.close();
      return r;
    };
    const built = ids();
    expect(built.length).toBeGreaterThan(3);
    // Two pieces of a day, left by a process of schema 8 (no marks), then the store as v8 left it.
    for (let i = 0; i < 2; i++) await s.commit(batchOf([{ site: 'a.example', date: '2024-03-20', hits: 1, pages: 1 }]));
    await s.close();
    const db = new Database(path);
    db.exec(`DELETE FROM schema_migration WHERE version IN (11, 12); DROP TRIGGER seg_rollup_part_follows; DROP TABLE seg_rollup_part; DELETE FROM schema_migration WHERE version = 10;
      DROP TRIGGER seg_written_add; DROP TABLE seg_written; DELETE FROM schema_migration WHERE version = 9;`);
    db.close();
    const migrated = await openStore(path, { visitTimeoutSec: 1800, rollupMinBytes: 0 });
    await migrated.compact();
    const check = new Database(path, { readonly: true });
    expect((check.prepare('SELECT COUNT(*) AS n FROM seg WHERE day = 20240320').get() as { n: number }).n).toBe(1);
    check.close();
    // Schema 10 stores rollups by list: every period is rolled up again, none lost, each with its
    // parts (but a day without lists: its directory is empty, 3 float64s).
    const period = (r: string): string => r.slice(r.indexOf(':') + 1);
    expect(ids().map(period).sort()).toEqual(built.map(period).sort());
    const parts = new Database(path, { readonly: true });
    const bare = parts
      .prepare('SELECT COUNT(*) AS n FROM seg_rollup r WHERE length(r.lists) > 24 AND NOT EXISTS (SELECT 1 FROM seg_rollup_part p WHERE p.rollup_id = r.id)')
      .get();
    parts.close();
    expect(bare).toEqual({ n: 0 });
    await migrated.close();
  });

  it('builds the heads of the days a store of schema 10 holds at its next compact (schema 11)', async () => {
    const path = fresh();
    const s = await openStore(path, { visitTimeoutSec: 1800, rollupMinBytes: 0 });
    for (const days of batches(5)) await s.commit(batchOf(days));
    await s.compact();
    const days = rollups(path, true);
    expect(days.length).toBeGreaterThan(10);
    await s.close();
    // The store as schema 10 left it: rollups of weeks and months only.
    const db = new Database(path);
    db.exec('DELETE FROM seg_rollup WHERE first_day = last_day; DELETE FROM schema_migration WHERE version IN (11, 12);');
    db.close();
    const migrated = await openStore(path, { visitTimeoutSec: 1800, rollupMinBytes: 0 });
    expect(rollups(path, true)).toEqual([]);
    await migrated.compact();
    expect(rollups(path, true)).toEqual(days);
    await migrated.close();
  });

  it('keeps one mark per written site-day whose week or month has not ended, and none for ended ones', async () => {
    const path = fresh();
    const s = await openStore(path, { visitTimeoutSec: 1800, rollupMinBytes: 0 });
    const today = new Date().toISOString().slice(0, 10);
    // Three pieces of today, two of a day long past.
    for (const date of [today, today, today, '2024-02-13', '2024-02-13']) await s.commit(batchOf([{ site: 'a.example', date, hits: 1, pages: 1 }]));
    await s.compact();
    const db = new Database(path, { readonly: true });
    const marks = db.prepare('SELECT day FROM seg_written ORDER BY id').raw().all();
    db.close();
    expect(marks).toEqual([[Number(today.replaceAll('-', ''))]]);
    await s.close();
  });
});
