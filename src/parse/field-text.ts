/** A field of a LineFields as a string: for tests, messages and slow paths, never the hot path. */
import type { LineFields } from '../core/line-fields.js';

/** The text of field `f` (F_IP …), decoded as latin1 (one char per byte) or UTF-8. */
export function fieldText(out: LineFields, f: number, encoding: 'latin1' | 'utf8' = 'latin1'): string {
  const s = out.start[f]!;
  const e = out.end[f]!;
  if (s === e) return '';
  const b = out.inScratch[f] === 1 ? out.scratch : out.src;
  return Buffer.from(b.buffer, b.byteOffset + s, e - s).toString(encoding);
}
