/** Format detection: every preset tries the sample, the one that parses the most lines wins. */
import { emptyParsedLine } from '../core/record.js';
import type { LineParser, PresetName } from './parser.js';
import { createPreset } from './presets.js';
import { isBlank } from './fields.js';

/** Tie order: a more specific format first (vhost_combined lines never parse as combined, and vice versa). */
const DETECT_ORDER: readonly PresetName[] = ['vhost_combined', 'combined', 'nginx_combined', 'common', 'xferlog'];

/** Try every preset on sample lines; pick the one that parses the most. Null if none parses at least half of the non-empty lines. */
export function detectFormat(sample: readonly string[]): { name: PresetName; parser: LineParser; parsed: number } | null {
  let nonEmpty = 0;
  for (const line of sample) {
    const l = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (l.length > 0 && !isBlank(l)) nonEmpty++;
  }
  if (nonEmpty === 0) return null;
  const out = emptyParsedLine();
  let best: { name: PresetName; parser: LineParser; parsed: number } | null = null;
  for (const name of DETECT_ORDER) {
    const parser = createPreset(name);
    let parsed = 0;
    for (const line of sample) if (parser.parse(line, out) === null) parsed++;
    if (best === null || parsed > best.parsed) best = { name, parser, parsed };
  }
  if (best === null || best.parsed === 0 || best.parsed * 2 < nonEmpty) return null;
  return best;
}
