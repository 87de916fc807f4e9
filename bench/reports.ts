/**
 * `npm run bench -- --reports`: report latency on a 10M-hit site, issue 11's report target
 * (≤ 200 ms for a 30-day and for a 365-day report). Two stores per build, each built once and
 * kept in bench/.cache/ (the generator's lines piped into `weblog ingest --site bench.example -`
 * of that build, not timed): 10M lines from 500k clients over 30 days, and the same over 365
 * days. Timed: the whole `weblog report --format json` process over the 30 days of the first,
 * and over the 365 days and the last 30 days of the second (median of --runs); and the same
 * query inside one process, as `weblog serve` answers it: the first one (cold JIT, fresh
 * buffers) and the median of the next ones. The split into module loading, open, first and warm
 * query is bench/micro/report.bench.ts.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeLog, type GenOptions } from '../fixtures/generate.js';
import type { Build } from './lib/builds.js';
import { BENCH_SITE, CACHE, benchGenOptions, fixtureKey } from './lib/fixture.js';
import { median, medianOf, type RunMeasure } from './lib/measure.js';
import { fmtSec, runJob } from './lib/runner.js';

const LINES = 10_000_000;
const START = '2024-03-04';

interface ReportStore {
  readonly id: string;
  readonly days: number;
  readonly gen: GenOptions;
}

const STORES: readonly ReportStore[] = [30, 365].map((days) => ({
  id: `${days}d`,
  days,
  gen: benchGenOptions(LINES, { clients: 500_000, days, start: START }),
}));

function isoPlus(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

interface Case {
  readonly label: string;
  readonly store: ReportStore;
  readonly from: string;
  readonly to: string;
}

const CASES: readonly Case[] = [
  { label: '30-day report, 10M hits in range', store: STORES[0]!, from: START, to: isoPlus(START, 29) },
  { label: '365-day report, 10M hits in range', store: STORES[1]!, from: START, to: isoPlus(START, 364) },
  { label: 'last 30 days of the 365-day site (0.8M hits)', store: STORES[1]!, from: isoPlus(START, 335), to: isoPlus(START, 364) },
];

async function storePath(s: ReportStore, b: Build): Promise<string> {
  return join(CACHE, `report-${s.id}-${await fixtureKey(s.gen)}.${b.commit}.db`);
}

/** Builds the store once: the generated lines go straight into the build's ingest through stdin. */
async function ensureStore(s: ReportStore, b: Build): Promise<string> {
  const db = await storePath(s, b);
  if (existsSync(db)) return db;
  await mkdir(CACHE, { recursive: true });
  process.stderr.write(`  building ${db} (${LINES.toLocaleString('en')} lines over ${s.days} days, ${b.name} build; not timed)\n`);
  const part = `${db}.part`;
  const child = spawn(process.execPath, ['bin/weblog.js', 'ingest', '--quiet', '--no-purge', '--format', 'combined', '--store', part, '--site', BENCH_SITE, '-'], {
    cwd: b.dir,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const closed = once(child, 'close');
  await writeLog(s.gen, child.stdin);
  child.stdin.end();
  const [code] = (await closed) as [number | null];
  if (code !== 0) throw new Error(`building ${db} failed (exit ${code})`);
  await rename(part, db);
  await rm(`${part}.keys`, { force: true });
  await rm(`${part}.raw`, { recursive: true, force: true });
  return db;
}

/** Queries per served measurement: the first is cold, the rest are warm. */
const SERVED_QUERIES = 6;

/**
 * The case's query in one process of the build (its dist/store, read-only, top 10 as the CLI's
 * default): milliseconds of the first query and the median of the others.
 */
async function servedQuery(b: Build, db: string, c: Case): Promise<{ firstMs: number; warmMs: number }> {
  const script = `
    const { openStore } = await import(${JSON.stringify(join(b.dir, 'dist', 'store', 'index.js'))});
    const s = await openStore(${JSON.stringify(db)}, { visitTimeoutSec: 1800, readonly: true });
    const ms = [];
    for (let i = 0; i < ${SERVED_QUERIES}; i++) {
      const t = performance.now();
      const r = await s.query({ site: ${JSON.stringify(BENCH_SITE)}, from: ${JSON.stringify(c.from)}, to: ${JSON.stringify(c.to)}, top: 10 });
      if (r === null) throw new Error('no site');
      ms.push(performance.now() - t);
    }
    await s.close();
    process.stdout.write(JSON.stringify(ms));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: b.dir, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`served query ${c.label} (${b.name}) failed (exit ${code})`);
  const ms = JSON.parse(out) as number[];
  const warm = ms.slice(1).sort((x, y) => x - y);
  return { firstMs: ms[0]!, warmMs: warm[Math.floor(warm.length / 2)]! };
}

export async function runReports(o: { builds: readonly Build[]; runs: number; machine: () => string }): Promise<void> {
  const started = new Date().toISOString();
  const stores = new Map<string, string>();
  for (const b of o.builds) for (const s of STORES) stores.set(`${b.name}:${s.id}`, await ensureStore(s, b));
  const results: { label: string; build: Build; runs: RunMeasure[]; served: { firstMs: number; warmMs: number }[] }[] = [];
  for (const c of CASES) {
    const per = o.builds.map((build) => ({ label: c.label, build, runs: [] as RunMeasure[], served: [] as { firstMs: number; warmMs: number }[] }));
    for (let i = 0; i < o.runs; i++) {
      for (const p of per) {
        const db = stores.get(`${p.build.name}:${c.store.id}`)!;
        const m = await runJob({
          id: 'report',
          command: 'node bin/weblog.js report --store {db} --site {site} --from {from} --to {to} --format json > /dev/null',
          cwd: p.build.dir,
          vars: { db, from: c.from, to: c.to },
        });
        if (m.exitCode !== 0) throw new Error(`${c.label} (${p.build.name}): exit ${m.exitCode}: ${m.stderrTail.trim()}`);
        p.runs.push(m);
        const served = await servedQuery(p.build, db, c);
        p.served.push(served);
        process.stderr.write(`  ${c.label} [${p.build.name}]: ${m.wallSec.toFixed(3)} s; served: first ${served.firstMs.toFixed(0)} ms, warm ${served.warmMs.toFixed(0)} ms\n`);
      }
    }
    results.push(...per);
  }
  const rows = [
    '| report | build | whole `weblog report` process, JSON: wall (ms) | CPU (ms) | peak RSS (MB) | served: first query (ms) | served: warm query (ms) | target ≤ 200 ms (process / warm) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const met = (ms: number): string => (ms <= 200 ? 'met' : 'not met');
  for (const r of results) {
    const wall = medianOf(r.runs, (x) => x.wallSec)!;
    const cpu = medianOf(r.runs, (x) => x.cpuSec);
    const rss = medianOf(r.runs, (x) => x.maxRssKb);
    const first = median(r.served.map((x) => x.firstMs));
    const warm = median(r.served.map((x) => x.warmMs));
    rows.push(
      `| ${r.label} | ${r.build.name} ${r.build.commit} | ${(wall * 1000).toFixed(0)} | ${cpu === null ? '–' : (cpu * 1000).toFixed(0)} | ${rss === null ? '–' : (rss / 1024).toFixed(0)} | ${first.toFixed(0)} | ${warm.toFixed(0)} | ${r.build.name === 'after' ? `${met(wall * 1000)} / ${met(warm)}` : ''} |`,
    );
  }
  const header =
    `report latency (\`npm run bench -- --reports\`), ${started}; median of ${o.runs} runs, builds interleaved; stores: ` +
    [...stores.entries()].map(([k, v]) => `${k} ${v.replace(CACHE + '/', 'bench/.cache/')}`).join(', ') +
    `; ${o.machine()}`;
  const text = `${header}\n\n${rows.join('\n')}\n`;
  process.stdout.write(`\n${text}`);
  await writeFile(join(CACHE, 'reports.md'), text);
  await writeFile(join(CACHE, 'reports.json'), JSON.stringify({ started, machine: o.machine(), results: results.map((r) => ({ ...r, wall: fmtSec(medianOf(r.runs, (x) => x.wallSec)), servedWarmMs: median(r.served.map((x) => x.warmMs)) })) }, null, 2) + '\n');
}
