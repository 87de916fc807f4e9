/**
 * ClickHouse store benchmark, next to the embedded SQLite store in the same run (issues 15 and
 * 17): a shared host's log (`vhost_combined`, the engine issue's shapes: 1M lines over 500 and
 * over 5,000 vhosts, 7 days), ingested into SQLite and into every configured ClickHouse server.
 *
 *   eval "$(scripts/clickhouse/start.sh)"; eval "$(scripts/clickhouse/start.sh --modern)"
 *   node --import tsx bench/clickhouse.ts                       1M lines, 500 and 5,000 vhosts
 *   node --import tsx bench/clickhouse.ts --lines 200000 --sites 500 --runs 3
 *   node --import tsx bench/clickhouse.ts --plain               also 26.x with 18.16's column types (no LowCardinality, no codecs)
 *
 * Per store and input:
 * - ingest: `weblog ingest --format vhost_combined --now 2024-03-11 --no-purge` (the log's days
 *   inside the raw window, so the ClickHouse writers agree on keys) as a child process under
 *   /usr/bin/time: wall clock, lines/s, peak RSS of weblog (the server's memory is not in it);
 * - disk: ClickHouse `system.parts` bytes on disk (data and key databases, active parts);
 *   SQLite the store and key files;
 * - report: `weblog report --site site1.example --format json` (the busiest site, all 7 days),
 *   in-process, median of --runs;
 * - overview: what the operator overview page reads (server/pages/data.ts on main: retention(),
 *   rawFiles(), then per site a 30-day top-1 report), over the first --overview sites in name
 *   order; the full time is extrapolated to every site.
 * Also prints `uptime` before and after: the machine is shared.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeLogFile } from '../fixtures/generate.js';
import { main } from '../src/cli/main.js';
import { openStore } from '../src/store/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NOW = '2024-03-11';

const { values } = parseArgs({
  options: {
    lines: { type: 'string' },
    sites: { type: 'string' },
    runs: { type: 'string' },
    overview: { type: 'string' },
    'no-sqlite': { type: 'boolean' },
    plain: { type: 'boolean' },
  },
});
const lines = Number(values.lines ?? 1_000_000);
const siteCounts = (values.sites ?? '500,5000').split(',').map(Number);
const runs = Number(values.runs ?? 5);
const overviewSites = Number(values.overview ?? 200);

interface Target {
  readonly name: string;
  /** A fresh store location. */
  readonly fresh: () => string;
  readonly env?: NodeJS.ProcessEnv;
}

const targets: Target[] = [];
if (!values['no-sqlite']) targets.push({ name: 'SQLite (embedded)', fresh: () => join(mkdtempSync(join(tmpdir(), 'weblog-bench-')), 'b.db') });
/** One query over HTTP, on a fresh connection (18.16 closes idle keep-alive sockets after 3 s). */
async function chQuery(url: string, body: string): Promise<string> {
  const u = new URL(url);
  const r = await fetch(`http://${u.host}/`, { method: 'POST', body, headers: { connection: 'close' } });
  const text = await r.text();
  if (!r.ok) throw new Error(text);
  return text.trim();
}
const versionOf = (url: string): Promise<string> => chQuery(url, 'SELECT version()');
for (const env of ['CLICKHOUSE_URL', 'CLICKHOUSE_MODERN_URL']) {
  const base = process.env[env];
  if (!base) continue;
  const version = await versionOf(base);
  const fresh = (): string => {
    const u = new URL(base);
    u.pathname = `/weblog_bench_${randomBytes(4).toString('hex')}`;
    return u.toString();
  };
  targets.push({ name: `ClickHouse ${version}`, fresh });
  if (values.plain && !version.startsWith('18.')) targets.push({ name: `ClickHouse ${version}, 18.16's column types`, fresh, env: { WEBLOG_CH_PLAIN_SCHEMA: '1' } });
}
if (targets.length === 0) {
  process.stderr.write('nothing to measure: set CLICKHOUSE_URL and/or CLICKHOUSE_MODERN_URL (scripts/clickhouse/start.sh), or drop --no-sqlite\n');
  process.exit(2);
}

async function cli(args: string[]): Promise<string> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c));
  err.on('data', (c: Buffer) => (stderr += c));
  const code = await main(args, { stdout: out, stderr: err, env: { ...process.env } });
  if (code !== 0) throw new Error(`weblog ${args[0]} exited ${code}: ${stderr}`);
  return stdout;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const uptime = (): string => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();

/** Bytes on disk of a store: ClickHouse active parts of its databases, or the SQLite files. */
async function diskBytes(store: string): Promise<number> {
  if (!/^clickhouse:/.test(store)) {
    return [store, `${store}-wal`, `${store}.keys`].filter(existsSync).reduce((s, f) => s + statSync(f).size, 0);
  }
  const db = new URL(store).pathname.slice(1);
  return Number(await chQuery(store, `SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database IN ('${db}', '${db}_keys')`));
}

/** Bytes on disk per table of a ClickHouse store (null for SQLite). */
async function tableBytes(store: string): Promise<Map<string, number> | null> {
  if (!/^clickhouse:/.test(store)) return null;
  const db = new URL(store).pathname.slice(1);
  const text = await chQuery(store, `SELECT table, sum(bytes_on_disk) FROM system.parts WHERE active AND database = '${db}' GROUP BY table ORDER BY table FORMAT TSV`);
  return new Map(text.split('\n').filter((l) => l !== '').map((l) => l.split('\t') as [string, string]).map(([t, b]) => [t.replace(/_local$/, ''), Number(b)]));
}

interface Row {
  store: string;
  tables: Map<string, number> | null;
  ingestS: number;
  linesPerS: number;
  rssMb: number;
  /** User + system CPU time of the weblog process (the server's is not in it). */
  cpuS: number;
  diskMb: number;
  reportMs: number;
  overviewPerSiteMs: number;
  overviewS: number;
}

async function measure(t: Target, file: string, sites: number): Promise<Row> {
  const store = t.fresh();
  const raw = mkdtempSync(join(tmpdir(), 'weblog-bench-raw-'));
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %M %U %S', process.execPath, '--import', 'tsx', join(ROOT, 'test', 'helpers', 'entry.ts'), 'ingest', '--store', store, '--format', 'vhost_combined', '--now', NOW, '--no-purge', '--quiet', file],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, XDG_DATA_HOME: raw, ...t.env }, maxBuffer: 1 << 26 },
  );
  if (r.status !== 0) throw new Error(`ingest into ${t.name} failed: ${r.stderr}`);
  const [wall, rssKb, user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number, number];
  const disk = await diskBytes(store);
  const tables = await tableBytes(store);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await cli(['report', '--store', store, '--site', 'site1.example', '--format', 'json']);
    times.push(performance.now() - t0);
  }
  // The operator overview's reads (server/pages/data.ts): retention, raw files, a 30-day top-1 report per site.
  const s = await openStore(store, { visitTimeoutSec: 1800, readonly: true });
  const t0 = performance.now();
  const retention = await s.retention();
  await s.rawFiles();
  const listed = retention.slice(0, overviewSites);
  for (const site of listed) await s.query({ site: site.site, from: '2024-02-10', to: '2024-03-10', top: 1 });
  const spent = performance.now() - t0;
  await s.close();
  const perSite = spent / Math.max(1, listed.length);
  return {
    store: t.name,
    tables,
    ingestS: wall,
    linesPerS: lines / wall,
    rssMb: rssKb / 1024,
    cpuS: user + sys,
    diskMb: disk / 2 ** 20,
    reportMs: median(times),
    overviewPerSiteMs: perSite,
    overviewS: (perSite * retention.length) / 1000,
  };
}

const cache = join(ROOT, 'bench', '.cache');
mkdirSync(cache, { recursive: true });
process.stdout.write(`${cpus().length} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB; before: ${uptime()}\n`);
for (const sites of siteCounts) {
  const file = join(cache, `vhost-${lines}-${sites}.log`);
  if (!existsSync(file)) {
    process.stderr.write(`generating ${lines} lines over ${sites} vhosts → ${file}\n`);
    await writeLogFile({ lines, seed: 1, sites, format: 'vhost_combined' }, file);
  }
  const rows: Row[] = [];
  for (const t of targets) {
    process.stderr.write(`${sites} vhosts: ${t.name} …\n`);
    rows.push(await measure(t, file, sites));
  }
  const sqlite = rows.find((r) => r.store.startsWith('SQLite'));
  process.stdout.write(
    `\n${lines.toLocaleString('en')} lines over ${sites.toLocaleString('en')} vhosts, 7 days (\`--now ${NOW}\`); load after: ${uptime()}\n\n` +
      '| store | ingest | vs SQLite | CPU (weblog) | lines/s | peak RSS (weblog) | disk | report, busiest site (median) | overview per site | overview, all sites |\n' +
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n' +
      rows
        .map(
          (r) =>
            `| ${r.store} | ${r.ingestS.toFixed(1)} s | ${sqlite ? `${(r.ingestS / sqlite.ingestS).toFixed(2)}×` : '–'} | ${r.cpuS.toFixed(1)} s | ${Math.round(r.linesPerS).toLocaleString('en')} | ${Math.round(r.rssMb)} MB | ${r.diskMb.toFixed(1)} MiB | ${Math.round(r.reportMs)} ms | ${r.overviewPerSiteMs.toFixed(1)} ms | ${r.overviewS.toFixed(1)} s |`,
        )
        .join('\n') +
      '\n',
  );
  const withTables = rows.filter((r) => r.tables !== null);
  if (withTables.length > 0) {
    const names = [...new Set(withTables.flatMap((r) => [...r.tables!.keys()]))].sort();
    process.stdout.write(
      `\nBytes on disk per table (MiB):\n\n| table | ${withTables.map((r) => r.store).join(' | ')} |\n| --- |${withTables.map(() => ' ---: |').join('')}\n` +
        names.map((n) => `| ${n} | ${withTables.map((r) => ((r.tables!.get(n) ?? 0) / 2 ** 20).toFixed(2)).join(' | ')} |`).join('\n') +
        '\n',
    );
  }
}
process.exit(0);
