/**
 * Where an ingest's time goes, per line, on a generated log held in memory (no file, no source
 * stage): the parse alone, then the engine's steps as an inline ingest runs them, batch by batch:
 *
 * 1. line path: `Executor.run` of the inline executor (src/pipeline/engine/executor.ts) over blocks
 *    of lines, i.e. LinePath.run: parse → route → enrich (UA, Referer, method, protocol) →
 *    anonymise (address, user, path interned; country once per address) → aggregate;
 * 2. drain: `Executor.endBatch` → the batch's parts (keys fetched, SipHash per address and
 *    site-day, display text decoded once per kept key, columnar lists);
 * 3. commit: those parts as one `Batch` (as src/pipeline/ingest.ts builds it) into
 *    `openSqliteStore(...).commit(batch)` (one transaction: a segment per site-day).
 *
 * Settings are the pipeline defaults (every panel on, `--ip mask`; `--ip full` as the e2e bench
 * command has it with `--ip full`), a memory key ring, no raw window. Each run builds a fresh
 * executor and store (not timed); one untimed run warms the JIT first. Reported: CPU time of the
 * process (user + system, so GC and helper threads count) per line, median of the runs, with the
 * wall clock beside it.
 *
 *   npx tsx bench/micro/stages.bench.ts [--lines N] [--runs R] [--batch-lines N] [--vhosts N]
 *                                       [--ip mask|full] [--no-geo] [--no-ua] [--no-referrers]
 *
 * --vhosts N: vhost_combined input over N Zipf-skewed sites, routed by vhost (every vhost its own
 * site), so the per-site cost shows against the one-site run.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateLines, type GenOptions } from '../../fixtures/generate.js';
import type { Batch } from '../../src/aggregate/index.js';
import { createMemoryKeyRing, type IpPolicy } from '../../src/anonymise/index.js';
import { LineFields } from '../../src/core/line-fields.js';
import { DBIP_ATTRIBUTION } from '../../src/enrich/index.js';
import { createByteParser, type FormatSpec } from '../../src/parse/index.js';
import { siteMetaFor } from '../../src/pipeline/build.js';
import { DEFAULT_PIPELINE } from '../../src/pipeline/config-schema.js';
import { createExecutor } from '../../src/pipeline/engine/executor.js';
import type { Routing } from '../../src/pipeline/engine/line-path.js';
import type { StageSettings } from '../../src/pipeline/engine/stages.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '5' },
    'batch-lines': { type: 'string', default: '200000' },
    vhosts: { type: 'string' },
    ip: { type: 'string', default: 'mask' },
    'no-geo': { type: 'boolean', default: false },
    'no-ua': { type: 'boolean', default: false },
    'no-referrers': { type: 'boolean', default: false },
  },
});
const N = Number(values.lines);
const RUNS = Number(values.runs);
const BATCH = Number(values['batch-lines']);
const VHOSTS = values.vhosts === undefined ? 0 : Number(values.vhosts);
const IP = values.ip as IpPolicy;
if (![N, RUNS, BATCH].every((x) => Number.isInteger(x) && x > 0) || !Number.isInteger(VHOSTS) || VHOSTS < 0 || !['mask', 'full'].includes(IP)) {
  process.stderr.write('usage: npx tsx bench/micro/stages.bench.ts [--lines N] [--runs R] [--batch-lines N] [--vhosts N] [--ip mask|full] [--no-geo] [--no-ua] [--no-referrers]\n');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Input: the bench's generator (seed 1, 7 days, 50k clients, 0.1 % malformed) in one Buffer.

const SITE = 'bench.example';
const gen: GenOptions = VHOSTS > 0 ? { lines: N, seed: 1, days: 7, sites: VHOSTS, format: 'vhost_combined' } : { lines: N, seed: 1, days: 7, hosts: [SITE] };
const buf = Buffer.from(`${[...generateLines(gen)].join('\n')}\n`, 'latin1');
const ends = new Uint32Array(N);
for (let i = 0, k = 0; i < buf.length; i++) if (buf[i] === 10) ends[k++] = i;
const spec: FormatSpec = { format: VHOSTS > 0 ? 'vhost_combined' : 'combined' };
const routing: Routing = VHOSTS > 0 ? { type: 'vhost', known: null } : { type: 'fixed', site: SITE };

const d = DEFAULT_PIPELINE;
const settings: StageSettings = {
  sites: new Map(),
  enrich: {
    ua: !values['no-ua'],
    geo: !values['no-geo'],
    geoDatabase: null,
    referrers: !values['no-referrers'],
    trustedProxies: [],
    pageExtensions: [...d.enrich.pageExtensions],
  },
  metrics: { ...d.metrics },
  privacy: { ...d.privacy, ip: IP, queryAllow: [] },
  rawWindowDays: 0,
};
const TODAY = new Date().toISOString().slice(0, 10);
const siteMeta = siteMetaFor(settings, settings.enrich.geo ? [DBIP_ATTRIBUTION] : []);

/** The cutter hands the executor one block per read chunk; 1,024 lines is about one 256 KiB chunk. */
const BLOCK = 1024;

// ---------------------------------------------------------------------------------------------

interface Step {
  cpu: number;
  wall: number;
}
const zero = (): Step => ({ cpu: 0, wall: 0 });

/** Adds the CPU and wall time of `body` to `into`. */
async function timed<T>(into: Step, body: () => Promise<T> | T): Promise<T> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const out = await body();
  into.wall += Number(process.hrtime.bigint() - t0);
  const c = process.cpuUsage(c0);
  into.cpu += (c.user + c.system) * 1000;
  return out;
}

function parseOnly(): Step {
  const parser = createByteParser(spec);
  const fields = new LineFields();
  const s = zero();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let ok = 0;
  let start = 0;
  for (let i = 0; i < N; i++) {
    if (parser.parse(buf, start, ends[i]!, fields) === 0) ok++;
    start = ends[i]! + 1;
  }
  s.wall = Number(process.hrtime.bigint() - t0);
  const c = process.cpuUsage(c0);
  s.cpu = (c.user + c.system) * 1000;
  if (ok < N * 0.99) throw new Error(`only ${ok} of ${N} lines parsed`);
  return s;
}

interface EngineRun {
  path: Step;
  drain: Step;
  commit: Step;
  sites: number;
  siteDays: number;
  storeBytes: number;
}

async function engineRun(dir: string, run: number): Promise<EngineRun> {
  const exec = await createExecutor(0, { settings, keys: createMemoryKeyRing(), raw: false, today: () => TODAY, onAttack: null });
  const dbPath = join(dir, `s${run}.db`);
  const store = openSqliteStore(dbPath, { visitTimeoutSec: d.metrics.visitTimeoutMinutes * 60 });
  const r: EngineRun = { path: zero(), drain: zero(), commit: zero(), sites: 0, siteDays: 0, storeBytes: 0 };
  const sites = new Set<string>();
  try {
    exec.startInput({ name: 'bench', format: spec, routing }, createByteParser(spec));
    for (let b = 0; b < N; b += BATCH) {
      const last = Math.min(N, b + BATCH);
      await timed(r.path, async () => {
        for (let i = b; i < last; i += BLOCK) {
          const n = Math.min(BLOCK, last - i);
          await exec.run(buf, i === 0 ? 0 : ends[i - 1]! + 1, ends.subarray(i, i + n), n, i + 1, Infinity);
        }
      });
      const parts = await timed(r.drain, () => exec.endBatch());
      const meta = new Map(parts.flatMap((p) => p.part.site).map((s) => [s, siteMeta(s)] as const));
      for (const p of parts) {
        for (const s of p.part.site) sites.add(s);
        r.siteDays += p.part.site.length;
      }
      const batch: Batch = { parts: parts.map((p) => p.part), sites: meta, checkpoint: null, raw: [], lines: last - b };
      await timed(r.commit, () => store.commit(batch));
    }
  } finally {
    await store.close();
    await exec.close();
  }
  r.sites = sites.size;
  r.storeBytes = statSync(dbPath).size + statSize(`${dbPath}-wal`);
  return r;
}

function statSize(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

const dir = mkdtempSync(join(tmpdir(), 'weblog-stages-'));
try {
  parseOnly();
  await engineRun(dir, -1);
  const parse: Step[] = [];
  const runs: EngineRun[] = [];
  for (let r = 0; r < RUNS; r++) {
    parse.push(parseOnly());
    runs.push(await engineRun(dir, r));
  }
  const per = (xs: number[]): string => (median(xs) / N).toFixed(0);
  const row = (name: string, steps: Step[], cum?: number[]): string =>
    `| ${name} | ${per(steps.map((s) => s.cpu))} | ${cum === undefined ? '' : per(cum)} | ${per(steps.map((s) => s.wall))} |`;
  const total = runs.map((r) => r.path.cpu + r.drain.cpu + r.commit.cpu);
  const first = runs[0]!;
  const what = VHOSTS > 0 ? `vhost_combined over ${VHOSTS.toLocaleString('en')} vhosts (${first.sites.toLocaleString('en')} seen)` : 'combined, one site';
  console.log(
    `${N.toLocaleString('en')} generated lines (${what}; ${(buf.length / N).toFixed(0)} bytes a line), batches of ${BATCH.toLocaleString('en')} lines ` +
      `(${first.siteDays.toLocaleString('en')} site-days in all), --ip ${IP}${values['no-geo'] ? ' --no-geo' : ''}${values['no-ua'] ? ' --no-ua' : ''}${values['no-referrers'] ? ' --no-referrers' : ''}; ` +
      `median of ${RUNS} runs after one warm-up; store ${(first.storeBytes / 2 ** 20).toFixed(1)} MB\n`,
  );
  console.log('| step | CPU ns/line | cumulative CPU ns/line | wall ns/line |');
  console.log('| --- | ---: | ---: | ---: |');
  console.log(row('parse alone (createByteParser)', parse));
  console.log(row('line path: parse, route, enrich, anonymise, aggregate', runs.map((r) => r.path), runs.map((r) => r.path.cpu)));
  console.log(row('+ drain (endBatch → parts)', runs.map((r) => r.drain), runs.map((r) => r.path.cpu + r.drain.cpu)));
  console.log(row('+ SQLite commit of the parts', runs.map((r) => r.commit), total));
  console.log(`\n${Math.round((1e9 * N) / median(total)).toLocaleString('en')} lines per CPU second through the engine (no source stage, no process start-up)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
