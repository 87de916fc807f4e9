/**
 * Per-stage cost of the ingest hot path, in ns per line, on a generated log held in memory:
 * parse → + enrich (UA, referrer) → + anonymise (country once per address and day) → + aggregate → + drain
 * → store commit. Each row adds one stage, so a regression shows where it is.
 *
 *   npx tsx bench/micro/stages.bench.ts [--lines N] [--runs R]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateLines } from '../../fixtures/generate.js';
import { createAggregator } from '../../src/aggregate/aggregator.js';
import { createAnonymiser, createMemoryKeyRing, DEFAULT_PRIVACY, fnv1a32, scrub } from '../../src/anonymise/index.js';
import { emptyParsedLine, type Enrichment } from '../../src/core/record.js';
import { createReferrerClassifier, createUaClassifier, openGeoLookup } from '../../src/enrich/index.js';
import { bytesToText, createParser } from '../../src/parse/index.js';
import { openStore } from '../../src/store/index.js';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '300000' }, runs: { type: 'string', default: '3' } } });
const N = Number(values.lines);
const RUNS = Number(values.runs);
const lines = [...generateLines({ lines: N, seed: 1, days: 7 })].map((l) => Buffer.from(l, 'utf8').toString('latin1'));

const parser = createParser({ format: 'combined' });
const ua = createUaClassifier();
const geo = await openGeoLookup();
const ref = createReferrerClassifier({ hosts: ['www.example.com'] });
const parsed = emptyParsedLine();
const enrichment: Enrichment = { ua: { browser: '', os: '', device: '', bot: false }, referrer: ref.classify('-') };
const NONE = ref.classify('-');

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

async function time(name: string, body: () => void | Promise<void>): Promise<void> {
  const ts: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    await body();
    ts.push(Number(process.hrtime.bigint() - t0) / N);
  }
  const ns = median(ts);
  console.log(`${name.padEnd(34)} ${ns.toFixed(0).padStart(6)} ns/line  ${Math.round(1e9 / ns).toLocaleString('en').padStart(10)} lines/s`);
}

const uaCache = new Map<string, { info: Enrichment['ua']; hash: number }>();
function enrich(): number {
  let e = uaCache.get(parsed.userAgent);
  if (e === undefined) {
    e = { info: ua.classify(parsed.userAgent), hash: fnv1a32(parsed.userAgent) };
    uaCache.set(parsed.userAgent, e);
  }
  enrichment.ua = e.info;
  enrichment.referrer = parsed.referrer === '' ? NONE : ref.classify(parsed.referrer);
  return e.hash;
}

// The country lookup runs inside the anonymiser, once per address and day (as in an ingest).
const newAnon = () =>
  createAnonymiser({ policy: { ...DEFAULT_PRIVACY, ip: 'full' }, keys: createMemoryKeyRing(), count4xxVisitors: false, countryOf: (ip) => geo.country(ip) });
const newAgg = () => createAggregator({ visitTimeoutSec: 1800, topKeysPerDay: 100_000, ignoreCrawlers: false, toText: bytesToText, scrub });

console.log(`${N.toLocaleString('en')} generated lines, median of ${RUNS} runs`);
await time('parse', () => {
  for (const l of lines) parser.parse(l, parsed);
});
await time('+ UA (pipeline cache)', () => {
  for (const l of lines) if (parser.parse(l, parsed) === null) uaCache.get(parsed.userAgent) ?? uaCache.set(parsed.userAgent, { info: ua.classify(parsed.userAgent), hash: fnv1a32(parsed.userAgent) });
});
await time('+ country (a lookup every line)', () => {
  for (const l of lines) if (parser.parse(l, parsed) === null) geo.country(parsed.ip);
});
await time('+ referrer', () => {
  for (const l of lines) if (parser.parse(l, parsed) === null && parsed.referrer !== '') ref.classify(parsed.referrer);
});
await time('+ enrich (UA, referrer)', () => {
  for (const l of lines) if (parser.parse(l, parsed) === null) enrich();
});
await time('+ anonymise (and country)', () => {
  const anon = newAnon();
  for (const l of lines) if (parser.parse(l, parsed) === null) anon.apply('s', parsed, enrichment, enrich(), true);
});
await time('+ aggregate', () => {
  const anon = newAnon();
  const agg = newAgg();
  for (const l of lines) if (parser.parse(l, parsed) === null) agg.add('s', anon.apply('s', parsed, enrichment, enrich(), true));
});
let drained: ReturnType<ReturnType<typeof newAgg>['drain']> | null = null;
await time('+ drain', () => {
  const anon = newAnon();
  const agg = newAgg();
  for (const l of lines) if (parser.parse(l, parsed) === null) agg.add('s', anon.apply('s', parsed, enrichment, enrich(), true));
  drained = agg.drain();
});
const dir = mkdtempSync(join(tmpdir(), 'weblog-bench-'));
let run = 0;
await time('store commit (SQLite, one batch)', async () => {
  const s = await openStore(join(dir, `s${run++}.db`), { visitTimeoutSec: 1800 });
  await s.commit({ days: drained!.days, rejected: drained!.rejected, sites: new Map(), checkpoint: null, raw: [], lines: N });
  await s.close();
});
