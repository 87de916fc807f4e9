/**
 * `ByteInterner` against a build's dist/, five rounds on a fresh table each:
 * - `internText`, the drain's call per kept (site-day, address) entry: 1M calls over 200k
 *   distinct address texts;
 * - `intern` of byte ranges, the hot path's call per line (a client address): 2M calls over 250k
 *   distinct addresses in one buffer, in a shuffled order, so that the table outgrows the CPU
 *   caches as a busy log's does.
 *
 *   npm run build && npx tsx bench/micro/interner.bench.ts [BUILD_DIR …]   (default: this checkout)
 *
 * Compare builds in separate processes, alternating, many times: in one process the second build
 * runs behind call sites the first one shaped, and single processes of one build spread up to 4×
 * on a shared machine (bench/README.md).
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type Interner = { internText(text: string): number; intern(src: Uint8Array, start: number, end: number): number };
const texts: string[] = [];
for (let i = 0; i < 200_000; i++) texts.push(`${(i * 7) % 256}.${(i * 13) % 256}.${i % 97}.${i % 251}`);

// 250k addresses, a quarter of them IPv6, written one after another; 2M lookups in a shuffled order.
const parts: string[] = [];
for (let i = 0; i < 250_000; i++) parts.push(i % 4 === 0 ? `2001:db8:${(i * 31) % 65536}::${(i % 4093).toString(16)}` : `${(i * 7) % 256}.${(i * 13) % 256}.${(i >> 8) % 256}.${i % 256}`);
const buf = Buffer.from(parts.join(''), 'latin1');
const starts = new Uint32Array(parts.length + 1);
for (let i = 0; i < parts.length; i++) starts[i + 1] = starts[i]! + parts[i]!.length;
const order = new Uint32Array(2_000_000);
let seed = 12345;
for (let i = 0; i < order.length; i++) {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  order[i] = seed % parts.length;
}

const dirs = process.argv.slice(2);
for (const dir of dirs.length > 0 ? dirs : ['.']) {
  const url = pathToFileURL(join(resolve(dir), 'dist', 'core', 'interner.js')).href;
  const { ByteInterner } = (await import(url)) as { ByteInterner: new (expected?: number) => Interner };
  const ms: string[] = [];
  for (let r = 0; r < 5; r++) {
    const t = new ByteInterner(4096);
    const t0 = performance.now();
    for (let k = 0; k < 5; k++) for (const s of texts) t.internText(s);
    ms.push((performance.now() - t0).toFixed(0));
  }
  console.log(`${dir}: ${ms.join(' / ')} ms per 1M internText calls (rounds 1–5)`);
  const bytes: string[] = [];
  for (let r = 0; r < 5; r++) {
    const t = new ByteInterner(4096);
    const t0 = performance.now();
    for (let i = 0; i < order.length; i++) t.intern(buf, starts[order[i]!]!, starts[order[i]! + 1]!);
    bytes.push((performance.now() - t0).toFixed(0));
  }
  console.log(`${dir}: ${bytes.join(' / ')} ms per 2M intern calls over 250k addresses (rounds 1–5)`);
}
