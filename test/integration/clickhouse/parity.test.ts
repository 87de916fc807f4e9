/**
 * Same input → the same JSON report, byte for byte, from the SQLite store and the ClickHouse
 * store: sequentially, and with the input split in two halves ingested by two concurrent
 * `weblog ingest` processes (split at a day boundary: see docs/clickhouse.md on interleaved writers).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { weblogProcess } from '../../helpers/cli.js';
import { CH_URL, freshUrl, requireServer } from './helpers.js';
import { ELASTIC, HAVE_ELASTIC, expectSameReports, generated, ingest, reports, splitAtDay } from './parity-util.js';

requireServer('parity', CH_URL !== '');

const sqlite = () => join(mkdtempSync(join(tmpdir(), 'weblog-ch-parity-')), 'w.db');

describe.skipIf(CH_URL === '')('SQLite ↔ ClickHouse parity', () => {
  process.env.WEBLOG_CH_KEY_SETTLE_S = '0';
  let gen = '';
  beforeAll(async () => {
    gen = await generated();
  }, 300_000);

  it.skipIf(!HAVE_ELASTIC)('elastic_apache_logs.log: identical JSON reports', async () => {
    const a = sqlite();
    const b = freshUrl();
    await ingest(a, ['--site', 'elastic.example', '--batch-lines', '3000', ELASTIC]);
    await ingest(b, ['--site', 'elastic.example', '--batch-lines', '3000', ELASTIC]);
    const ra = await reports(a);
    expect(ra.size).toBe(1);
    expect(JSON.parse(ra.get('elastic.example')!).totals.hits).toBeGreaterThan(9000);
    expectSameReports(ra, await reports(b));
  }, 300_000);

  it('generated multi-site vhost fixture: sequential and two concurrent writers', async () => {
    const a = sqlite();
    const b = freshUrl();
    const c = freshUrl();
    await ingest(a, ['--format', 'vhost_combined', '--batch-lines', '50000', gen]);
    await ingest(b, ['--format', 'vhost_combined', '--batch-lines', '50000', gen]);
    const ra = await reports(a);
    expect(ra.size).toBe(6);
    expectSameReports(ra, await reports(b));
    // Two processes, each half of the input, at the same time.
    const [h1, h2] = splitAtDay(gen);
    const args = (f: string) => ['ingest', '--store', c, '--format', 'vhost_combined', '--batch-lines', '50000', '--user', 'full', '--no-purge', '--quiet', f];
    const done = await Promise.all([weblogProcess(args(h1)), weblogProcess(args(h2))]);
    for (const r of done) expect(r.code, r.stderr).toBe(0);
    expectSameReports(ra, await reports(c));
  }, 600_000);
});
