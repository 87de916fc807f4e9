/**
 * Where a report's time goes on one store: importing the store modules, opening it, the first
 * query (cold JIT, cold SQLite cache) and warm queries (a running server).
 *
 *   npx tsx bench/micro/report.bench.ts STORE SITE [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--top N] [--runs N]
 *
 * `npm run bench` builds such a store for its report row (bench/.cache/<fixture>.<commit>.report.db,
 * site bench.example, 7 days) and `npm run bench -- --reports` the 30- and 365-day ones
 * (bench/.cache/report-30d-….db, report-365d-….db). Whole-process time is those rows; this splits it.
 */
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '10' }, runs: { type: 'string', default: '5' }, from: { type: 'string' }, to: { type: 'string' } } });
const [store, site] = positionals;
if (store === undefined || site === undefined) {
  process.stderr.write('usage: npx tsx bench/micro/report.bench.ts STORE SITE [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--top N] [--runs N]\n');
  process.exit(2);
}
const ms = (t0: number): string => `${(performance.now() - t0).toFixed(1)} ms`;

let t = performance.now();
const { openStore } = await import('../../src/store/index.js');
console.log(`import store modules   ${ms(t)}`);
t = performance.now();
const s = await openStore(store, { visitTimeoutSec: 1800, readonly: true });
console.log(`open                   ${ms(t)}`);
const q = { site, from: values.from ?? null, to: values.to ?? null, top: Number(values.top) };
for (let i = 0; i < Number(values.runs); i++) {
  t = performance.now();
  const r = await s.query(q);
  if (r === null) throw new Error(`no site ${site} in ${store}`);
  console.log(`query ${i === 0 ? '(first)' : '(warm) '}        ${ms(t)}   ${r.days.length} days, ${r.distinctIps} addresses`);
}
await s.close();
