/**
 * IP address checks on byte ranges, without slicing or allocating: the client field is checked
 * for every line. Zone ids (`fe80::1%eth0`), `unix:` peers and comma lists are not addresses
 * (GoAccess rejects them too); host names are checked by host-name.ts.
 */

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function hexValue(c: number): number {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}

/** Dotted quad, each part 0-255 written without leading zeros (a leading zero may mean octal). */
export function isIpv4(b: Uint8Array, start: number, end: number): boolean {
  let i = start;
  let parts = 0;
  for (;;) {
    // One part: 1-3 digits, no leading zero, at most 255.
    if (i >= end) return false;
    let v = b[i]! - 48;
    if (v >>> 0 > 9) return false;
    i++;
    if (i < end) {
      const d = b[i]! - 48;
      if (d >>> 0 <= 9) {
        if (v === 0) return false;
        v = v * 10 + d;
        i++;
        if (i < end) {
          const d2 = b[i]! - 48;
          if (d2 >>> 0 <= 9) {
            v = v * 10 + d2;
            i++;
            if (v > 255 || (i < end && (b[i]! - 48) >>> 0 <= 9)) return false;
          }
        }
      }
    }
    parts++;
    if (i === end) return parts === 4;
    if (parts === 4 || b[i] !== 46) return false;
    i++;
  }
}

/** RFC 4291 text form, including `::` and an IPv4 tail (`::ffff:1.2.3.4`). */
export function isIpv6(b: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n < 2 || n > 45) return false;
  let i = start;
  let groups = 0;
  let compressed = false;
  if (b[i] === 58) {
    if (b[i + 1] !== 58) return false;
    compressed = true;
    i += 2;
    if (i === end) return true;
  }
  while (i < end) {
    let j = i;
    while (j < end && isHexDigit(b[j]!)) j++;
    if (j < end && b[j] === 46) {
      if (!isIpv4(b, i, end)) return false;
      groups += 2;
      break;
    }
    const digits = j - i;
    if (digits === 0 || digits > 4) return false;
    groups++;
    i = j;
    if (i === end) break;
    if (b[i] !== 58) return false;
    i++;
    if (i === end) return false;
    if (b[i] === 58) {
      if (compressed) return false;
      compressed = true;
      i++;
    }
  }
  return compressed ? groups <= 7 : groups === 8;
}

export function isIp(b: Uint8Array, start: number, end: number): boolean {
  // A ':' within the first five bytes means IPv6; dotted quads never have one.
  for (let i = start; i < end && i < start + 5; i++) {
    const c = b[i];
    if (c === 58) return isIpv6(b, start, end);
    if (c === 46) return isIpv4(b, start, end);
  }
  return isIpv4(b, start, end) || isIpv6(b, start, end);
}

// Groups before and after '::' while converting; one conversion at a time (single-threaded).
const head = new Uint16Array(8);
const tail = new Uint16Array(8);

/**
 * Writes the address as 16 bytes into `out` (IPv4 as `::ffff:a.b.c.d`, so IPv4 prefixes also
 * match IPv4-mapped IPv6 clients). Returns false when the bytes are not an address.
 */
export function ipToBytes(b: Uint8Array, start: number, end: number, out: Uint8Array): boolean {
  if (isIpv4(b, start, end)) {
    out.fill(0, 0, 10);
    out[10] = 0xff;
    out[11] = 0xff;
    ipv4Into(b, start, end, out, 12);
    return true;
  }
  if (!isIpv6(b, start, end)) return false;
  let nh = 0;
  let nt = 0;
  let inTail = false;
  let i = start;
  while (i < end) {
    if (b[i] === 58) {
      if (i + 1 < end && b[i + 1] === 58) {
        inTail = true;
        i += 2;
      } else i++;
      continue;
    }
    let j = i;
    while (j < end && isHexDigit(b[j]!)) j++;
    if (j < end && b[j] === 46) {
      // An IPv4 tail is the last two groups.
      const q = out;
      ipv4Into(b, i, end, q, 12);
      const g1 = (q[12]! << 8) | q[13]!;
      const g2 = (q[14]! << 8) | q[15]!;
      if (inTail) {
        tail[nt++] = g1;
        tail[nt++] = g2;
      } else {
        head[nh++] = g1;
        head[nh++] = g2;
      }
      break;
    }
    let v = 0;
    for (let k = i; k < j; k++) v = (v << 4) | hexValue(b[k]!);
    if (inTail) tail[nt++] = v;
    else head[nh++] = v;
    i = j;
  }
  out.fill(0);
  for (let g = 0; g < nh; g++) {
    out[2 * g] = head[g]! >> 8;
    out[2 * g + 1] = head[g]! & 0xff;
  }
  const off = 8 - nt;
  for (let g = 0; g < nt; g++) {
    out[2 * (off + g)] = tail[g]! >> 8;
    out[2 * (off + g) + 1] = tail[g]! & 0xff;
  }
  return true;
}

/** The four bytes of a checked dotted quad b[start, end) at out[at]. */
function ipv4Into(b: Uint8Array, start: number, end: number, out: Uint8Array, at: number): void {
  let k = at;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c === 46) {
      out[k++] = v;
      v = 0;
    } else v = v * 10 + (c - 48);
  }
  out[k] = v;
}

export interface Cidr {
  readonly bytes: Uint8Array;
  /** Prefix length in the 128-bit space (IPv4 prefixes are shifted by 96). */
  readonly bits: number;
}

/** `a.b.c.d/n`, `v6/n`, or a bare address (a single host). Null when invalid. */
export function parseCidr(text: string): Cidr | null {
  const t = Buffer.from(text.trim(), 'utf8');
  const slash = t.indexOf(47);
  const addrEnd = slash === -1 ? t.length : slash;
  const bytes = new Uint8Array(16);
  if (!ipToBytes(t, 0, addrEnd, bytes)) return null;
  const v4 = isIpv4(t, 0, addrEnd);
  const max = v4 ? 32 : 128;
  let bits = max;
  if (slash !== -1) {
    const n = t.length - slash - 1;
    if (n === 0 || n > 3) return null;
    bits = 0;
    for (let i = slash + 1; i < t.length; i++) {
      const c = t[i]!;
      if (c < 48 || c > 57) return null;
      bits = bits * 10 + (c - 48);
    }
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
