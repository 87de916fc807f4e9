/**
 * A store of the layout before engine v2 (schema 2) converted by `weblog store migrate`: what
 * counted before counts after (totals, lists, others, rejects, meta, visitors and visits from the
 * old spans, checkpoints), orphans of the old ledger stay orphans, an interrupted conversion is
 * rerun without copying twice, and an ingest refuses the old store until it is migrated.
 */
import { expect, it } from 'vitest';
import { openDeployment } from '../../../src/store/clickhouse/deployment.js';
import { CH_MIGRATIONS, OLD_KEY_TABLE, columnTypes, createTable } from '../../../src/store/clickhouse/migrations.js';
import { upgradeToV3 } from '../../../src/store/clickhouse/upgrade.js';
import { migrateStore, openKeyRingFor, openStore } from '../../../src/store/index.js';
import { forEachServer, freshUrl, post } from './helpers.js';

const A1 = '7534213749030242304';
const A2 = '7534213749030242305';

/** A schema-2 store with one committed batch (attempt A1) and one orphan row (attempt A2). */
async function oldStore(http: string, url: string): Promise<string> {
  const db = new URL(url).pathname.slice(1);
  await post(http, `CREATE DATABASE ${db}`);
  await post(http, `CREATE DATABASE ${db}_keys`);
  await post(http, `CREATE TABLE ${db}_keys.${OLD_KEY_TABLE} (site String, day String, secret String, created DateTime DEFAULT now()) ENGINE = MergeTree() ORDER BY (site, day)`);
  await post(http, `CREATE TABLE ${db}.schema_migration (version UInt32, name String, applied_at DateTime) ENGINE = MergeTree() ORDER BY version`);
  const plain = columnTypes({ version: '18.16', queryParams: false, asyncInsert: false, compactSchema: false });
  for (const m of CH_MIGRATIONS.filter((x) => x.version <= 2)) {
    for (const t of m.tables(plain)) for (const s of createTable(t, { database: db, cluster: null, onCluster: false })) await post(http, s);
    await post(http, `INSERT INTO ${db}.schema_migration VALUES (${m.version}, '${m.name}', now())`);
  }
  const rows: [string, string][] = [
    ['ledger', `('cp-batch-1', ${A1}, ['a.example'], 'site:a.example', 100, 'h', 1, 2, 5000, 50, '2024-03-02 10:00:00')`],
    ['day_total', `('a.example', '2024-03-01', ${A1}, 50, 10, 7, 5000, 1, 0, 0)`],
    ['day_top', `('a.example', 2, '2024-03-01', '/x', ${A1}, 30, 3000), ('a.example', 1, '2024-03-01', '192.0.2.0', ${A1}, 50, 5000), ('a.example', 2, '2024-03-01', '/orphan', ${A2}, 99, 99)`],
    ['day_other', `('a.example', 2, '2024-03-01', ${A1}, 5, 500)`],
    ['visitor_span', `('a.example', '2024-03-01', 1, ${A1}, 100, 200, 1800), ('a.example', '2024-03-01', 1, ${A1}, 5000, 5000, 1800), ('a.example', '2024-03-01', 2, ${A1}, 100, 100, 1800)`],
    ['rejected', `('a.example', 'bad_ip', ${A1}, 3)`],
    ['site_meta', `('a.example', ${A1}, 'IP addresses shortened to /24 (IPv4) and /48 (IPv6)', 'user names replaced by per-site, daily-rotating pseudonyms', ['DB-IP'], 7)`],
  ];
  for (const [t, v] of rows) await post(http, `INSERT INTO ${db}.${t} VALUES ${v}`);
  return db;
}

forEachServer('upgrade from schema 2', (server) => {
  it('store migrate converts the data and checkpoints once, reruns without copying twice; ingests refuse the old store', async () => {
    const url = freshUrl(server, 'weblog_up');
    const db = await oldStore(server.http, url);
    await expect(openStore(url, { visitTimeoutSec: 1800 })).rejects.toMatchObject({ code: 'ERR_STORE_OPEN', message: expect.stringContaining('weblog store migrate') });
    // A conversion that copied and then died before recording version 3: the rerun copies again, once.
    const dep = await openDeployment(url);
    for (const m of CH_MIGRATIONS.filter((x) => x.version === 3)) {
      for (const t of m.tables(columnTypes(dep.features))) for (const s of createTable(t, dep.ddl)) await dep.main.exec(s);
    }
    await upgradeToV3(dep);
    await dep.close();
    expect(await migrateStore(url)).toMatchObject({ from: 2, to: 3 });

    const s = await openStore(url, { visitTimeoutSec: 1800 });
    const r = (await s.query({ site: 'a.example', from: null, to: null, top: 0 }))!;
    expect(r.days).toEqual([
      // Visitor 1: 100–200 and 5000 (a gap over the 30 minutes): two visits; visitor 2: one. No page views were recorded.
      { date: '2024-03-01', hits: 50, visitors: 2, visits: 3, pages: 10, bytes: 5000, bots: 1, ftpTransfers: 0, ftpBytes: 0, bounces: 0, visitSeconds: 100 },
    ]);
    expect(r.top.urls).toEqual([{ key: '/x', hits: 30, bytes: 3000 }]);
    expect(r.top.ips).toEqual([{ key: '192.0.2.0', hits: 50, bytes: 5000 }]);
    expect(r.others).toEqual({ urls: { hits: 5, bytes: 500 } });
    expect(r.rejected).toEqual({ bad_ip: 3 });
    // Schema 2 kept the policies as sentences; they read back as data.
    expect(r.meta).toEqual({ ip: [{ mode: 'mask', v4: 24, v6: 48 }], user: [{ mode: 'pseudonym' }], attribution: ['DB-IP'], rawWindowDays: 7 });
    expect(await s.checkpoints()).toEqual([{ fpLength: 100, fpHash: 'h', dev: 1, ino: 2, offset: 5000, lines: 50 }]);
    const tables = (await post(server.http, `SELECT name FROM system.tables WHERE database = '${db}' ORDER BY name FORMAT TSV`)).trim().split('\n');
    for (const gone of ['ledger', 'day_total', 'day_top', 'day_other', 'visitor_span']) expect(tables).not.toContain(gone);
    // The file goes on from where it stood.
    const { batchOf } = await import('../../helpers/batch.js');
    await s.commit(batchOf([{ site: 'a.example', date: '2024-03-02', hits: 5 }], { checkpoint: { fpLength: 100, fpHash: 'h', dev: 1, ino: 2, from: { fpLength: 100, fpHash: 'h', offset: 5000 }, offset: 6000, lines: 60 } }));
    expect((await s.checkpoints())[0]!.offset).toBe(6000);
    await s.close();
    // The old per-site-day keys are destroyed when a key ring opens.
    const ring = await openKeyRingFor(url);
    await ring.close();
    expect((await post(server.http, `EXISTS TABLE ${db}_keys.${OLD_KEY_TABLE}`)).trim()).toBe('0');
  }, 120_000);
});
