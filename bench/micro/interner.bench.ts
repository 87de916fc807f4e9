/**
 * `ByteInterner.internText`, the drain's call per kept (site-day, address) entry: 1M calls over
 * 200k distinct address texts, five rounds on a fresh table each, against a build's dist/ (so two
 * builds compare side by side).
 *
 *   npm run build && npx tsx bench/micro/interner.bench.ts [BUILD_DIR …]   (default: this checkout)
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type Interner = { internText(text: string): number };
const texts: string[] = [];
for (let i = 0; i < 200_000; i++) texts.push(`${(i * 7) % 256}.${(i * 13) % 256}.${i % 97}.${i % 251}`);

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
}
