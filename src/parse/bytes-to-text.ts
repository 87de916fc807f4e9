/**
 * Display text from a byte string. Log fields are latin1 byte strings (1 char = 1 byte); most
 * are UTF-8 underneath, some are not (old Windows clients, attack probes). Valid UTF-8 is
 * decoded; every other non-printable or invalid byte is shown as \xHH, so nothing is lost and
 * no control char reaches a terminal or an HTML page unescaped.
 */

const HEX = Array.from({ length: 256 }, (_, b) => `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`);

/** Decode a byte string to display text: UTF-8 where valid, every other non-printable or invalid byte as \xHH. */
export function bytesToText(bytes: string): string {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const c = bytes.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) break;
    i++;
  }
  if (i === n) return bytes;
  let out = bytes.slice(0, i);
  let run = i;
  while (i < n) {
    const c = bytes.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) {
      i++;
      continue;
    }
    if (run < i) out += bytes.slice(run, i);
    if (c > 0xff) {
      // Not a byte: the caller passed decoded text; keep it.
      out += bytes[i];
      run = ++i;
      continue;
    }
    let need = 0;
    let cp = 0;
    let min = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      cp = c & 0x1f;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      cp = c & 0x0f;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      cp = c & 0x07;
      min = 0x10000;
    }
    let ok = need > 0 && i + need < n;
    for (let k = 1; ok && k <= need; k++) {
      const cc = bytes.charCodeAt(i + k);
      if ((cc & 0xc0) !== 0x80 || cc > 0xbf) ok = false;
      else cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not valid UTF-8.
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (!ok) {
      out += HEX[c]!;
      run = ++i;
      continue;
    }
    if (cp <= 0x9f) {
      // C1 controls are valid UTF-8 but not printable: show their bytes.
      for (let k = 0; k <= need; k++) out += HEX[bytes.charCodeAt(i + k)]!;
    } else {
      out += String.fromCodePoint(cp);
    }
    i += need + 1;
    run = i;
  }
  if (run < n) out += bytes.slice(run);
  return out;
}
