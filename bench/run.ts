/**
 * End-to-end benchmark: weblog against the usual tools, on one generated access log.
 *
 *   npm run bench                       1M lines (~244 MB), 3 runs per tool
 *   npm run bench -- --large            10M lines
 *   npm run bench -- --only weblog      just the weblog rows
 *   npm run bench -- --smoke            10k lines, 1 run: CI keeps the harness alive with it
 *
 * Every tool runs under `/usr/bin/time -v` (wall clock and peak RSS of the whole process tree),
 * the median of --runs runs is reported. Results go to stdout (markdown) and
 * bench/.cache/last-run.json. bench/README.md explains the rows.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GENERATOR_VERSION, writeLogFile, type GenOptions, type GenStats } from '../fixtures/generate.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, 'bench', '.cache');

/**
 * The weblog command lines under test, as shell templates ({file}, {tmp} are replaced by quoted
 * paths). The CLI is still moving: when its flags change, change these two lines only.
 */
export const WEBLOG_INGEST_COMMAND = 'node bin/weblog.js ingest --quiet --store {tmp}/b.db --site bench.example --ip full {file}';
export const WEBLOG_ANONYMISE_COMMAND = 'cat {file} | node bin/weblog.js anonymise --ip mask > /dev/null';
/** The report of the whole fixture (7 days) from a store ingested once per fixture ({reportdb}). */
export const WEBLOG_REPORT_COMMAND = 'node bin/weblog.js report --store {reportdb} --site bench.example --format json > /dev/null';

/** What `bin/weblog.js` needs before it can run (it loads the compiled CLI). */
const WEBLOG_ENTRY = join(ROOT, 'dist', 'cli', 'main.js');

type Group = 'read' | 'ingest' | 'anonymise' | 'report';

interface Tool {
  id: string;
  /** Row label. */
  label: string;
  group: Group;
  command: string;
  /** Executable that must be on PATH, or a check returning why it cannot run. */
  requires: string | (() => string | null);
  /** Prepares the per-run temp dir (config files, output dirs) or what the command reads. */
  setup?: (tmp: string, file: string) => Promise<void>;
}

const TOOLS: readonly Tool[] = [
  { id: 'cat', label: 'cat (read only)', group: 'read', command: 'cat {file} > /dev/null', requires: 'cat' },
  {
    id: 'weblog',
    label: 'weblog ingest',
    group: 'ingest',
    command: WEBLOG_INGEST_COMMAND,
    requires: () => (existsSync(WEBLOG_ENTRY) ? null : 'not built (npm run build)'),
  },
  {
    id: 'weblog-workers',
    label: 'weblog ingest --workers auto',
    group: 'ingest',
    command: WEBLOG_INGEST_COMMAND.replace(' ingest ', ' ingest --workers auto '),
    requires: () => (existsSync(WEBLOG_ENTRY) ? null : 'not built (npm run build)'),
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
    // An empty ./webalizer.conf stops it reading /etc/webalizer/webalizer.conf (it looks in the
    // working directory first); -f processes out-of-order lines instead of silently skipping them,
    // -i ignores history, -N 0 disables DNS.
    command: 'webalizer -Q -f -i -N 0 -F clf -n bench.example -o {tmp}/out {file}',
    requires: 'webalizer',
    setup: async (tmp) => {
      await writeFile(join(tmp, 'webalizer.conf'), '');
      await mkdir(join(tmp, 'out'));
    },
  },
  {
    id: 'weblog-anonymise',
    label: 'weblog anonymise',
    group: 'anonymise',
    command: WEBLOG_ANONYMISE_COMMAND,
    requires: () => (existsSync(WEBLOG_ENTRY) ? null : 'not built (npm run build)'),
  },
  {
    id: 'weblog-report',
    label: 'weblog report (7 days, JSON)',
    group: 'report',
    command: WEBLOG_REPORT_COMMAND,
    requires: () => (existsSync(WEBLOG_ENTRY) ? null : 'not built (npm run build)'),
    setup: async (_tmp, file) => {
      const db = reportStore(file);
      if (existsSync(db)) return;
      process.stderr.write(`  ingesting ${file} once for the report row → ${db}\n`);
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'weblog.js'), 'ingest', '--quiet', '--no-purge', '--store', `${db}.part`, '--site', 'bench.example', file], {
        cwd: ROOT,
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

export interface RunMeasure {
  wallSec: number;
  maxRssKb: number | null;
  exitCode: number;
}

export interface ToolResult {
  id: string;
  label: string;
  group: Group;
  command: string;
  status: 'ok' | 'failed' | 'not installed' | 'skipped';
  note?: string;
  runs: RunMeasure[];
  wallSec?: number;
  linesPerSec?: number;
  maxRssKb?: number | null;
  /** wall / wall of the weblog row of the same kind (ingest for read+ingest, anonymise for anonymise). */
  ratioToWeblog?: number;
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The store the report row reads: one per fixture (and store schema), built on first use. */
function reportStore(file: string): string {
  return `${file}.v4.report.db`;
}

function fill(template: string, file: string, tmp: string): string {
  return template.replaceAll('{file}', shq(file)).replaceAll('{tmp}', shq(tmp)).replaceAll('{reportdb}', shq(reportStore(file)));
}

function onPath(exe: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${shq(exe)}`], { stdio: 'ignore' }).status === 0;
}

/** "1:02:03.45" or "2:03.45" → seconds. */
export function parseElapsed(s: string): number {
  return s.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

/** Reads GNU time -v's report from the end of stderr. */
export function parseTimeReport(stderr: string): RunMeasure | null {
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)/.exec(stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const exit = /Exit status: (\d+)/.exec(stderr);
  if (wall?.[1] === undefined || rss?.[1] === undefined) return null;
  return { wallSec: parseElapsed(wall[1]), maxRssKb: Number(rss[1]), exitCode: Number(exit?.[1] ?? 0) };
}

const HAVE_GNU_TIME = existsSync('/usr/bin/time');

async function measure(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<RunMeasure & { stderrTail: string }> {
  const argv = HAVE_GNU_TIME ? ['/usr/bin/time', '-v', 'sh', '-c', command] : ['sh', '-c', command];
  const t0 = process.hrtime.bigint();
  const child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  child.stderr.setEncoding('latin1');
  child.stderr.on('data', (d: string) => {
    tail = (tail + d).slice(-64 * 1024);
  });
  const code = await new Promise<number>((res, rej) => {
    child.on('error', rej);
    child.on('close', (c) => res(c ?? 1));
  });
  const hrWall = Number(process.hrtime.bigint() - t0) / 1e9;
  // The tool's own stderr is what precedes GNU time's report.
  const cut = tail.search(/(Command exited with non-zero status|\tCommand being timed:)/);
  const own = cut >= 0 ? tail.slice(0, cut) : tail;
  const report = HAVE_GNU_TIME ? parseTimeReport(tail) : null;
  if (report === null) return { wallSec: hrWall, maxRssKb: null, exitCode: code, stderrTail: own };
  // GNU time prints centiseconds; below 0.1 s our own clock (which adds the fork of time and sh,
  // about a millisecond) is the better number.
  const wallSec = report.wallSec < 0.1 ? hrWall : report.wallSec;
  return { ...report, wallSec, exitCode: code, stderrTail: own };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function runTool(tool: Tool, file: string, lines: number, runs: number): Promise<ToolResult> {
  const base: ToolResult = { id: tool.id, label: tool.label, group: tool.group, command: tool.command, status: 'ok', runs: [] };
  const missing =
    typeof tool.requires === 'string' ? (onPath(tool.requires) ? null : 'not installed') : tool.requires();
  if (missing !== null) return { ...base, status: missing === 'not installed' ? 'not installed' : 'failed', note: missing };
  for (let i = 0; i < runs; i++) {
    const tmp = await mkdtemp(join(tmpdir(), `weblog-bench-${tool.id}-`));
    try {
      await tool.setup?.(tmp, file);
      // Fixed zone and locale so every tool buckets days the same way; HOME points at an empty
      // dir so no per-user config file (~/.goaccessrc …) changes what is measured.
      const env = { ...process.env, TZ: 'UTC', LANG: 'C', LC_ALL: 'C', HOME: tmp };
      process.stderr.write(`  ${tool.label}: run ${i + 1}/${runs} … `);
      const m = await measure(fill(tool.command, file, tmp), tool.id.startsWith('weblog') ? ROOT : tmp, env);
      process.stderr.write(`${m.wallSec.toFixed(2)} s${m.exitCode !== 0 ? ` (exit ${m.exitCode})` : ''}\n`);
      if (m.exitCode !== 0) {
        return { ...base, status: 'failed', note: `exit ${m.exitCode}: ${m.stderrTail.trim().split('\n').slice(-8).join(' / ')}`, runs: base.runs };
      }
      base.runs.push({ wallSec: m.wallSec, maxRssKb: m.maxRssKb, exitCode: m.exitCode });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  const wall = median(base.runs.map((r) => r.wallSec));
  const rss = base.runs.every((r) => r.maxRssKb !== null) ? median(base.runs.map((r) => r.maxRssKb!)) : null;
  return { ...base, wallSec: wall, linesPerSec: wall > 0 && tool.group !== 'report' ? lines / wall : undefined, maxRssKb: rss };
}

// ---------------------------------------------------------------------------------------------
// Fixture

/** Issue 7's shapes: 1M lines from 50k clients; 10M lines (--large) from 500k clients, over 7 days. */
function benchGenOptions(lines: number): GenOptions {
  const clients = lines >= 10_000_000 ? 500_000 : 50_000;
  return { lines, seed: 1, sites: 1, days: 7, format: 'combined', hosts: ['bench.example'], clients, malformed: 0.001 };
}

/** Generates the fixture once per (options, generator source) and reuses it from bench/.cache/. */
async function fixture(opts: GenOptions): Promise<{ file: string; bytes: number; stats: GenStats | null }> {
  const src = await readFile(join(ROOT, 'fixtures', 'generate.ts'));
  const key = createHash('sha256')
    .update(JSON.stringify({ v: GENERATOR_VERSION, opts }))
    .update(src)
    .digest('hex')
    .slice(0, 12);
  await mkdir(CACHE, { recursive: true });
  const file = join(CACHE, `access-${opts.lines}-${key}.log`);
  if (existsSync(file)) return { file, bytes: (await stat(file)).size, stats: null };
  process.stderr.write(`generating ${opts.lines} lines → ${file}\n`);
  const part = `${file}.part`;
  const stats = await writeLogFile(opts, part);
  await rename(part, file); // a file under its final name is always complete
  return { file, bytes: stats.bytes, stats };
}

// ---------------------------------------------------------------------------------------------
// Report

function fmtRate(x: number | undefined): string {
  if (x === undefined) return '–';
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(0)} k`;
}

export function markdownTable(results: readonly ToolResult[]): string {
  const rows = ['| tool | wall (s) | lines/s | peak RSS (MB) | vs weblog |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const r of results) {
    if (r.status !== 'ok') {
      rows.push(`| ${r.label} | ${r.status}${r.note !== undefined && r.status !== 'not installed' ? `: ${r.note.slice(0, 120).replaceAll('|', '\\|')}` : ''} | | | |`);
      continue;
    }
    const rss = r.maxRssKb === null || r.maxRssKb === undefined ? 'n/a' : (r.maxRssKb / 1024).toFixed(0);
    const ratio = r.ratioToWeblog === undefined ? '–' : `${r.ratioToWeblog.toFixed(2)}×`;
    rows.push(`| ${r.label} | ${r.wallSec! < 1 ? r.wallSec!.toFixed(3) : r.wallSec!.toFixed(2)} | ${fmtRate(r.linesPerSec)} | ${rss} | ${ratio} |`);
  }
  return rows.join('\n');
}

function withRatios(results: ToolResult[]): ToolResult[] {
  const ref = (g: Group): ToolResult | undefined =>
    results.find((r) => r.status === 'ok' && r.id === (g === 'anonymise' ? 'weblog-anonymise' : 'weblog'));
  return results.map((r) => {
    if (r.group === 'report') return r; // no peer row to compare with
    const w = ref(r.group);
    return r.status === 'ok' && w?.wallSec !== undefined && w.wallSec > 0 ? { ...r, ratioToWeblog: r.wallSec! / w.wallSec } : r;
  });
}

const USAGE = `usage: npm run bench -- [--lines N | --large | --smoke] [--runs N] [--only id,id]
  ids: ${TOOLS.map((t) => t.id).join(', ')}  ("--only weblog" selects both weblog rows)`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      lines: { type: 'string' },
      large: { type: 'boolean', default: false },
      runs: { type: 'string' },
      only: { type: 'string', multiple: true },
      smoke: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const lines = values.smoke ? 10_000 : values.lines !== undefined ? Number(values.lines) : values.large ? 10_000_000 : 1_000_000;
  const runs = values.smoke ? 1 : values.runs !== undefined ? Number(values.runs) : 3;
  if (!Number.isInteger(lines) || lines < 1 || !Number.isInteger(runs) || runs < 1) {
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

  const opts = benchGenOptions(lines);
  const fx = await fixture(opts);
  const results: ToolResult[] = [];
  for (const tool of selected) results.push(await runTool(tool, fx.file, lines, runs));
  const final = withRatios(results);

  const cpu = cpus();
  const header =
    `${lines.toLocaleString('en')} lines, ${(fx.bytes / 1e6).toFixed(0)} MB (${fx.file.replace(ROOT + '/', '')}), ` +
    `median of ${runs} run${runs === 1 ? '' : 's'}; ${cpu[0]?.model ?? 'cpu'} ×${cpu.length}, ` +
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  process.stdout.write(`\n${header}\n\n${markdownTable(final)}\n`);

  await mkdir(CACHE, { recursive: true });
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: { model: cpu[0]?.model, count: cpu.length },
    fixture: { file: fx.file, lines, bytes: fx.bytes, options: opts, generatorVersion: GENERATOR_VERSION },
    runs,
    results: final,
  };
  await writeFile(join(CACHE, 'last-run.json'), JSON.stringify(report, null, 2) + '\n');

  for (const r of final) {
    if (r.id.startsWith('weblog') && r.status !== 'ok') process.stderr.write(`warning: ${r.label}: ${r.status} ${r.note ?? ''}\n`);
  }
  // CI gate: the ingest row must run. (The anonymise row only warns: that command is newer.)
  if (values.smoke && final.some((r) => r.id === 'weblog' && r.status !== 'ok')) {
    process.stderr.write('smoke: weblog ingest did not run cleanly\n');
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
