/**
 * Two local servers as two shards of Distributed tables (scripts/clickhouse/start.sh [--modern] --cluster):
 * the generated multi-site fixture, split in two halves ingested by two concurrent processes,
 * must give the same JSON reports as the SQLite store, and rows must really live on both shards.
 * Once per configured cluster; the SQLite side is ingested once and shared.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { weblog, weblogProcess } from '../../helpers/cli.js';
import { forEachCluster, post } from './helpers.js';
import { COMMON, expectSameReports, generated, ingest, once, reports, splitAtDay } from './parity-util.js';

const gen = once(generated);
const sqliteReports = once(async () => {
  const sqlite = join(mkdtempSync(join(tmpdir(), 'weblog-ch-cluster-')), 'w.db');
  await ingest(sqlite, ['--format', 'vhost_combined', '--batch-lines', '50000', await gen()]);
  return reports(sqlite);
});
const halves = once(async () => splitAtDay(await gen()));

forEachCluster('2-shard cluster', (cluster) => {
  it('two writers into a Distributed store report what SQLite reports', async () => {
    const nodes = cluster.urls.map((u) => new URL(u).host);
    const db = `weblog_c_${randomBytes(4).toString('hex')}`;
    // DDL per node (no ZooKeeper here, so no ON CLUSTER); every writer talks to the first node.
    const url = `clickhouse://default:@${nodes[0]}/${db}?cluster=weblog_cluster&nodes=${nodes.join(',')}`;
    const m = await weblog(['store', 'migrate', '--store', url]);
    expect(m.code, m.stderr).toBe(0);
    const [h1, h2] = await halves();
    const args = (f: string) => ['ingest', '--store', url, '--format', 'vhost_combined', '--batch-lines', '50000', ...COMMON, f];
    const done = await Promise.all([weblogProcess(args(h1)), weblogProcess(args(h2))]);
    for (const r of done) expect(r.code, r.stderr).toBe(0);
    expectSameReports(await sqliteReports(), await reports(url));
    // Closing every day's visits (a purge long after the log) drops the intervals on both shards
    // and keeps every number.
    const purged = await weblog(['purge', '--store', url, '--now', '2030-01-01', '--quiet']);
    expect(purged.code, purged.stderr).toBe(0);
    for (const u of cluster.urls) expect(Number((await post(u, `SELECT count() FROM ${db}.visit_local`)).trim())).toBe(0);
    expectSameReports(await sqliteReports(), await reports(url));
    // Sharded by site: each shard holds some sites' rows, none holds all.
    const perShard = await Promise.all(cluster.urls.map(async (u) => Number((await post(u, `SELECT uniqExact(site) FROM ${db}.site_day_local`)).trim())));
    expect(perShard.every((n) => n > 0)).toBe(true);
    expect(perShard.reduce((a, b) => a + b, 0)).toBe(6);
  }, 900_000);
});
