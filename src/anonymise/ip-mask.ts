/**
 * Prefix masking of client addresses (`--ip mask`), written for the hot path: a masked value is
 * computed once per distinct address and cached by the anonymiser, but this still avoids
 * regexes and `net` helpers. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is masked as IPv4, as anonip does.
 * Returns '' for something that is not an address (the parser has already rejected those).
 */

export function maskIpv4(ip: string, prefix: number): string {
  const parts = ip.split('.');
  if (parts.length !== 4) return '';
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isInteger(v) || v < 0 || v > 255 || p === '') return '';
    n = n * 256 + v;
  }
  const keep = prefix <= 0 ? 0 : prefix >= 32 ? 0xffffffff : (0xffffffff << (32 - prefix)) >>> 0;
  const m = (n & keep) >>> 0;
  return `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}`;
}

/** Expand an IPv6 address to 8 16-bit groups; null when it is not one. */
export function ipv6Groups(ip: string): number[] | null {
  const zone = ip.indexOf('%');
  const addr = zone === -1 ? ip : ip.slice(0, zone);
  let head = addr;
  let tail = '';
  const dbl = addr.indexOf('::');
  if (dbl !== -1) {
    head = addr.slice(0, dbl);
    tail = addr.slice(dbl + 2);
    if (tail.includes('::')) return null;
  }
  const parse = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    const groups = s.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = maskIpv4(g, 32);
        if (v4 === '') return null;
        const o = v4.split('.').map(Number);
        out.push((o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!);
        continue;
      }
      if (g.length === 0 || g.length > 4 || !/^[0-9a-fA-F]+$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const h = parse(head);
  const t = parse(tail);
  if (h === null || t === null) return null;
  if (dbl === -1) return h.length === 8 ? h : null;
  const missing = 8 - h.length - t.length;
  if (missing < 1) return null;
  return [...h, ...new Array<number>(missing).fill(0), ...t];
}

/** RFC 5952 text form (lower case, longest zero run compressed). */
export function formatIpv6(g: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((v) => v.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function maskIp(ip: string, v4Prefix: number, v6Prefix: number): string {
  if (ip.indexOf(':') === -1) return maskIpv4(ip, v4Prefix);
  const g = ipv6Groups(ip);
  if (g === null) return '';
  const mapped = g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff;
  if (mapped) return maskIpv4(`${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`, v4Prefix);
  const out = g.map((v, i) => {
    const bitsBefore = i * 16;
    if (v6Prefix >= bitsBefore + 16) return v;
    if (v6Prefix <= bitsBefore) return 0;
    const keep = v6Prefix - bitsBefore;
    return v & ((0xffff << (16 - keep)) & 0xffff);
  });
  return formatIpv6(out);
}
