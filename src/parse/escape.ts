/**
 * Undoing the servers' escaping inside log fields, into latin1 byte strings.
 * Apache (≥ 2.0.46) writes `\"`, `\\`, `\n`-style escapes and `\xhh`; nginx writes `\xHH` (and
 * with `escape=json`, `\"`, `\\` and `\u00HH`). Only called for fields that contain a backslash.
 */

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** UTF-8 bytes of a code point as a latin1 byte string. */
function utf8Bytes(cp: number): string {
  if (cp < 0x80) return String.fromCharCode(cp);
  if (cp < 0x800) return String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  if (cp < 0x10000) return String.fromCharCode(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  return String.fromCharCode(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

function hex4(s: string, p: number, end: number): number {
  if (p + 4 > end) return -1;
  let v = 0;
  for (let i = 0; i < 4; i++) {
    const h = hexVal(s.charCodeAt(p + i));
    if (h < 0) return -1;
    v = (v << 4) | h;
  }
  return v;
}

/** Decodes s[start, end). Unknown escapes are kept as written. */
export function unescapeRange(s: string, start: number, end: number): string {
  let out = '';
  let run = start;
  let i = s.indexOf('\\', start);
  while (i !== -1 && i + 1 < end) {
    const c = s.charCodeAt(i + 1);
    let rep = '';
    let adv = 2;
    switch (c) {
      case 34: // \"
        rep = '"';
        break;
      case 92: // \\
        rep = '\\';
        break;
      case 110:
        rep = '\n';
        break;
      case 116:
        rep = '\t';
        break;
      case 114:
        rep = '\r';
        break;
      case 98:
        rep = '\b';
        break;
      case 118:
        rep = '\v';
        break;
      case 102:
        rep = '\f';
        break;
      case 47: // \/ from JSON escaping
        rep = '/';
        break;
      case 120: // \xhh
      case 88: {
        const h = i + 3 < end ? hexVal(s.charCodeAt(i + 2)) : -1;
        const l = h >= 0 ? hexVal(s.charCodeAt(i + 3)) : -1;
        if (l >= 0) {
          rep = String.fromCharCode((h << 4) | l);
          adv = 4;
        }
        break;
      }
      case 117: {
        // \uXXXX (nginx escape=json); a surrogate pair becomes one code point.
        let cp = hex4(s, i + 2, end);
        if (cp >= 0) {
          adv = 6;
          if (cp >= 0xd800 && cp <= 0xdbff && s.charCodeAt(i + 6) === 92 && s.charCodeAt(i + 7) === 117) {
            const lo = hex4(s, i + 8, end);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
              cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
              adv = 12;
            }
          }
          rep = cp <= 0xff ? String.fromCharCode(cp) : utf8Bytes(cp);
        }
        break;
      }
      default:
        break;
    }
    if (adv === 2 && rep === '') {
      // Not an escape we know: keep the backslash, look again from the next char.
      i = s.indexOf('\\', i + 1);
      continue;
    }
    out += s.slice(run, i) + rep;
    run = i + adv;
    i = s.indexOf('\\', run);
  }
  return run === start ? s.slice(start, end) : out + s.slice(run, end);
}
