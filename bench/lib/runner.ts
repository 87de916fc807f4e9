/**
 * Runs one bench command in a fresh temp dir with a fixed environment, and what every mode of
 * bench/run.ts shares: command templates and the weblog command lines under test.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure, shq, type RunMeasure } from './measure.js';
import { BENCH_SITE, CACHE } from './fixture.js';
import type { Build } from './builds.js';

/**
 * Machine-level caches weblog keeps between runs (the country range table built from the .mmdb,
 * ~2 s of CPU on first use: enrich/geo-ranges.ts) live here for every run, as they would on a
 * server; `warmUp` fills them before anything is timed. HOME stays an empty temp dir per run.
 */
export const XDG_CACHE = join(CACHE, 'xdg-cache');

/**
 * The weblog command lines under test, as shell templates ({file}, {tmp}, {site} are replaced by
 * quoted values; they run in the build's checkout). When the CLI's flags change, change these.
 */
export const WEBLOG_INGEST_COMMAND = 'node bin/weblog.js ingest --quiet --store {tmp}/b.db --site {site} --ip full {file}';
/** vhost_combined over many sites: no --site, so every vhost is its own site (unknown vhosts accepted). */
export const WEBLOG_VHOST_INGEST_COMMAND = 'node bin/weblog.js ingest --quiet --store {tmp}/b.db --format vhost_combined --ip full {file}';
export const WEBLOG_ANONYMISE_COMMAND = 'cat {file} | node bin/weblog.js anonymise --ip mask > /dev/null';
/** The report of the whole fixture (7 days) from a store ingested once per fixture and build ({reportdb}). */
export const WEBLOG_REPORT_COMMAND = 'node bin/weblog.js report --store {reportdb} --site {site} --format json > /dev/null';

export function fill(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (vars[k] === undefined ? m : shq(vars[k])));
}

export interface Job {
  /** Temp dir prefix. */
  readonly id: string;
  readonly command: string;
  readonly cwd: string | 'tmp';
  readonly vars: Readonly<Record<string, string>>;
  readonly setup?: (tmp: string) => Promise<void>;
  /** A store the command writes in the temp dir ({tmp}/b.db): its size is recorded. */
  readonly store?: string;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** One run: fresh temp dir, TZ=UTC, LANG=C, an empty HOME (no per-user config changes what is measured). */
export async function runJob(job: Job): Promise<RunMeasure & { stderrTail: string }> {
  const tmp = await mkdtemp(join(tmpdir(), `weblog-bench-${job.id}-`));
  try {
    await job.setup?.(tmp);
    const env = { ...process.env, TZ: 'UTC', LANG: 'C', LC_ALL: 'C', HOME: tmp, XDG_CACHE_HOME: XDG_CACHE };
    const m = await measure(fill(job.command, { site: BENCH_SITE, ...job.vars, tmp }), job.cwd === 'tmp' ? tmp : job.cwd, env);
    if (job.store !== undefined && m.exitCode === 0) {
      const db = join(tmp, job.store);
      const bytes = (await sizeOf(db)) + (await sizeOf(`${db}-wal`));
      if (bytes > 0) m.storeBytes = bytes;
    }
    return m;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** One untimed ingest per build of `file`, so that no timed run pays for building a cache. */
export async function warmUp(builds: readonly Build[], file: string): Promise<void> {
  for (const b of builds) {
    const m = await runJob({ id: 'warm-up', command: WEBLOG_INGEST_COMMAND, cwd: b.dir, vars: { file } });
    if (m.exitCode !== 0) throw new Error(`warm-up ingest (${b.name}) failed: ${m.stderrTail.trim()}`);
  }
}

export function fmtRate(x: number | undefined | null): string {
  if (x === undefined || x === null) return '–';
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(0)} k`;
}

export function fmtSec(x: number | null | undefined): string {
  if (x === null || x === undefined) return '–';
  return x < 1 ? x.toFixed(3) : x.toFixed(2);
}

export function fmtMb(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? '–' : (bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0);
}
