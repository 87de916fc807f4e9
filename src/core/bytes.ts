/**
 * Byte-range primitives for the hot path: hashing and comparing ranges of log bytes without
 * making strings. Ranges are read through a DataView four bytes at a time (measured: a 130-byte
 * User-Agent hashes in ~90 ns this way, ~200 ns byte by byte with FNV-1a, ~680 ns as FNV over a
 * sliced string).
 */

/** A DataView over exactly the bytes of `a` (offsets into `a` are offsets into the view). */
export function viewOf(a: Uint8Array): DataView {
  return new DataView(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * MurmurHash3 (x86, 32-bit) of v[start, end), little-endian words. Not a keyed hash: it only
 * spreads keys over hash-table slots, and every table compares the bytes on a hit.
 */
export function hashRange(v: DataView, start: number, end: number, seed: number): number {
  let h = seed ^ (end - start);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    let k = v.getUint32(i, true);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < end) {
    let k = v.getUint8(i);
    if (i + 1 < end) k |= v.getUint8(i + 1) << 8;
    if (i + 2 < end) k |= v.getUint8(i + 2) << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Whether a[ao, ao+n) and b[bo, bo+n) hold the same bytes. */
export function rangesEqual(a: DataView, ao: number, b: DataView, bo: number, n: number): boolean {
  let i = 0;
  for (; i + 4 <= n; i += 4) if (a.getUint32(ao + i, true) !== b.getUint32(bo + i, true)) return false;
  for (; i < n; i++) if (a.getUint8(ao + i) !== b.getUint8(bo + i)) return false;
  return true;
}

/** Mixes two 32-bit integers into a well-spread 32-bit hash (for integer-keyed tables). */
export function mixPair(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** Next power of two ≥ n (n ≥ 1). */
export function pow2AtLeast(n: number): number {
  let c = 16;
  while (c < n) c *= 2;
  return c;
}

/** Whether every byte of a[start, end) is printable ASCII (0x20–0x7e): then it is its own display text. */
export function isPrintableAscii(a: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = a[i]!;
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}
