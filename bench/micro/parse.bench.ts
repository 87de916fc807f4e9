/**
 * Parse throughput, parse alone: the elastic sample (10,000 real combined lines) repeated to
 * about 1M lines in memory, parsed with the combined preset. Run: npx tsx bench/micro/parse.bench.ts
 * (an optional argument names another preset, e.g. nginx_combined). Target: > 1.5M lines/s.
 */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { emptyParsedLine } from '../../src/core/record.js';
import { PRESETS, createParser, type PresetName } from '../../src/parse/index.js';

const file = fileURLToPath(new URL('../../../shared/data/logs/elastic_apache_logs.log', import.meta.url));
if (!existsSync(file)) {
  console.log(`skipped: ${file} is absent`);
  process.exit(0);
}
const base = readFileSync(file, 'latin1').split('\n').filter((l) => l !== '');
const target = 1_000_000;
const lines: string[] = [];
while (lines.length < target) for (const l of base) lines.push(l);
// Own copies, as a line splitter would hand them over (not slices of one big string).
for (let i = 0; i < lines.length; i++) lines[i] = Buffer.from(lines[i]!, 'latin1').toString('latin1');

const format = (process.argv[2] ?? 'combined') as PresetName;
if (!PRESETS.includes(format)) throw new Error(`unknown preset ${format}`);
const parser = createParser({ format });
const out = emptyParsedLine();
let bytes = 0;
for (const l of lines) bytes += l.length;

function run(): { seconds: number; ok: number } {
  let ok = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < lines.length; i++) if (parser.parse(lines[i]!, out) === null) ok++;
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, ok };
}

run(); // warm-up: let the JIT settle
const rates: number[] = [];
let ok = 0;
for (let r = 0; r < 5; r++) {
  const res = run();
  ok = res.ok;
  rates.push(lines.length / res.seconds);
}
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)]!;
console.log(
  `parse ${format}: ${lines.length} lines (${(bytes / 1e6).toFixed(0)} MB), ${ok} parsed, ` +
    `median ${(median / 1e6).toFixed(2)}M lines/s (${((median * bytes) / lines.length / 1e6).toFixed(0)} MB/s), ` +
    `best ${(rates[rates.length - 1]! / 1e6).toFixed(2)}M lines/s over ${rates.length} runs`,
);
