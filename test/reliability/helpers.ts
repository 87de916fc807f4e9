/** Child-process runs of the CLI for the reliability suite: kill -9, signals, memory. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { REPO, weblog } from '../helpers/cli.js';

export interface Child {
  readonly proc: ChildProcessWithoutNullStreams;
  /** stderr so far. */
  stderr(): string;
  stdout(): string;
  /** Exit code (or -1) and the signal that ended it. */
  readonly done: Promise<{ code: number; signal: NodeJS.Signals | null }>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test', 'helpers', 'entry.ts'), ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  proc.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const done = new Promise<{ code: number; signal: NodeJS.Signals | null }>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', (code, signal) => resolve({ code: code ?? -1, signal }));
  });
  return { proc, stderr: () => err, stdout: () => out, done };
}

/** Runs to the end with a time limit: a hang fails the test instead of stalling the suite. */
export async function runCli(args: string[], limitMs = 60_000, input?: Buffer | string): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = startCli(args);
  if (input !== undefined) c.proc.stdin.end(input);
  else c.proc.stdin.end();
  const timer = setTimeout(() => c.proc.kill('SIGKILL'), limitMs);
  const r = await c.done;
  clearTimeout(timer);
  expect(r.signal, `weblog ${args.join(' ')} hung (killed after ${limitMs} ms); stderr: ${c.stderr()}`).toBeNull();
  return { code: r.code, stdout: c.stdout(), stderr: c.stderr() };
}

/** The JSON report the issue compares byte for byte. */
export async function reportJson(store: string, site: string): Promise<string> {
  const r = await weblog(['report', '--store', store, '--site', site, '--top', '0', '--threshold', '1', '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** sfc32: the same seed gives the same kill moments on every machine. */
export function prng(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
}

/** Lines read / counted / rejected / blank (skipped) from the ingest summary on stderr. */
export function summaryCounts(stderr: string): { read: number; counted: number; rejected: number; blank: number; byReason: number; byReasonExceptEmpty: number } {
  // Counts are grouped (1,000,000) and "1 line" is singular; blank lines are said only when there are some.
  const m = /([\d,]+) lines? read, ([\d,]+) counted, ([\d,]+) rejected(?:, ([\d,]+) blank skipped)?/.exec(stderr);
  expect(m, `no ingest summary in: ${stderr}`).not.toBeNull();
  const n = (s: string): number => Number(s.replaceAll(',', ''));
  let byReason = 0;
  let byReasonExceptEmpty = 0;
  for (const r of stderr.matchAll(/^ {2}rejected ([a-z_]+): ([\d,]+)/gm)) {
    byReason += n(r[2]!);
    if (r[1] !== 'empty') byReasonExceptEmpty += n(r[2]!);
  }
  return { read: n(m![1]!), counted: n(m![2]!), rejected: n(m![3]!), blank: n(m![4] ?? '0'), byReason, byReasonExceptEmpty };
}

/** Lines as split2 sees them: every newline ends one, a non-empty tail is one more. */
export function countLines(buf: Buffer): number {
  let n = 0;
  let at = buf.indexOf(10);
  while (at !== -1) {
    n++;
    at = buf.indexOf(10, at + 1);
  }
  return n + (buf.length > 0 && buf[buf.length - 1] !== 10 ? 1 : 0);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, cond: () => boolean, limitMs: number): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > limitMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export function readLines(path: string): string[] {
  const t = readFileSync(path, 'latin1');
  return t.split('\n').slice(0, -1);
}

/** Lines (hits + rejected) committed to a SQLite store, read while writers may be running or killed. */
export function committedLines(store: string): number {
  if (!existsSync(store)) return 0;
  const db = new Database(store, { readonly: true, fileMustExist: true });
  try {
    const hits = (db.prepare('SELECT COALESCE(SUM(hits), 0) AS n FROM seg').get() as { n: number }).n;
    const rej = (db.prepare('SELECT COALESCE(SUM(lines), 0) AS n FROM rejected').get() as { n: number }).n;
    return hits + rej;
  } catch {
    return 0; // the schema is not there yet
  } finally {
    db.close();
  }
}
