/**
 * IP address checks on ranges of a line, without slicing: the client field is validated for
 * every line, so this must not allocate. Zone ids (`fe80::1%eth0`) are not accepted; neither are
 * host names, `unix:` peers or comma lists (GoAccess rejects them too).
 */

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Dotted quad, each part 0-255 written without leading zeros (a leading zero may mean octal). */
export function isIpv4(s: string, start: number, end: number): boolean {
  let i = start;
  let parts = 0;
  for (;;) {
    let v = 0;
    let n = 0;
    const first = i;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      n++;
      i++;
      if (n > 3) return false;
    }
    if (n === 0 || v > 255 || (n > 1 && s.charCodeAt(first) === 48)) return false;
    parts++;
    if (i === end) return parts === 4;
    if (parts === 4 || s.charCodeAt(i) !== 46) return false;
    i++;
  }
}

/** RFC 4291 text form, including `::` and an IPv4 tail (`::ffff:1.2.3.4`). */
export function isIpv6(s: string, start: number, end: number): boolean {
  const n = end - start;
  if (n < 2 || n > 45) return false;
  let i = start;
  let groups = 0;
  let compressed = false;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    compressed = true;
    i += 2;
    if (i === end) return true;
  }
  while (i < end) {
    let j = i;
    while (j < end && isHexDigit(s.charCodeAt(j))) j++;
    if (j < end && s.charCodeAt(j) === 46) {
      if (!isIpv4(s, i, end)) return false;
      groups += 2;
      break;
    }
    const digits = j - i;
    if (digits === 0 || digits > 4) return false;
    groups++;
    i = j;
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i === end) return false;
    if (s.charCodeAt(i) === 58) {
      if (compressed) return false;
      compressed = true;
      i++;
    }
  }
  return compressed ? groups <= 7 : groups === 8;
}

export function isIp(s: string, start: number, end: number): boolean {
  // A ':' within the first five chars means IPv6; dotted quads never have one.
  for (let i = start; i < end && i < start + 5; i++) {
    const c = s.charCodeAt(i);
    if (c === 58) return isIpv6(s, start, end);
    if (c === 46) return isIpv4(s, start, end);
  }
  return isIpv4(s, start, end) || isIpv6(s, start, end);
}

/**
 * Writes the address as 16 bytes into `out` (IPv4 as `::ffff:a.b.c.d`, so IPv4 prefixes also
 * match IPv4-mapped IPv6 clients). Returns false when the text is not an address.
 */
export function ipToBytes(s: string, start: number, end: number, out: Uint8Array): boolean {
  if (isIpv4(s, start, end)) {
    out.fill(0, 0, 10);
    out[10] = 0xff;
    out[11] = 0xff;
    let k = 12;
    let v = 0;
    for (let i = start; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c === 46) {
        out[k++] = v;
        v = 0;
      } else v = v * 10 + (c - 48);
    }
    out[k] = v;
    return true;
  }
  if (!isIpv6(s, start, end)) return false;
  // Fill groups from the left until '::', then parse the rest into a scratch and right-align it.
  const head: number[] = [];
  const tail: number[] = [];
  let cur = head;
  let i = start;
  while (i < end) {
    if (s.charCodeAt(i) === 58 && s.charCodeAt(i + 1) === 58) {
      cur = tail;
      i += 2;
      continue;
    }
    if (s.charCodeAt(i) === 58) {
      i++;
      continue;
    }
    let j = i;
    while (j < end && isHexDigit(s.charCodeAt(j))) j++;
    if (j < end && s.charCodeAt(j) === 46) {
      const q = new Uint8Array(16);
      ipToBytes(s, i, end, q);
      cur.push((q[12]! << 8) | q[13]!, (q[14]! << 8) | q[15]!);
      break;
    }
    cur.push(parseInt(s.slice(i, j), 16));
    i = j;
  }
  out.fill(0);
  for (let g = 0; g < head.length; g++) {
    out[2 * g] = head[g]! >> 8;
    out[2 * g + 1] = head[g]! & 0xff;
  }
  const off = 8 - tail.length;
  for (let g = 0; g < tail.length; g++) {
    out[2 * (off + g)] = tail[g]! >> 8;
    out[2 * (off + g) + 1] = tail[g]! & 0xff;
  }
  return true;
}

export interface Cidr {
  readonly bytes: Uint8Array;
  /** Prefix length in the 128-bit space (IPv4 prefixes are shifted by 96). */
  readonly bits: number;
}

/** `a.b.c.d/n`, `v6/n`, or a bare address (a single host). Null when invalid. */
export function parseCidr(text: string): Cidr | null {
  const t = text.trim();
  const slash = t.indexOf('/');
  const addrEnd = slash === -1 ? t.length : slash;
  const bytes = new Uint8Array(16);
  if (!ipToBytes(t, 0, addrEnd, bytes)) return null;
  const v4 = isIpv4(t, 0, addrEnd);
  const max = v4 ? 32 : 128;
  let bits = max;
  if (slash !== -1) {
    const p = t.slice(slash + 1);
    if (p.length === 0 || p.length > 3) return null;
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      if (c < 48 || c > 57) return null;
    }
    bits = Number(p);
    if (bits > max) return null;
  }
  return { bytes, bits: v4 ? bits + 96 : bits };
}

export function cidrContains(c: Cidr, addr: Uint8Array): boolean {
  const full = c.bits >> 3;
  for (let i = 0; i < full; i++) if (c.bytes[i] !== addr[i]) return false;
  const rest = c.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (c.bytes[full]! & mask) === (addr[full]! & mask);
}
