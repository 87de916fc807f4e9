import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { SiteMeta } from '../../../src/aggregate/index.js';
import { openStore } from '../../../src/store/index.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src/store/sqlite/migrations.js';
import { decodeVisits, encodeVisits } from '../../../src/store/sqlite/segment-codec.js';
import { runStoreContract } from '../../contract/store.contract.js';
import { batchOf } from '../../helpers/batch.js';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'weblog-store-')), 'w.db');

runStoreContract('sqlite', () => openStore(fresh(), { visitTimeoutSec: 1800 }));
// Every piece's intervals in several rows (schema v12), read back and merged as one.
runStoreContract('sqlite, intervals in 64-byte rows', () => openStore(fresh(), { visitTimeoutSec: 1800, visRowBytes: 64 }));

describe('sqlite store specifics', () => {
  it('records migrations and refuses a newer schema', async () => {
    const path = fresh();
    await (await openStore(path, { visitTimeoutSec: 1800 })).close();
    const db = new Database(path);
    expect((db.prepare('SELECT MAX(version) AS v FROM schema_migration').get() as { v: number }).v).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.prepare('INSERT INTO schema_migration VALUES (?, ?, ?)').run(SCHEMA_VERSION + 1, 'future', 'x');
    db.close();
    await expect(openStore(path, { visitTimeoutSec: 1800 })).rejects.toMatchObject({ code: 'ERR_STORE_SCHEMA_NEWER' });
  });

  it('rejects URLs it does not implement', async () => {
    await expect(openStore('postgres://u:secret@host:5432/db', { visitTimeoutSec: 1800 })).rejects.toMatchObject({ code: 'ERR_STORE_URL' });
  });

  it('v4 and v5 migrations: day_top rows of a v3 store become site-day segments with the same report', async () => {
    const path = fresh();
    const db = new Database(path);
    db.exec('CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 3)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migration VALUES (?, ?, ?)').run(m.version, m.name, 'then');
    }
    db.prepare("INSERT INTO site (id, name, created_at) VALUES (1, 'a.example', 'then')").run();
    db.prepare('INSERT INTO day_total (site_id, day, hits) VALUES (1, 20240301, 9), (1, 20240302, 4)').run();
    const dim = db.prepare('INSERT INTO dim (id, site_id, list, value) VALUES (?, 1, ?, ?)');
    dim.run(5, 1, '192.0.2.0');
    dim.run(3, 1, '198.51.100.0');
    dim.run(9, 2, '/index.html');
    const top = db.prepare('INSERT INTO day_top (site_id, list, day, dim_id, hits, bytes) VALUES (1, ?, ?, ?, ?, ?)');
    top.run(1, 20240301, 5, 6, 60);
    top.run(1, 20240301, 3, 2, 20);
    top.run(1, 20240302, 3, 5, 50);
    top.run(2, 20240302, 9, 4, 2 ** 40);
    db.close();
    const s = await openStore(path, { visitTimeoutSec: 1800 });
    const r = (await s.query({ site: 'a.example', from: null, to: null, top: 10 }))!;
    expect(r.top.ips).toEqual([
      { key: '198.51.100.0', hits: 7, bytes: 70 },
      { key: '192.0.2.0', hits: 6, bytes: 60 },
    ]);
    expect(r.top.urls).toEqual([{ key: '/index.html', hits: 4, bytes: 2 ** 40 }]);
    expect(r.distinctIps).toBe(2);
    await s.close();
    expect(r.days.map((d) => [d.date, d.hits])).toEqual([
      ['2024-03-01', 9],
      ['2024-03-02', 4],
    ]);
    await s.close();
    const after = new Database(path);
    for (const t of ['day_top', 'day_list', 'dim', 'day_total']) expect(after.prepare('SELECT COUNT(*) AS n FROM sqlite_master WHERE name = ?').get(t)).toEqual({ n: 0 });
    expect(after.prepare('SELECT COUNT(*) AS n FROM seg').get()).toEqual({ n: 2 });
    expect(after.pragma('auto_vacuum', { simple: true })).toBe(2);
    after.close();
  });

  it('v6 migration: the policy sentences of a v4 store become data, exactly as they were written', async () => {
    const path = fresh();
    const db = new Database(path);
    db.exec('CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 4)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migration VALUES (?, ?, ?)').run(m.version, m.name, 'then');
    }
    // What weblog wrote before: describeIpPolicy/describeUserPolicy sentences, joined when the policy changed.
    const put = db.prepare("INSERT INTO site (id, name, created_at, ip_policy, user_policy, raw_window_days) VALUES (?, ?, 'then', ?, ?, 7)");
    put.run(1, 'a.example', 'IP addresses shortened to /24 (IPv4) and /48 (IPv6); IP addresses replaced by per-site, daily-rotating pseudonyms', 'user names replaced by per-site, daily-rotating pseudonyms');
    put.run(2, 'b.example', 'full IP addresses (not anonymised); IP addresses removed', 'user names as logged (not anonymised); user names removed');
    put.run(3, 'c.example', 'something no weblog wrote', '');
    db.prepare('INSERT INTO day_total (site_id, day, hits) VALUES (1, 20240301, 1), (2, 20240301, 1), (3, 20240301, 1)').run();
    db.close();
    const s = await openStore(path, { visitTimeoutSec: 1800 });
    const meta = async (site: string) => (await s.query({ site, from: null, to: null, top: 1 }))!.meta;
    expect(await meta('a.example')).toMatchObject({ ip: [{ mode: 'mask', v4: 24, v6: 48 }, { mode: 'pseudonym', v4: null, v6: null }], user: [{ mode: 'pseudonym' }], rawWindowDays: 7 });
    expect(await meta('b.example')).toMatchObject({ ip: [{ mode: 'full', v4: null, v6: null }, { mode: 'drop', v4: null, v6: null }], user: [{ mode: 'full' }, { mode: 'drop' }] });
    // Not guessed: a sentence no weblog wrote stays in the old column and is not made into a policy.
    expect(await meta('c.example')).toMatchObject({ ip: [], user: [] });
    await s.close();
  });

  it('v7 migration: the open visit intervals of a v6 store move to seg_vis and are still joined; closing them keeps the counts', async () => {
    const path = fresh();
    const s = await openStore(path, { visitTimeoutSec: 1800 });
    // Two open pieces of one day (two commits, not compacted): visitor 7 is in both, one visit.
    await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 1, pages: 1, visits: [{ visitor: 7, first: 100, last: 100 }] }]));
    await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 1, pages: 1, visits: [{ visitor: 7, first: 200, last: 200 }, { visitor: 8, first: 300, last: 300 }] }]));
    const before = (await s.query({ site: 'a.example', from: null, to: null, top: 10 }))!;
    expect([before.days[0]!.visitors, before.days[0]!.visits]).toEqual([2, 2]);
    await s.close();
    // The same store as v6 wrote it: the intervals in seg.vis (and no v8 rollups).
    const db = new Database(path);
    db.exec(`DELETE FROM schema_migration WHERE version IN (11, 12); DROP TRIGGER seg_rollup_part_follows; DROP TABLE seg_rollup_part; DELETE FROM schema_migration WHERE version = 10;
      DROP TRIGGER seg_written_add; DROP TABLE seg_written; DELETE FROM schema_migration WHERE version = 9;
      DROP TRIGGER seg_rollup_stale_add;
      DROP TRIGGER seg_rollup_stale_del;
      DROP TABLE seg_rollup;
      DELETE FROM schema_migration WHERE version = 8;
      DROP TRIGGER seg_vis_follows;
      ALTER TABLE seg ADD COLUMN vis BLOB;
      UPDATE seg SET vis = unhex((SELECT hex(vis) FROM seg_vis v WHERE v.seq = seg.seq) || 'ABABABABABABABAB');
      DROP TABLE seg_vis;
      CREATE INDEX seg_open ON seg (site_id, day, gen) WHERE vis IS NOT NULL;
      DELETE FROM schema_migration WHERE version = 7;`);
    expect(db.prepare('SELECT COUNT(*) AS n FROM seg WHERE vis IS NOT NULL').get()).toEqual({ n: 2 });
    db.close();
    const s2 = await openStore(path, { visitTimeoutSec: 1800 });
    expect(await s2.query({ site: 'a.example', from: null, to: null, top: 10 })).toEqual(before);
    const rows = (): { segs: number; open: number } => {
      const d = new Database(path, { readonly: true });
      const r = d.prepare('SELECT (SELECT COUNT(*) FROM seg) AS segs, (SELECT COUNT(*) FROM seg_vis) AS open').get() as { segs: number; open: number };
      d.close();
      return r;
    };
    expect(rows()).toEqual({ segs: 2, open: 2 });
    // Re-encoded, not copied: what v6 wrote past the columns (an unwritten tenth column, padding:
    // whatever the process's memory held) is gone; each blob is its columns, padding zeroed.
    const blobs = (): Buffer[] => {
      const d = new Database(path, { readonly: true });
      const b = d.prepare('SELECT vis FROM seg_vis ORDER BY seq').pluck().all() as Buffer[];
      d.close();
      return b;
    };
    const pad8 = (n: number): number => (n + 7) & ~7;
    const checkBlob = (b: Buffer): void => {
      const n = b.readUInt32LE(0);
      expect(b.length).toBe(8 + pad8(n * 8) + 9 * pad8(n * 4));
      expect(b.includes(Buffer.from('abababab', 'hex'))).toBe(false);
      // The padding after each odd-length 32-bit column is zero.
      if (n % 2 === 1) for (let c = 0; c < 9; c++) expect(b.readUInt32LE(8 + pad8(n * 8) + c * pad8(n * 4) + n * 4)).toBe(0);
    };
    expect(blobs().map((b) => b.readUInt32LE(0))).toEqual([1, 2]);
    blobs().forEach(checkBlob);
    // A third piece, then compaction: the pieces and their intervals go (the trigger), the joined day's stay.
    await s2.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 1, pages: 1, visits: [{ visitor: 7, first: 250, last: 250 }] }]));
    expect(rows()).toEqual({ segs: 3, open: 3 });
    await s2.compact();
    expect(rows()).toEqual({ segs: 1, open: 1 });
    // The compacted day's intervals, encoded by this build: the same hygiene.
    blobs().forEach(checkBlob);
    const joined = (await s2.query({ site: 'a.example', from: null, to: null, top: 10 }))!;
    expect([joined.days[0]!.hits, joined.days[0]!.visitors, joined.days[0]!.visits]).toEqual([3, 2, 2]);
    // Closing deletes the intervals only: the day's counts stay.
    expect(await s2.closeVisits(() => '2024-03-02', new Date())).toBe(1);
    expect(rows()).toEqual({ segs: 1, open: 0 });
    expect((await s2.query({ site: 'a.example', from: null, to: null, top: 10 }))!.days).toEqual(joined.days);
    await s2.close();
  });

  it('small batches of one day keep few segments, and compact() leaves one per day; the file does not grow with rewrites', async () => {
    const path = fresh();
    const s = await openStore(path, { visitTimeoutSec: 1800 });
    for (let b = 0; b < 300; b++) {
      const ips = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`10.0.${b}.${i}`, 1]));
      await s.commit(batchOf([{ site: 'a.example', date: '2024-03-01', hits: 3, list: { ips }, visits: [{ visitor: b % 7, first: b * 10, last: b * 10 }] }]));
    }
    const segments = (): number => {
      const db = new Database(path, { readonly: true });
      const { n } = db.prepare('SELECT COUNT(*) AS n FROM seg').get() as { n: number };
      db.close();
      return n;
    };
    expect(segments()).toBeLessThan(8);
    const before = (await s.query({ site: 'a.example', from: null, to: null, top: 0 }))!;
    expect(before.distinctIps).toBe(900);
    expect(before.days[0]!.visitors).toBe(7);
    await s.compact();
    expect(segments()).toBe(1);
    expect(await s.query({ site: 'a.example', from: null, to: null, top: 0 })).toEqual(before);
    await s.close();
  });

  it('compact() merges a site-day with the pieces earlier runs left, and leaves days this run alone wrote as they are', async () => {
    const path = fresh();
    const day = (date: string, b: number) =>
      batchOf([{ site: 'a.example', date, hits: 2, list: { ips: { [`10.1.${b}.1`]: 1, [`10.1.${b}.2`]: 1 } }, visits: [{ visitor: b, first: b * 100, last: b * 100 }] }]);
    const first = await openStore(path, { visitTimeoutSec: 1800 });
    await first.commit(day('2024-03-01', 1));
    await first.compact();
    await first.close();
    const second = await openStore(path, { visitTimeoutSec: 1800 });
    await second.commit(day('2024-03-01', 2));
    await second.commit(day('2024-03-02', 3));
    const perDay = (): Record<string, number> => {
      const db = new Database(path, { readonly: true });
      const rows = db.prepare('SELECT day, COUNT(*) AS n FROM seg GROUP BY day ORDER BY day').all() as { day: number; n: number }[];
      db.close();
      return Object.fromEntries(rows.map((r) => [String(r.day), r.n]));
    };
    expect(perDay()).toEqual({ '20240301': 2, '20240302': 1 });
    const before = (await second.query({ site: 'a.example', from: null, to: null, top: 0 }))!;
    await second.compact();
    expect(perDay()).toEqual({ '20240301': 1, '20240302': 1 });
    expect(await second.query({ site: 'a.example', from: null, to: null, top: 0 })).toEqual(before);
    await second.close();
  });

  it('deleting a site leaves no row of its id in any table, its marks for the next compaction included', async () => {
    const path = fresh();
    const s = await openStore(path, { visitTimeoutSec: 1800, rollupMinBytes: 0 });
    const today = new Date().toISOString().slice(0, 10);
    for (const date of ['2024-03-04', '2024-03-05', today, today]) {
      await s.commit(batchOf([{ site: 'a.example', date, hits: 2, list: { urls: { '/x': 2 } } }, { site: 'b.example', date, hits: 1 }]));
    }
    await s.compact();
    const db = new Database(path, { readonly: true });
    const id = (db.prepare("SELECT id FROM site WHERE name = 'a.example'").get() as { id: number }).id;
    const ofSite = (): Record<string, number> =>
      Object.fromEntries(['seg', 'seg_rollup', 'seg_written'].map((t) => [t, (db.prepare(`SELECT COUNT(*) AS n FROM ${t} WHERE site_id = ?`).get(id) as { n: number }).n]));
    // Its week of March 2024 rolled up and its two days (their heads), today's day still marked
    // (its week has not ended).
    expect(ofSite()).toEqual({ seg: 3, seg_rollup: 3, seg_written: 1 });
    await s.deleteSite('a.example', 'contract-end', 'test', new Date());
    expect(ofSite()).toEqual({ seg: 0, seg_rollup: 0, seg_written: 0 });
    db.close();
    await s.close();
  });

  it('a busy site-day merged in two steps (visits, then lists) stores the rows a one-step merge stores, byte for byte', async () => {
    // A small LCG: the same batches for both stores, with visitors that come back across batches.
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const batches = Array.from({ length: 21 }, (_, b) =>
      batchOf(
        ['2024-03-01', '2024-03-02'].map((date, d) => {
          const pages = Array.from({ length: 12 }, (_, i) => `/p/${(b * 3 + i * 7 + d) % 40}`);
          const visits = Array.from({ length: 30 }, () => {
            const first = b * 600 + rnd(900);
            const n = rnd(3);
            return n === 0
              ? { visitor: rnd(50), first, last: first + rnd(60) }
              : { visitor: rnd(50), first, last: first + rnd(600), pages: n, entry: pages[rnd(12)]!, exit: pages[rnd(12)]! };
          });
          const urls = Object.fromEntries(pages.map((u) => [u, 1 + rnd(5)]));
          const ips = Object.fromEntries(Array.from({ length: 20 }, () => [`10.0.${rnd(4)}.${rnd(60)}`, 1 + rnd(3)]));
          return { site: 'a.example', date, hits: 40 + b, pages: 20 + d, bytes: 1000 * b, list: { urls, ips, statusCodes: { '200': 30, [String(300 + rnd(5))]: 2 } }, others: { ips: [b, b * 10] }, visits };
        }),
      ),
    );
    const stores = await Promise.all([0, Number.MAX_SAFE_INTEGER].map(async (stepwiseBytes) => {
      const path = fresh();
      // One key-hash seed for both stores, so that their blobs can be compared.
      await (await openStore(path, { visitTimeoutSec: 1800 })).close();
      const meta = new Database(path);
      meta.prepare("UPDATE store_meta SET value = '12345' WHERE key = 'hash_seed'").run();
      meta.close();
      const s = await openStore(path, { visitTimeoutSec: 1800, stepwiseBytes });
      for (const b of batches) await s.commit(b);
      await s.compact();
      const report = await s.query({ site: 'a.example', from: null, to: null, top: 50 });
      await s.close();
      const db = new Database(path, { readonly: true });
      const rows = db
        .prepare('SELECT g.day, g.gen, g.hits, g.pages, g.bytes, g.visitors, g.visits, g.bounces, g.visit_seconds, g.lists, v.vis FROM seg g LEFT JOIN seg_vis v ON v.seq = g.seq ORDER BY g.day, g.seq')
        .all() as { day: number; vis: Buffer | null }[];
      db.close();
      return { rows, report };
    }));
    const [stepwise, atOnce] = stores;
    // One piece a day, with its intervals (still open), and the visits joined across batches.
    expect(stepwise!.rows.map((r) => [r.day, r.vis !== null])).toEqual([
      [20240301, true],
      [20240302, true],
    ]);
    expect(stepwise!.report!.days[0]!.visitors).toBeLessThanOrEqual(50);
    expect(stepwise!.rows).toEqual(atOnce!.rows);
    // Laid out as a blob of its own count, padding zeroed: what encoding the intervals anew gives.
    for (const r of stepwise!.rows) expect(encodeVisits(decodeVisits(r.vis!))).toEqual(r.vis);
    expect(stepwise!.report).toEqual(atOnce!.report);
  });

  it('a log committed in 1 batch or in 50 gives stores within 10 % of each other in size', async () => {
    const sizes: number[] = [];
    for (const batches of [1, 50]) {
      const path = fresh();
      const s = await openStore(path, { visitTimeoutSec: 1800 });
      const perBatch = 50 / batches;
      for (let b = 0; b < batches; b++) {
        const parts = [];
        for (let k = 0; k < perBatch; k++) {
          const i = b * perBatch + k;
          const ips = Object.fromEntries(Array.from({ length: 40 }, (_, j) => [`10.${i % 5}.${j}.${i}`, 1]));
          const urls = Object.fromEntries(Array.from({ length: 40 }, (_, j) => [`/page/${j}/${i % 3}`, 1]));
          parts.push({ site: `s${i % 4}.example`, date: `2024-03-0${1 + (i % 3)}`, hits: 40, list: { ips, urls }, visits: [{ visitor: i, first: i, last: i }] });
        }
        await s.commit(batchOf(parts));
      }
      await s.compact();
      await s.close();
      const db = new Database(path, { readonly: true });
      sizes.push((db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number));
      db.close();
    }
    expect(Math.abs(sizes[1]! - sizes[0]!) / sizes[0]!, `sizes ${sizes.join(' / ')}`).toBeLessThan(0.1);
  });
});
