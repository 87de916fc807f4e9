/**
 * `npm run bench -- --shapes`: weblog ingest on every input shape of issue 11 (seeds, clients,
 * IPv6, vhosts, long referrers, the 10M-line memory run), each build interleaved run by run, one
 * markdown table: wall, CPU (user + system) and peak RSS per build, and after ÷ before. The table
 * also goes to bench/.cache/shapes.md, every run to bench/.cache/shapes.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GenOptions } from '../fixtures/generate.js';
import type { Build } from './lib/builds.js';
import { CACHE, ROOT, benchGenOptions, fixture } from './lib/fixture.js';
import { medianOf, type RunMeasure } from './lib/measure.js';
import { WEBLOG_INGEST_COMMAND, WEBLOG_VHOST_INGEST_COMMAND, fmtMb, fmtRate, fmtSec, runJob } from './lib/runner.js';

export interface Shape {
  readonly id: string;
  readonly label: string;
  readonly lines: number;
  /** Changes to the bench's generator options (bench/lib/fixture.ts). */
  readonly gen: Partial<GenOptions>;
  /** vhost_combined, routed by vhost (no --site). */
  readonly vhost: boolean;
  /** Long runs: measured once per build whatever --runs says. */
  readonly big: boolean;
}

const M = 1_000_000;
const shape = (id: string, label: string, gen: Partial<GenOptions>, o: { lines?: number; vhost?: boolean; big?: boolean } = {}): Shape => ({
  id,
  label,
  lines: o.lines ?? M,
  gen,
  vhost: o.vhost ?? false,
  big: o.big ?? false,
});

export const SHAPES: readonly Shape[] = [
  shape('base', 'one site (the bench input: seed 1, 50k clients, 10 % IPv6)', {}),
  shape('seed2', 'seed 2', { seed: 2 }),
  shape('seed3', 'seed 3', { seed: 3 }),
  shape('clients500k', '500k clients', { clients: 500_000 }),
  shape('clients5m', '5M clients', { clients: 5_000_000 }, { big: true }),
  shape('ipv6', 'IPv6-heavy: 80 % of clients', { ipv6Ratio: 0.8 }),
  shape('vhosts1', 'vhost_combined, 1 vhost', { format: 'vhost_combined' }, { vhost: true }),
  shape('vhosts500', 'vhost_combined, 500 vhosts (Zipf)', { sites: 500, format: 'vhost_combined' }, { vhost: true }),
  shape('vhosts5000', 'vhost_combined, 5,000 vhosts (Zipf)', { sites: 5000, format: 'vhost_combined' }, { vhost: true }),
  shape('long-referrers', 'long referrers: 42 % of page views from search, 1–8 words, 4 tracking parameters', {
    referrers: { search: 60 },
    searchTermRatio: 1,
    searchWords: 8,
    referrerParams: 4,
  }),
  shape('large', '10M lines, 500k clients, one site (memory)', { clients: 500_000 }, { lines: 10 * M, big: true }),
];

export interface ShapeResult {
  shape: Shape;
  file: string;
  bytes: number;
  perBuild: { build: Build; runs: RunMeasure[]; failed?: string }[];
}

interface Summary {
  wall: number | null;
  cpu: number | null;
  rss: number | null;
  store: number | null;
}

function summary(runs: readonly RunMeasure[]): Summary {
  return {
    wall: medianOf(runs, (r) => r.wallSec),
    cpu: medianOf(runs, (r) => r.cpuSec),
    rss: medianOf(runs, (r) => r.maxRssKb),
    store: medianOf(runs, (r) => r.storeBytes),
  };
}

const ratio = (a: number | null, b: number | null): string => (a === null || b === null || b === 0 ? '–' : `${(a / b).toFixed(2)}×`);

export function shapesTable(results: readonly ShapeResult[]): string {
  const names = results[0]?.perBuild.map((p) => p.build.name) ?? ['after'];
  const cols = names.flatMap((n) => [`${n}: wall s`, `${n}: CPU s`, `${n}: RSS MB`, `${n}: store MB`]);
  const both = names.length > 1;
  const head = ['shape', 'lines', 'bytes/line', 'runs', ...cols, 'after lines/s (wall)', 'after CPU ns/line', ...(both ? ['after ÷ before: wall', 'CPU', 'RSS'] : [])];
  const rows = [`| ${head.join(' | ')} |`, `| --- | ${head.slice(1).map(() => '---:').join(' | ')} |`];
  for (const r of results) {
    const s = r.perBuild.map((p) => (p.failed !== undefined ? null : summary(p.runs)));
    const cells = s.flatMap((x, i) =>
      x === null ? [`failed: ${r.perBuild[i]!.failed!.slice(0, 60).replaceAll('|', '\\|')}`, '', '', ''] : [fmtSec(x.wall), fmtSec(x.cpu), x.rss === null ? '–' : (x.rss / 1024).toFixed(0), fmtMb(x.store)],
    );
    const after = s[0] ?? null;
    const before = both ? (s[1] ?? null) : null;
    rows.push(
      `| ${[
        `${r.shape.id}: ${r.shape.label}`,
        r.shape.lines.toLocaleString('en'),
        (r.bytes / r.shape.lines).toFixed(0),
        String(Math.max(...r.perBuild.map((p) => p.runs.length))),
        ...cells,
        after?.wall ? fmtRate(r.shape.lines / after.wall) : '–',
        after?.cpu ? ((after.cpu * 1e9) / r.shape.lines).toFixed(0) : '–',
        ...(both ? [ratio(after?.wall ?? null, before?.wall ?? null), ratio(after?.cpu ?? null, before?.cpu ?? null), ratio(after?.rss ?? null, before?.rss ?? null)] : []),
      ].join(' | ')} |`,
    );
  }
  return rows.join('\n');
}

export async function runShapes(o: { shapes: readonly Shape[]; builds: readonly Build[]; runs: number; machine: () => string }): Promise<ShapeResult[]> {
  const results: ShapeResult[] = [];
  const started = new Date().toISOString();
  for (const s of o.shapes) {
    const fx = await fixture(benchGenOptions(s.lines, s.gen));
    const r: ShapeResult = { shape: s, file: fx.file, bytes: fx.bytes, perBuild: o.builds.map((build) => ({ build, runs: [] })) };
    const runs = s.big ? 1 : o.runs;
    for (let i = 0; i < runs; i++) {
      for (const p of r.perBuild) {
        if (p.failed !== undefined) continue;
        process.stderr.write(`  ${s.id} [${p.build.name}]: run ${i + 1}/${runs} … `);
        const m = await runJob({
          id: `shape-${s.id}`,
          command: s.vhost ? WEBLOG_VHOST_INGEST_COMMAND : WEBLOG_INGEST_COMMAND,
          cwd: p.build.dir,
          vars: { file: fx.file },
          store: 'b.db',
        });
        process.stderr.write(`${m.wallSec.toFixed(2)} s wall, ${m.cpuSec?.toFixed(2) ?? '?'} s CPU, ${((m.maxRssKb ?? 0) / 1024).toFixed(0)} MB${m.exitCode !== 0 ? ` (exit ${m.exitCode})` : ''}\n`);
        if (m.exitCode !== 0) p.failed = `exit ${m.exitCode}: ${m.stderrTail.trim().split('\n').slice(-3).join(' / ')}`;
        else p.runs.push({ wallSec: m.wallSec, cpuSec: m.cpuSec, maxRssKb: m.maxRssKb, exitCode: 0, ...(m.storeBytes !== undefined ? { storeBytes: m.storeBytes } : {}) });
      }
    }
    results.push(r);
    // Written after every shape: a long session that is cut short keeps what it measured.
    await write(results, o, started);
  }
  process.stdout.write(`\n${header(o, started)}\n\n${shapesTable(results)}\n`);
  return results;
}

function header(o: { builds: readonly Build[]; runs: number; machine: () => string }, started: string): string {
  return (
    `weblog ingest per input shape (\`npm run bench -- --shapes\`), ${started} – ${new Date().toISOString()}; ` +
    `median of ${o.runs} runs (big shapes: 1), builds interleaved run by run: ${o.builds.map((b) => `${b.name} ${b.commit} (${b.dir.replace(ROOT, '.')})`).join(', ')}; ` +
    `commands: ${WEBLOG_INGEST_COMMAND} (vhost shapes: ${WEBLOG_VHOST_INGEST_COMMAND}); ${o.machine()}`
  );
}

async function write(results: readonly ShapeResult[], o: { builds: readonly Build[]; runs: number; machine: () => string }, started: string): Promise<void> {
  await mkdir(CACHE, { recursive: true });
  await writeFile(join(CACHE, 'shapes.md'), `${header(o, started)}\n\n${shapesTable(results)}\n`);
  await writeFile(join(CACHE, 'shapes.json'), JSON.stringify({ started, machine: o.machine(), builds: o.builds, results }, null, 2) + '\n');
}
