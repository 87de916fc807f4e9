/** Shared by the parity and cluster tests: fixtures, ingest/report through the CLI, splitting. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { writeLogFile } from '../../../fixtures/generate.js';
import { openStore } from '../../../src/store/index.js';
import { SHARED, weblog } from '../../helpers/cli.js';

export const ELASTIC = join(SHARED, 'logs', 'elastic_apache_logs.log');
export const HAVE_ELASTIC = existsSync(ELASTIC);
/** Lines of the generated multi-site fixture (CI sets 1000000; the default keeps local runs quick). */
export const GEN_LINES = Number(process.env.WEBLOG_CH_PARITY_LINES ?? 200_000);

/** Same flags for every store: user names kept as is, so no per-store key changes a report. */
export const COMMON = ['--user', 'full', '--no-purge', '--quiet'];

export async function generated(lines = GEN_LINES): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'weblog-ch-parity-'));
  const file = join(dir, `vhost-${lines}.log`);
  await writeLogFile({ lines, seed: 4, sites: 6, days: 5, format: 'vhost_combined', clients: 20_000, malformed: 0.002 }, file);
  return file;
}

/** `fn` runs at most once; every caller gets the same promise (shared by the per-server runs). */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null;
  return () => (p ??= fn());
}

/** Two files: lines before and after the first day change at or after the middle line. */
export function splitAtDay(file: string): [string, string] {
  const lines = readFileSync(file, 'latin1').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  // Malformed lines carry garbage dates: only well-formed ones decide where a day ends.
  const dayOf = (l: string): string | null => {
    const i = l.indexOf('[');
    const d = i < 0 ? '' : l.slice(i + 1, l.indexOf(':', i));
    return /^(0[1-9]|[12]\d|3[01])\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/\d{4}$/.test(d) ? d : null;
  };
  let cut = Math.floor(lines.length / 2);
  let d: string | null = null;
  for (let i = cut - 1; i >= 0 && d === null; i--) d = dayOf(lines[i]!);
  for (; cut < lines.length; cut++) {
    const here = dayOf(lines[cut]!);
    // A new day starts where two consecutive lines agree on it (a bad_time line may say 31/Mar).
    if (here !== null && here !== d && dayOf(lines[cut + 1] ?? '') === here) break;
  }
  const a = `${file}.a`;
  const b = `${file}.b`;
  writeFileSync(a, `${lines.slice(0, cut).join('\n')}\n`, 'latin1');
  writeFileSync(b, `${lines.slice(cut).join('\n')}\n`, 'latin1');
  return [a, b];
}

export async function ingest(store: string, args: string[]): Promise<void> {
  const r = await weblog(['ingest', '--store', store, ...COMMON, ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

/** Every site's (or the given sites') full JSON report through the CLI (top 0 = all rows), keyed by site. */
export async function reports(store: string, only?: readonly string[]): Promise<Map<string, string>> {
  const s = await weblog(['sites', '--store', store]);
  expect(s.code).toBe(0);
  const out = new Map<string, string>();
  const sites = s.stdout.split('\n').filter((x) => x !== '');
  for (const site of only === undefined ? sites : only.filter((x) => sites.includes(x))) {
    const r = await weblog(['report', '--store', store, '--site', site, '--format', 'json', '--top', '0']);
    expect(r.code, r.stderr).toBe(0);
    out.set(site, r.stdout);
  }
  return out;
}

/** Byte equality, with a readable first difference when it fails. */
export function expectSameReports(a: Map<string, string>, b: Map<string, string>): void {
  expect([...b.keys()]).toEqual([...a.keys()]);
  for (const [site, json] of a) {
    const other = b.get(site)!;
    if (other !== json) {
      let i = 0;
      while (i < json.length && json[i] === other[i]) i++;
      expect(other.slice(Math.max(0, i - 300), i + 200), `${site} differs at byte ${i}`).toBe(json.slice(Math.max(0, i - 300), i + 200));
    }
    expect(other === json).toBe(true);
  }
}

/** `n` files: line i of `file` goes to file i mod n (several web servers behind one balancer, interleaved in time). */
export function splitByLine(file: string, n: number): string[] {
  const lines = readFileSync(file, 'latin1').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const parts: string[][] = Array.from({ length: n }, () => []);
  lines.forEach((l, i) => parts[i % n]!.push(l));
  return parts.map((p, i) => {
    const out = `${file}.mod${n}-${i}`;
    writeFileSync(out, `${p.join('\n')}\n`, 'latin1');
    return out;
  });
}

/**
 * Every site's StoredReport straight from the store (all rows, no threshold), as JSON: what the
 * Store interface answers, every field the report formats may use (bounces, visit seconds, sums,
 * entry and exit pages, slow pages, undeduplicated days) compared at once.
 */
export async function storedReports(location: string): Promise<Map<string, string>> {
  const store = await openStore(location, { visitTimeoutSec: 1800, readonly: true });
  try {
    const out = new Map<string, string>();
    for (const site of await store.sites()) out.set(site, JSON.stringify(await store.query({ site, from: null, to: null, top: 0 })));
    return out;
  } finally {
    await store.close();
  }
}
