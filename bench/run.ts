/**
 * End-to-end benchmark: weblog against the usual tools, on generated access logs.
 *
 *   npm run bench                              1M lines (~244 MB), 3 runs per tool
 *   npm run bench -- --large                   10M lines
 *   npm run bench -- --only weblog             just the weblog rows (ids comma-separated)
 *   npm run bench -- --weblog-before DIR       every weblog row also for the build in DIR, runs interleaved
 *   npm run bench -- --shapes [--shape ID]…    weblog ingest on every input shape (bench/shapes.ts)
 *   npm run bench -- --reports                 30- and 365-day reports on 10M-hit sites (bench/reports.ts)
 *   npm run bench -- --smoke                   10k lines, 1 run: CI keeps the harness alive with it
 *
 * Every tool runs under `/usr/bin/time -v` (wall clock, user + system CPU time and peak RSS of the
 * whole process tree), the median of --runs runs is reported. Results go to stdout (markdown) and
 * bench/.cache/last-run.json. bench/README.md explains the rows.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GENERATOR_VERSION, type GenOptions } from '../fixtures/generate.js';
import { beforeBuild, currentBuild, notBuilt, type Build } from './lib/builds.js';
import { BENCH_SITE, CACHE, ROOT, benchGenOptions, fixture, type Fixture } from './lib/fixture.js';
import { medianOf, onPath, type RunMeasure } from './lib/measure.js';
import {
  WEBLOG_ANONYMISE_COMMAND,
  WEBLOG_INGEST_COMMAND,
  WEBLOG_REPORT_COMMAND,
  WEBLOG_VHOST_INGEST_COMMAND,
  fmtMb,
  fmtRate,
  fmtSec,
  runJob,
  warmUp,
} from './lib/runner.js';
import { runReports } from './reports.js';
import { SHAPES, runShapes } from './shapes.js';

export { WEBLOG_ANONYMISE_COMMAND, WEBLOG_INGEST_COMMAND, WEBLOG_REPORT_COMMAND, WEBLOG_VHOST_INGEST_COMMAND };
export { parseElapsed, parseTimeReport } from './lib/measure.js';

type Group = 'read' | 'ingest' | 'anonymise' | 'report';

/** Debian's geoip-database: the legacy GeoIP country file Webalizer's -w reads (IPv4 only). */
const WEBALIZER_GEOIP_DB = '/usr/share/GeoIP/GeoIP.dat';

interface Tool {
  id: string;
  /** Row label. */
  label: string;
  group: Group;
  command: string;
  /** Executable that must be on PATH, or a check returning why it cannot run. */
  requires: string | (() => string | null);
  /** A weblog row: runs in each build's checkout (and gets a "before" twin with --weblog-before). */
  weblog?: boolean;
  /** Its input, as changes to the bench's generator options (default: the one-site input). */
  input?: Partial<GenOptions>;
  /** Prepares the per-run temp dir (config files, output dirs) or what the command reads. */
  setup?: (tmp: string, file: string, build: Build | null) => Promise<void>;
  /** The store the command writes in its temp dir, whose size is reported. */
  store?: string;
}

const built = (): string | null => notBuilt(ROOT);

/** Webalizer has no "no config" flag: an empty ./webalizer.conf stops it reading /etc/webalizer/webalizer.conf. */
async function webalizerDir(tmp: string): Promise<void> {
  await writeFile(join(tmp, 'webalizer.conf'), '');
  await mkdir(join(tmp, 'out'));
}

const TOOLS: readonly Tool[] = [
  { id: 'cat', label: 'cat (read only)', group: 'read', command: 'cat {file} > /dev/null', requires: 'cat' },
  { id: 'weblog', label: 'weblog ingest', group: 'ingest', command: WEBLOG_INGEST_COMMAND, requires: built, weblog: true, store: 'b.db' },
  {
    id: 'weblog-workers',
    label: 'weblog ingest --workers auto',
    group: 'ingest',
    command: WEBLOG_INGEST_COMMAND.replace(' ingest ', ' ingest --workers auto '),
    requires: built,
    weblog: true,
    store: 'b.db',
  },
  {
    id: 'weblog-vhosts500',
    label: 'weblog ingest, 500 vhosts',
    group: 'ingest',
    command: WEBLOG_VHOST_INGEST_COMMAND,
    requires: built,
    weblog: true,
    input: { sites: 500, format: 'vhost_combined' },
    store: 'b.db',
  },
  {
    id: 'weblog-vhosts5000',
    label: 'weblog ingest, 5,000 vhosts',
    group: 'ingest',
    command: WEBLOG_VHOST_INGEST_COMMAND,
    requires: built,
    weblog: true,
    input: { sites: 5000, format: 'vhost_combined' },
    store: 'b.db',
  },
  {
    id: 'goaccess',
    label: 'goaccess (JSON)',
    group: 'ingest',
    // Same flags as test/peers/goaccess.ts: no config files, whole file, no terminal output.
    command:
      'goaccess {file} --log-format=COMBINED -p /dev/null --no-global-config --num-tests=0 ' +
      '--no-progress --no-parsing-spinner -o {tmp}/goaccess.json',
    requires: 'goaccess',
  },
  {
    id: 'webalizer',
    label: 'webalizer',
    group: 'ingest',
    // -f processes out-of-order lines instead of silently skipping them, -i ignores history,
    // -N 0 disables DNS.
    command: 'webalizer -Q -f -i -N 0 -F clf -n bench.example -o {tmp}/out {file}',
    requires: 'webalizer',
    setup: webalizerDir,
  },
  {
    id: 'webalizer-geoip',
    label: 'webalizer, GeoIP on',
    group: 'ingest',
    // -w: GeoIP country lookups through libGeoIP in its default database (Debian's geoip-database).
    command: 'webalizer -Q -f -i -N 0 -w -F clf -n bench.example -o {tmp}/out {file}',
    requires: () => (!onPath('webalizer') ? 'not installed' : existsSync(WEBALIZER_GEOIP_DB) ? null : `not installed (${WEBALIZER_GEOIP_DB}: apt-get install geoip-database)`),
    setup: webalizerDir,
  },
  {
    id: 'logswan',
    label: 'logswan (totals, HLL visitors)',
    group: 'ingest',
    // No -g: Debian ships no GeoIP2-layout country database for it (bench/README.md).
    command: 'logswan {file} > {tmp}/logswan.json',
    requires: 'logswan',
  },
  { id: 'weblog-anonymise', label: 'weblog anonymise', group: 'anonymise', command: WEBLOG_ANONYMISE_COMMAND, requires: built, weblog: true },
  {
    id: 'weblog-report',
    label: 'weblog report (7 days, JSON)',
    group: 'report',
    command: WEBLOG_REPORT_COMMAND,
    requires: built,
    weblog: true,
    setup: async (_tmp, file, build) => {
      const db = reportStore(file, build!);
      if (existsSync(db)) return;
      process.stderr.write(`  ingesting ${file} once for the report row (${build!.name}) → ${db}\n`);
      const r = spawnSync(process.execPath, ['bin/weblog.js', 'ingest', '--quiet', '--no-purge', '--store', `${db}.part`, '--site', BENCH_SITE, file], {
        cwd: build!.dir,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      if (r.status !== 0) throw new Error(`ingest for the report row failed (exit ${r.status})`);
      await rename(`${db}.part`, db);
      await rm(`${db}.part.keys`, { force: true });
    },
  },
  {
    id: 'anonip',
    label: 'anonip',
    group: 'anonymise',
    // anonip's -4/-6 give the bits to *clear*: keep /24 and /48, like a /24-/48 mask.
    command: 'cat {file} | anonip -4 8 -6 80 > /dev/null',
    requires: 'anonip',
  },
];

export interface ToolResult {
  id: string;
  label: string;
  group: Group;
  command: string;
  /** Which weblog build ran it (weblog rows). */
  build?: Build['name'];
  commit?: string;
  input: string;
  status: 'ok' | 'failed' | 'not installed' | 'skipped';
  note?: string;
  runs: RunMeasure[];
  wallSec?: number;
  cpuSec?: number | null;
  linesPerSec?: number;
  maxRssKb?: number | null;
  storeBytes?: number | null;
  /** wall / wall of the weblog row of the same kind (ingest for read+ingest, anonymise for anonymise). */
  ratioToWeblog?: number;
}

/** The store the report row reads: one per fixture and build, built on first use. */
function reportStore(file: string, build: Build): string {
  return `${file}.${build.commit}.report.db`;
}

/** Runs each variant `runs` times, interleaved (A B A B …): drift of a shared machine hits all alike. */
async function runVariants(
  tool: Tool,
  builds: readonly (Build | null)[],
  fx: Fixture,
  lines: number,
  runs: number,
): Promise<ToolResult[]> {
  const results: ToolResult[] = builds.map((b) => ({
    id: tool.id,
    label: b === null || b.name === 'after' ? tool.label : `${tool.label} [before ${b.commit}]`,
    group: tool.group,
    command: tool.command,
    ...(b !== null ? { build: b.name, commit: b.commit } : {}),
    input: fx.file,
    status: 'ok',
    runs: [],
  }));
  const missing = typeof tool.requires === 'string' ? (onPath(tool.requires) ? null : 'not installed') : tool.requires();
  if (missing !== null) {
    for (const r of results) Object.assign(r, { status: missing.startsWith('not installed') ? 'not installed' : 'failed', note: missing });
    return results;
  }
  for (let i = 0; i < runs; i++) {
    for (const [k, b] of builds.entries()) {
      const r = results[k]!;
      if (r.status !== 'ok') continue;
      process.stderr.write(`  ${r.label}: run ${i + 1}/${runs} … `);
      const m = await runJob({
        id: tool.id,
        command: tool.command,
        cwd: b !== null ? b.dir : 'tmp',
        vars: { file: fx.file, ...(b !== null ? { reportdb: reportStore(fx.file, b) } : {}) },
        setup: tool.setup ? (tmp) => tool.setup!(tmp, fx.file, b) : undefined,
        store: tool.store,
      });
      process.stderr.write(`${m.wallSec.toFixed(2)} s wall, ${m.cpuSec?.toFixed(2) ?? '?'} s CPU${m.exitCode !== 0 ? ` (exit ${m.exitCode})` : ''}\n`);
      if (m.exitCode !== 0) {
        Object.assign(r, { status: 'failed', note: `exit ${m.exitCode}: ${m.stderrTail.trim().split('\n').slice(-8).join(' / ')}` });
        continue;
      }
      r.runs.push({ wallSec: m.wallSec, cpuSec: m.cpuSec, maxRssKb: m.maxRssKb, exitCode: m.exitCode, ...(m.storeBytes !== undefined ? { storeBytes: m.storeBytes } : {}) });
    }
  }
  for (const r of results) {
    if (r.status !== 'ok') continue;
    const wall = medianOf(r.runs, (x) => x.wallSec)!;
    Object.assign(r, {
      wallSec: wall,
      cpuSec: medianOf(r.runs, (x) => x.cpuSec),
      linesPerSec: wall > 0 && tool.group !== 'report' ? lines / wall : undefined,
      maxRssKb: medianOf(r.runs, (x) => x.maxRssKb),
      storeBytes: medianOf(r.runs, (x) => x.storeBytes),
    });
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Report

export function markdownTable(results: readonly ToolResult[]): string {
  const rows = [
    '| tool | wall (s) | lines/s | CPU (s) | peak RSS (MB) | store (MB) | vs weblog |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    if (r.status !== 'ok') {
      rows.push(`| ${r.label} | ${r.status}${r.note !== undefined && r.status !== 'not installed' ? `: ${r.note.slice(0, 120).replaceAll('|', '\\|')}` : ''} | | | | | |`);
      continue;
    }
    const rss = r.maxRssKb === null || r.maxRssKb === undefined ? 'n/a' : (r.maxRssKb / 1024).toFixed(0);
    const ratio = r.ratioToWeblog === undefined ? '–' : `${r.ratioToWeblog.toFixed(2)}×`;
    rows.push(`| ${r.label} | ${fmtSec(r.wallSec)} | ${fmtRate(r.linesPerSec)} | ${fmtSec(r.cpuSec)} | ${rss} | ${fmtMb(r.storeBytes)} | ${ratio} |`);
  }
  return rows.join('\n');
}

function withRatios(results: ToolResult[]): ToolResult[] {
  const ref = (g: Group): ToolResult | undefined =>
    results.find((r) => r.status === 'ok' && r.build !== 'before' && r.id === (g === 'anonymise' ? 'weblog-anonymise' : 'weblog'));
  return results.map((r) => {
    if (r.group === 'report') return r; // no peer row to compare with
    const w = ref(r.group);
    return r.status === 'ok' && w?.wallSec !== undefined && w.wallSec > 0 ? { ...r, ratioToWeblog: r.wallSec! / w.wallSec } : r;
  });
}

/** Issue 11's ingest targets, from the rows of this run (the build under test). */
export function targetTable(results: readonly ToolResult[]): string | null {
  const get = (id: string): ToolResult | undefined => results.find((r) => r.id === id && r.build !== 'before' && r.status === 'ok');
  const one = get('weblog');
  if (one === undefined) return null;
  const rows = ['| target (issue 11) | measured | met |', '| --- | ---: | --- |'];
  const add = (t: string, m: string, ok: boolean): void => void rows.push(`| ${t} | ${m} | ${ok ? 'met' : 'not met'} |`);
  add('one site: ≥ 500k lines/s', `${fmtRate(one.linesPerSec)} lines/s`, (one.linesPerSec ?? 0) >= 500_000);
  const geo = get('webalizer-geoip');
  if (geo !== undefined) add('one site: ≥ 2× Webalizer with GeoIP on (its wall ÷ weblog\'s)', `${(geo.wallSec! / one.wallSec!).toFixed(2)}×`, geo.wallSec! / one.wallSec! >= 2);
  const many = get('weblog-vhosts5000');
  if (many !== undefined) {
    add('5,000 vhosts: wall ≤ 1.25× one site', `${(many.wallSec! / one.wallSec!).toFixed(2)}×`, many.wallSec! / one.wallSec! <= 1.25);
    if (many.maxRssKb != null) add('5,000 vhosts: peak RSS ≤ 256 MB', `${(many.maxRssKb / 1024).toFixed(0)} MB`, many.maxRssKb / 1024 <= 256);
  }
  return rows.join('\n');
}

/** What the machine was doing: the bench shares it, so every table says so. */
export function machineLine(): string {
  const cpu = cpus();
  const [l1, l5] = loadavg();
  return `${cpu[0]?.model ?? 'cpu'} ×${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${l1!.toFixed(1)} / ${l5!.toFixed(1)} (1 / 5 min) at the end`;
}

const USAGE = `usage: npm run bench -- [--lines N | --large | --smoke] [--runs N] [--only id,id] [--weblog-before DIR]
       npm run bench -- --shapes [--shape id]… [--runs N] [--weblog-before DIR]
       npm run bench -- --reports [--runs N] [--weblog-before DIR]
  ids: ${TOOLS.map((t) => t.id).join(', ')}  ("--only weblog" selects every weblog row)
  shapes: ${SHAPES.map((s) => s.id).join(', ')}`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      lines: { type: 'string' },
      large: { type: 'boolean', default: false },
      runs: { type: 'string' },
      only: { type: 'string', multiple: true },
      smoke: { type: 'boolean', default: false },
      'weblog-before': { type: 'string' },
      shapes: { type: 'boolean', default: false },
      shape: { type: 'string', multiple: true },
      reports: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const runs = values.smoke ? 1 : values.runs !== undefined ? Number(values.runs) : 3;
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  const builds: Build[] = [currentBuild()];
  if (values['weblog-before'] !== undefined) builds.push(beforeBuild(values['weblog-before']));
  const why = notBuilt(ROOT);
  if (why !== null && (values.shapes || values.shape !== undefined || values.reports)) throw new Error(why);
  if (why === null) await warmUp(builds, (await fixture(benchGenOptions(10_000))).file);
  if (values.shapes || values.shape !== undefined) {
    const ids = (values.shape ?? []).flatMap((s) => s.split(',')).filter((s) => s !== '');
    const unknown = ids.filter((id) => !SHAPES.some((s) => s.id === id));
    if (unknown.length > 0) {
      process.stderr.write(`unknown shape ${unknown.join(', ')}\n${USAGE}\n`);
      return 2;
    }
    await runShapes({ shapes: ids.length === 0 ? SHAPES : SHAPES.filter((s) => ids.includes(s.id)), builds, runs, machine: machineLine });
    return 0;
  }
  if (values.reports) {
    await runReports({ builds, runs, machine: machineLine });
    return 0;
  }

  const lines = values.smoke ? 10_000 : values.lines !== undefined ? Number(values.lines) : values.large ? 10_000_000 : 1_000_000;
  if (!Number.isInteger(lines) || lines < 1) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  const only = (values.only ?? []).flatMap((s) => s.split(',')).filter((s) => s !== '');
  const unknown = only.filter((o) => !TOOLS.some((t) => t.id === o || t.id.startsWith(`${o}-`)));
  if (unknown.length > 0) {
    process.stderr.write(`unknown tool ${unknown.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  const selected = TOOLS.filter((t) => only.length === 0 || only.some((o) => t.id === o || t.id.startsWith(`${o}-`)));

  const results: ToolResult[] = [];
  const inputs: Record<string, { file: string; bytes: number; options: GenOptions }> = {};
  let main: Fixture | null = null;
  for (const tool of selected) {
    const fx = await fixture(benchGenOptions(lines, tool.input));
    if (tool.input === undefined) main = fx;
    inputs[tool.id] = { file: fx.file, bytes: fx.bytes, options: fx.options };
    results.push(...(await runVariants(tool, tool.weblog ? builds : [null], fx, lines, runs)));
  }
  const final = withRatios(results);

  const shown = main ?? (await fixture(benchGenOptions(lines)));
  const header =
    `${lines.toLocaleString('en')} lines, ${(shown.bytes / 1e6).toFixed(0)} MB (${shown.file.replace(ROOT + '/', '')}; ` +
    `the vhost rows read the same generator's output over 500 / 5,000 sites), median of ${runs} run${runs === 1 ? '' : 's'}` +
    `${builds.length > 1 ? ', builds interleaved' : ''}; builds: ${builds.map((b) => `${b.name} ${b.commit} (${b.dir})`).join(', ')}; ${machineLine()}`;
  process.stdout.write(`\n${header}\n\n${markdownTable(final)}\n`);
  const targets = targetTable(final);
  if (targets !== null) process.stdout.write(`\n${targets}\n`);

  await mkdir(CACHE, { recursive: true });
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    machine: machineLine(),
    builds,
    generatorVersion: GENERATOR_VERSION,
    lines,
    inputs,
    runs,
    results: final,
  };
  await writeFile(join(CACHE, 'last-run.json'), JSON.stringify(report, null, 2) + '\n');

  for (const r of final) {
    if (r.id.startsWith('weblog') && r.status !== 'ok') process.stderr.write(`warning: ${r.label}: ${r.status} ${r.note ?? ''}\n`);
  }
  // CI gate: the ingest rows must run. (The anonymise row only warns: that command is newer.)
  if (values.smoke && final.some((r) => (r.id === 'weblog' || r.id.startsWith('weblog-vhosts')) && r.status !== 'ok')) {
    process.stderr.write('smoke: a weblog ingest row did not run cleanly\n');
    return 1;
  }
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
