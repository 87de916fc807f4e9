/**
 * ClickHouse store benchmark, next to the embedded SQLite store: ingest lines/s and report
 * latency for a 30-day range, on one generated multi-site log spanning 30 days.
 *
 *   CLICKHOUSE_URL=clickhouse://default:@127.0.0.1:18123/x node --import tsx bench/clickhouse.ts           1M lines
 *   … bench/clickhouse.ts --large                                                                           10M lines
 *   … bench/clickhouse.ts --lines 200000 --runs 3
 *
 * Ingest runs in-process through the CLI (the same code as `weblog ingest`); the report is
 * `weblog report --format json --top 10` for the busiest site over all 30 days, median of --runs.
 * Start a server with scripts/clickhouse/start.sh. docs/clickhouse.md has measured numbers.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeLogFile } from '../fixtures/generate.js';
import { main } from '../src/cli/main.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: { large: { type: 'boolean' }, lines: { type: 'string' }, runs: { type: 'string' }, 'no-sqlite': { type: 'boolean' } },
});
const lines = values.lines ? Number(values.lines) : values.large ? 10_000_000 : 1_000_000;
const runs = Number(values.runs ?? 5);
const chBase = process.env.CLICKHOUSE_URL;
if (!chBase) {
  process.stderr.write('CLICKHOUSE_URL is not set: eval "$(scripts/clickhouse/start.sh)" first\n');
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

async function measure(store: string, file: string): Promise<{ ingestS: number; linesPerS: number; reportMs: number }> {
  const t0 = performance.now();
  await cli(['ingest', '--store', store, '--format', 'vhost_combined', '--no-purge', '--quiet', file]);
  const ingestS = (performance.now() - t0) / 1000;
  // The busiest site (site1 with the Zipf site skew), the whole 30-day range.
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await cli(['report', '--store', store, '--site', 'site1.example', '--from', '2024-03-01', '--to', '2024-03-30', '--format', 'json']);
    times.push(performance.now() - t);
  }
  return { ingestS, linesPerS: lines / ingestS, reportMs: median(times) };
}

const cache = join(ROOT, 'bench', '.cache');
mkdirSync(cache, { recursive: true });
const file = join(cache, `vhost30-${lines}.log`);
if (!existsSync(file)) {
  process.stderr.write(`generating ${lines} lines → ${file}\n`);
  await writeLogFile({ lines, seed: 7, sites: 20, days: 30, start: '2024-03-01', format: 'vhost_combined', clients: 100_000 }, file);
}

const u = new URL(chBase);
u.pathname = `/weblog_bench_${randomBytes(4).toString('hex')}`;
const rows: [string, Awaited<ReturnType<typeof measure>>][] = [];
process.stderr.write('ClickHouse …\n');
rows.push([`ClickHouse (${u.host})`, await measure(u.toString(), file)]);
if (!values['no-sqlite']) {
  process.stderr.write('SQLite …\n');
  rows.push(['SQLite (embedded)', await measure(join(mkdtempSync(join(tmpdir(), 'weblog-bench-')), 'b.db'), file)]);
}
const version = await fetch(`http://${u.host}/`, { method: 'POST', body: 'SELECT version()' }).then((r) => r.text());
process.stdout.write(
  `\n${lines.toLocaleString('en')} lines, 20 sites, 30 days; ClickHouse ${version.trim()}; ${cpus().length} CPUs, ${Math.round(totalmem() / 2 ** 30)} GiB\n\n` +
    '| store | ingest | lines/s | report 30 days (median of ' +
    `${runs}) |\n| --- | --- | --- | --- |\n` +
    rows.map(([n, r]) => `| ${n} | ${r.ingestS.toFixed(1)} s | ${Math.round(r.linesPerS).toLocaleString('en')} | ${r.reportMs.toFixed(0)} ms |`).join('\n') +
    '\n',
);
process.exit(0);
