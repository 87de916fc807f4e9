/**
 * `npm run bench -- --reports`: report latency on a 10M-hit site, issue 11's report target
 * (≤ 200 ms for a 30-day and for a 365-day report). Two stores per build, each built once and
 * kept in bench/.cache/ (the generator's lines piped into `weblog ingest --site bench.example -`
 * of that build, not timed): 10M lines from 500k clients over 30 days, and the same over 365
 * days. Timed: the whole `weblog report --format json` process over the 30 days of the first,
 * and over the 365 days and the last 30 days of the second (median of --runs). The split into
 * module loading, open, first and warm query is bench/micro/report.bench.ts.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeLog, type GenOptions } from '../fixtures/generate.js';
import type { Build } from './lib/builds.js';
import { BENCH_SITE, CACHE, benchGenOptions, fixtureKey } from './lib/fixture.js';
import { medianOf, type RunMeasure } from './lib/measure.js';
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

export async function runReports(o: { builds: readonly Build[]; runs: number; machine: () => string }): Promise<void> {
  const started = new Date().toISOString();
  const stores = new Map<string, string>();
  for (const b of o.builds) for (const s of STORES) stores.set(`${b.name}:${s.id}`, await ensureStore(s, b));
  const results: { label: string; build: Build; runs: RunMeasure[] }[] = [];
  for (const c of CASES) {
    const per = o.builds.map((build) => ({ label: c.label, build, runs: [] as RunMeasure[] }));
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
        process.stderr.write(`  ${c.label} [${p.build.name}]: ${m.wallSec.toFixed(3)} s\n`);
        p.runs.push(m);
      }
    }
    results.push(...per);
  }
  const rows = ['| report (whole `weblog report` process, JSON) | build | wall (ms) | CPU (ms) | peak RSS (MB) | target ≤ 200 ms |', '| --- | --- | ---: | ---: | ---: | --- |'];
  for (const r of results) {
    const wall = medianOf(r.runs, (x) => x.wallSec)!;
    const cpu = medianOf(r.runs, (x) => x.cpuSec);
    const rss = medianOf(r.runs, (x) => x.maxRssKb);
    rows.push(
      `| ${r.label} | ${r.build.name} ${r.build.commit} | ${(wall * 1000).toFixed(0)} | ${cpu === null ? '–' : (cpu * 1000).toFixed(0)} | ${rss === null ? '–' : (rss / 1024).toFixed(0)} | ${r.build.name === 'after' ? (wall <= 0.2 ? 'met' : 'not met') : ''} |`,
    );
  }
  const header =
    `report latency (\`npm run bench -- --reports\`), ${started}; median of ${o.runs} runs, builds interleaved; stores: ` +
    [...stores.entries()].map(([k, v]) => `${k} ${v.replace(CACHE + '/', 'bench/.cache/')}`).join(', ') +
    `; ${o.machine()}`;
  const text = `${header}\n\n${rows.join('\n')}\n`;
  process.stdout.write(`\n${text}`);
  await writeFile(join(CACHE, 'reports.md'), text);
  await writeFile(join(CACHE, 'reports.json'), JSON.stringify({ started, machine: o.machine(), results: results.map((r) => ({ ...r, wall: fmtSec(medianOf(r.runs, (x) => x.wallSec)) })) }, null, 2) + '\n');
}
