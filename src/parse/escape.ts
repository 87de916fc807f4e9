/**
 * Undoing the servers' escaping inside log fields, from a range of the line into the record's
 * scratch bytes. Only called for fields that contain a backslash.
 *
 * - ESC_LOG: Apache (≥ 2.0.46) writes `\"`, `\\`, C escapes (`\n`…) and `\xhh`; nginx's default
 *   escaping writes `\xHH`. `\uXXXX` is read too (a code point up to U+00FF as that byte, others
 *   as UTF-8), for templates that look like JSON but do not say `escape=json`.
 * - ESC_JSON: JSON strings (nginx `escape=json`, Caddy): `\"` `\\` `\/` `\b` `\f` `\n` `\r` `\t`
 *   and `\uXXXX` as UTF-8, surrogate pairs joined.
 * - ESC_NONE: nginx `escape=none`: a backslash is just a byte.
 *
 * Unknown escapes are kept as written. The output is never longer than the input.
 */
import type { LineFields } from '../core/line-fields.js';
import { reserveScratch } from './scratch.js';

export const ESC_LOG = 0;
export const ESC_JSON = 1;
export const ESC_NONE = 2;

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

function hex4(b: Uint8Array, p: number, end: number): number {
  if (p + 4 > end) return -1;
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const h = hexVal(b[p + i]!);
    if (h < 0) return -1;
    v = (v << 4) | h;
  }
  return v;
}

/** UTF-8 bytes of a code point at o[k]; returns the position after them. */
function putUtf8(o: Uint8Array, k: number, cp: number): number {
  if (cp < 0x80) {
    o[k] = cp;
    return k + 1;
  }
  if (cp < 0x800) {
    o[k] = 0xc0 | (cp >> 6);
    o[k + 1] = 0x80 | (cp & 0x3f);
    return k + 2;
  }
  if (cp < 0x10000) {
    o[k] = 0xe0 | (cp >> 12);
    o[k + 1] = 0x80 | ((cp >> 6) & 0x3f);
    o[k + 2] = 0x80 | (cp & 0x3f);
    return k + 3;
  }
  o[k] = 0xf0 | (cp >> 18);
  o[k + 1] = 0x80 | ((cp >> 12) & 0x3f);
  o[k + 2] = 0x80 | ((cp >> 6) & 0x3f);
  o[k + 3] = 0x80 | (cp & 0x3f);
  return k + 4;
}

/** The byte a one-letter escape stands for, -1 when the letter is not one (for this mode). */
function simpleEscape(c: number, mode: number): number {
  switch (c) {
    case 34: // \"
      return 34;
    case 92: // \\
      return 92;
    case 47: // \/
      return 47;
    case 110: // \n
      return 10;
    case 116: // \t
      return 9;
    case 114: // \r
      return 13;
    case 98: // \b
      return 8;
    case 102: // \f
      return 12;
    case 118: // \v
      return mode === ESC_LOG ? 11 : -1;
    default:
      return -1;
  }
}

/**
 * Writes the unescaped bytes of b[start, end) to the end of out.scratch. Returns the scratch
 * offset where they end (they start at out.scratchUsed before the call).
 */
export function unescapeInto(b: Uint8Array, start: number, end: number, mode: number, out: LineFields): number {
  let k = reserveScratch(out, end - start);
  const o = out.scratch;
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c !== 92 || i + 1 >= end) {
      o[k++] = c;
      i++;
      continue;
    }
    const n = b[i + 1]!;
    const simple = simpleEscape(n, mode);
    if (simple >= 0) {
      o[k++] = simple;
      i += 2;
      continue;
    }
    if ((n === 120 || n === 88) && mode === ESC_LOG) {
      // \xhh
      const h = i + 3 < end ? hexVal(b[i + 2]!) : -1;
      const l = h >= 0 ? hexVal(b[i + 3]!) : -1;
      if (l >= 0) {
        o[k++] = (h << 4) | l;
        i += 4;
        continue;
      }
    } else if (n === 117) {
      // \uXXXX; a surrogate pair becomes one code point.
      let cp = hex4(b, i + 2, end);
      if (cp >= 0) {
        let adv = 6;
        if (cp >= 0xd800 && cp <= 0xdbff && i + 7 < end && b[i + 6] === 92 && b[i + 7] === 117) {
          const lo = hex4(b, i + 8, end);
          if (lo >= 0xdc00 && lo <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            adv = 12;
          }
        }
        if (mode === ESC_LOG && cp <= 0xff) o[k++] = cp;
        // A lone surrogate is not a character: JSON decoders (Go's, Caddy's) make it U+FFFD.
        else k = putUtf8(o, k, mode === ESC_JSON && cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp);
        i += adv;
        continue;
      }
    }
    // Not an escape we know: keep the backslash and read on from the next byte.
    o[k++] = c;
    i++;
  }
  out.scratchUsed = k;
  return k;
}
