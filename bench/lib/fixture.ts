/**
 * The bench's generated inputs: written once per (options, generator source) to bench/.cache/
 * and reused; the file name's hash changes when either changes.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATOR_VERSION, writeLogFile, type GenOptions, type GenStats } from '../../fixtures/generate.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE = join(ROOT, 'bench', '.cache');
/** The one site of the single-site inputs (`--site` of the ingest commands). */
export const BENCH_SITE = 'bench.example';

/**
 * Issue 7's shapes: 1M lines from 50k clients; 10M lines from 500k clients; 7 days, one site,
 * 0.1 % malformed. `over` changes fields (a shape); with `sites` > 1 the sites are the
 * generator's site1.example … siteN.example.
 */
export function benchGenOptions(lines: number, over: Partial<GenOptions> = {}): GenOptions {
  const clients = lines >= 10_000_000 ? 500_000 : 50_000;
  const base: GenOptions = { lines, seed: 1, sites: 1, days: 7, format: 'combined', hosts: [BENCH_SITE], clients, malformed: 0.001 };
  const o: GenOptions = { ...base, ...over };
  if ((o.sites ?? 1) > 1 && over.hosts === undefined) delete o.hosts;
  return o;
}

/** A short hash of the options and the generator's source: names cached inputs and stores. */
export async function fixtureKey(opts: GenOptions): Promise<string> {
  const src = await readFile(join(ROOT, 'fixtures', 'generate.ts'));
  return createHash('sha256').update(JSON.stringify({ v: GENERATOR_VERSION, opts })).update(src).digest('hex').slice(0, 12);
}

export interface Fixture {
  readonly file: string;
  readonly bytes: number;
  readonly options: GenOptions;
  /** The generator's counts when it was written in this run (null: reused from the cache). */
  readonly stats: GenStats | null;
}

/** Generates the input once and reuses it from bench/.cache/. */
export async function fixture(opts: GenOptions): Promise<Fixture> {
  await mkdir(CACHE, { recursive: true });
  const file = join(CACHE, `access-${opts.lines}-${await fixtureKey(opts)}.log`);
  if (existsSync(file)) return { file, bytes: (await stat(file)).size, options: opts, stats: null };
  process.stderr.write(`generating ${opts.lines.toLocaleString('en')} lines → ${file}\n`);
  const part = `${file}.part`;
  const stats = await writeLogFile(opts, part);
  await rename(part, file); // a file under its final name is always complete
  return { file, bytes: stats.bytes, options: opts, stats };
}
