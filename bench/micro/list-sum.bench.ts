/**
 * The store's k-way merge (`sumLists`, store/sqlite/list-sum.ts) on a real store's rollups: every
 * list of the stored week rollups of one site, summed as a report over those weeks sums it,
 * against a build's dist/ (one build per process: compare builds in alternating processes).
 *
 *   npm run build && npx tsx bench/micro/list-sum.bench.ts STORE SITE [BUILD_DIR] [--rounds N]
 *
 * STORE is e.g. the 30-day report store of `npm run bench -- --reports`
 * (bench/.cache/report-30d-….db, site bench.example): five week rollups, 2.04M list entries.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '8' } } });
const [store, site, dir = '.'] = positionals;
if (store === undefined || site === undefined) {
  process.stderr.write('usage: npx tsx bench/micro/list-sum.bench.ts STORE SITE [BUILD_DIR] [--rounds N]\n');
  process.exit(2);
}
const mod = (p: string): string => pathToFileURL(join(resolve(dir), 'dist', 'store', 'sqlite', p)).href;
type Lists = { lists: Map<number, unknown> };
const { decodeLists } = (await import(mod('segment-codec.js'))) as { decodeLists: (b: Uint8Array) => Lists };
const { sumLists } = (await import(mod('list-sum.js'))) as { sumLists: (l: readonly unknown[]) => { n: number } };

const db = new Database(store, { readonly: true });
const rows = db
  .prepare<[string], { lists: Buffer }>(
    `SELECT r.lists FROM seg_rollup r JOIN site s ON s.id = r.site_id WHERE s.name = ? AND r.last_day - r.first_day < 7 ORDER BY r.first_day`,
  )
  .all(site);
const decoded = rows.map((r) => decodeLists(r.lists));
const byId = new Map<number, unknown[]>();
for (const d of decoded) for (const [id, l] of d.lists) byId.set(id, [...(byId.get(id) ?? []), l]);
let entries = 0;
for (const d of decoded) for (const l of d.lists.values()) entries += (l as { hashHi: Uint32Array }).hashHi.length;

const ms: string[] = [];
let keys = 0;
for (let r = 0; r < Number(values.rounds); r++) {
  const t0 = performance.now();
  keys = 0;
  for (const lists of byId.values()) keys += sumLists(lists).n;
  ms.push((performance.now() - t0).toFixed(0));
}
console.log(`${dir}: ${rows.length} week rollups, ${entries} entries → ${keys} keys: ${ms.join(' / ')} ms per sum of every list`);
