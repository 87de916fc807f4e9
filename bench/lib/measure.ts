/**
 * One timed run of a shell command under GNU time: wall clock, CPU time (user + system of the
 * whole process tree that was waited for) and peak RSS (the largest single process).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface RunMeasure {
  wallSec: number;
  /** User + system seconds; null without GNU time. */
  cpuSec: number | null;
  maxRssKb: number | null;
  exitCode: number;
  /** Bytes of the store the run left behind (weblog ingest rows), when there is one. */
  storeBytes?: number;
}

export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function onPath(exe: string): boolean {
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
  const user = /User time \(seconds\): ([0-9.]+)/.exec(stderr);
  const sys = /System time \(seconds\): ([0-9.]+)/.exec(stderr);
  const exit = /Exit status: (\d+)/.exec(stderr);
  if (wall?.[1] === undefined || rss?.[1] === undefined) return null;
  const cpuSec = user?.[1] !== undefined && sys?.[1] !== undefined ? Number(user[1]) + Number(sys[1]) : null;
  return { wallSec: parseElapsed(wall[1]), cpuSec, maxRssKb: Number(rss[1]), exitCode: Number(exit?.[1] ?? 0) };
}

export const HAVE_GNU_TIME = existsSync('/usr/bin/time');

/** Runs `sh -c command` under `/usr/bin/time -v`; the tool's own stderr tail comes back for errors. */
export async function measure(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<RunMeasure & { stderrTail: string }> {
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
  if (report === null) return { wallSec: hrWall, cpuSec: null, maxRssKb: null, exitCode: code, stderrTail: own };
  // GNU time prints centiseconds; below 0.1 s our own clock (which adds the fork of time and sh,
  // about a millisecond) is the better number.
  const wallSec = report.wallSec < 0.1 ? hrWall : report.wallSec;
  return { ...report, wallSec, exitCode: code, stderrTail: own };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median of a field over runs, or null when any run lacks it. */
export function medianOf(runs: readonly RunMeasure[], f: (r: RunMeasure) => number | null | undefined): number | null {
  const xs = runs.map(f);
  return xs.length > 0 && xs.every((x) => typeof x === 'number') ? median(xs as number[]) : null;
}
