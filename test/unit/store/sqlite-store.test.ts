import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/index.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../src/store/sqlite/migrations.js';
import { day, runStoreContract } from '../../contract/store.contract.js';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'weblog-store-')), 'w.db');

runStoreContract('sqlite', () => openStore(fresh(), { visitTimeoutSec: 1800 }));

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

  it('v4 migration: day_top rows of a v3 store become list segments with the same report', async () => {
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
    const after = new Database(path);
    expect(after.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'day_top'").get()).toEqual({ n: 0 });
    after.close();
  });

  it('small batches of one day leave few list segments (merged by size)', async () => {
    const path = fresh();
    const s = await openStore(path, { visitTimeoutSec: 1800 });
    const meta = new Map([['a.example', { ipPolicy: 'full', userPolicy: 'full', attribution: [], rawWindowDays: 0 }]]);
    for (let b = 0; b < 300; b++) {
      const ips = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`10.0.${b}.${i}`, 1]));
      await s.commit({ days: [day('a.example', '2024-03-01', { hits: 3, list: { ips } })], sites: meta, rejected: [], checkpoint: null, raw: [], lines: 3 });
    }
    expect((await s.query({ site: 'a.example', from: null, to: null, top: 0 }))!.distinctIps).toBe(900);
    await s.close();
    const db = new Database(path);
    const { n } = db.prepare('SELECT COUNT(*) AS n FROM day_list WHERE list = 1').get() as { n: number };
    db.close();
    expect(n).toBeGreaterThan(1);
    expect(n).toBeLessThanOrEqual(Math.ceil(Math.log2(300)) + 1);
  });
});
