/**
 * Two local servers as two shards of Distributed tables (scripts/clickhouse/start.sh --cluster):
 * the generated multi-site fixture, split in two halves ingested by two concurrent processes,
 * must give the same JSON reports as the SQLite store, and rows must really live on both shards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { weblog, weblogProcess } from '../../helpers/cli.js';
import { CH_CLUSTER, requireServer } from './helpers.js';
import { COMMON, expectSameReports, generated, ingest, reports, splitAtDay } from './parity-util.js';

requireServer('2-shard cluster', CH_CLUSTER.length >= 2);

describe.skipIf(CH_CLUSTER.length < 2)('2-shard cluster', () => {
  it('two writers into a Distributed store report what SQLite reports', async () => {
    process.env.WEBLOG_CH_KEY_SETTLE_S = '0';
    const nodes = CH_CLUSTER.map((u) => new URL(u).host);
    const db = `weblog_c_${randomBytes(4).toString('hex')}`;
    // DDL per node (no ZooKeeper here, so no ON CLUSTER); every writer talks to the first node.
    const url = `clickhouse://default:@${nodes[0]}/${db}?cluster=weblog_cluster&nodes=${nodes.join(',')}`;
    const m = await weblog(['store', 'migrate', '--store', url]);
    expect(m.code, m.stderr).toBe(0);
    const gen = await generated();
    const sqlite = join(mkdtempSync(join(tmpdir(), 'weblog-ch-cluster-')), 'w.db');
    await ingest(sqlite, ['--format', 'vhost_combined', '--batch-lines', '50000', gen]);
    const [h1, h2] = splitAtDay(gen);
    const args = (f: string) => ['ingest', '--store', url, '--format', 'vhost_combined', '--batch-lines', '50000', ...COMMON, f];
    const done = await Promise.all([weblogProcess(args(h1)), weblogProcess(args(h2))]);
    for (const r of done) expect(r.code, r.stderr).toBe(0);
    expectSameReports(await reports(sqlite), await reports(url));
    // Sharded by site: each shard holds some sites' rows, none holds all.
    const perShard = await Promise.all(
      CH_CLUSTER.map(async (u) => Number((await (await fetch(`${u}/`, { method: 'POST', body: `SELECT uniqExact(site) FROM ${db}.day_total_local` })).text()).trim())),
    );
    expect(perShard.every((n) => n > 0)).toBe(true);
    expect(perShard.reduce((a, b) => a + b, 0)).toBe(6);
  }, 600_000);
});
