/**
 * `PairIndex` with its counters against a build's dist/, as the aggregator's `bump` uses them:
 * five rounds on a fresh table each, 1M (site-day, key) bumps drawn with a skew from a pool of
 * distinct pairs (default 200,000: a 5,000-vhost batch's address table holds ~117k pairs, its
 * country table ~43k; bench/README.md), then 1M lookups of the same pairs in the full table.
 *
 *   npm run build && npx tsx bench/micro/pair-index.bench.ts [--pairs N] [BUILD_DIR …]   (default: this checkout)
 *
 * Compare builds in separate processes, alternating, many times (see interner.bench.ts).
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface Index {
  get(a: number, b: number): number;
  add(a: number, b: number): number;
  readonly size: number;
}
interface Column {
  data: Float64Array;
  ensure(id: number): void;
}
interface PairIndexModule {
  PairIndex: new (expected?: number) => Index;
  F64Column: new (expected?: number) => Column;
}

const { values, positionals } = parseArgs({ options: { pairs: { type: 'string', default: '200000' } }, allowPositionals: true });
const distinct = Number(values.pairs);
const OPS = 1_000_000;

let seed = 7;
const random = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
};
const poolA = new Uint32Array(distinct);
const poolB = new Uint32Array(distinct);
for (let j = 0; j < distinct; j++) {
  poolA[j] = Math.floor(random() * 35_000);
  poolB[j] = Math.floor(random() * 300_000);
}
// Squaring a uniform draw skews it to the pool's head, as a log's hot addresses and pages are.
const opA = new Uint32Array(OPS);
const opB = new Uint32Array(OPS);
for (let i = 0; i < OPS; i++) {
  const j = Math.floor(random() ** 2 * distinct);
  opA[i] = poolA[j]!;
  opB[i] = poolB[j]!;
}

for (const dir of positionals.length > 0 ? positionals : ['.']) {
  const url = pathToFileURL(join(resolve(dir), 'dist', 'core', 'pair-index.js')).href;
  const { PairIndex, F64Column } = (await import(url)) as PairIndexModule;
  const rounds: string[] = [];
  for (let r = 0; r < 5; r++) {
    const index = new PairIndex(1024);
    const hits = new F64Column(1024);
    const bytes = new F64Column(1024);
    const t0 = performance.now();
    for (let i = 0; i < OPS; i++) {
      let id = index.get(opA[i]!, opB[i]!);
      if (id >= 0) {
        hits.data[id] = hits.data[id]! + 1;
        bytes.data[id] = bytes.data[id]! + 100;
        continue;
      }
      id = index.add(opA[i]!, opB[i]!);
      hits.ensure(id);
      bytes.ensure(id);
      hits.data[id] = 1;
      bytes.data[id] = 100;
    }
    const t1 = performance.now();
    let missing = 0;
    for (let i = 0; i < OPS; i++) if (index.get(opA[i]!, opB[i]!) < 0) missing++;
    const t2 = performance.now();
    if (missing > 0) throw new Error(`${missing} lookups missed pairs that were added`);
    rounds.push(`bump ${(t1 - t0).toFixed(0)} ms, lookup ${(t2 - t1).toFixed(0)} ms (${index.size} pairs)`);
  }
  process.stdout.write(`${dir}\n  ${rounds.join('\n  ')}\n`);
}
