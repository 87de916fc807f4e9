/**
 * SipHash-2-4 (Aumasson & Bernstein, 2012): a keyed pseudo-random function for short inputs, the
 * keyed hash behind pseudonyms and visitor ids. Without the 128-bit key nobody can compute a
 * hash for a candidate address, so a stored pseudonym cannot be tested against the IPv4 space;
 * once the key is destroyed, nobody can.
 *
 * Written out here on 32-bit halves because the available package (siphash on npm) allocates
 * objects per round: measured 2.9 µs per address against ~0.2 µs here, and an ingest hashes every
 * distinct address of every site and day. Checked against the paper's test vectors
 * (test/unit/anonymise/siphash.test.ts).
 */

/** A 128-bit key as four little-endian 32-bit words (k0 lo, k0 hi, k1 lo, k1 hi). */
export type SipKey = Uint32Array;

export function sipKeyOf(bytes: Uint8Array): SipKey {
  if (bytes.length < 16) throw new RangeError('a SipHash key has 16 bytes');
  const v = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return Uint32Array.of(v.getUint32(0, true), v.getUint32(4, true), v.getUint32(8, true), v.getUint32(12, true));
}

/** The high and low 32 bits of the last hash (sipHash returns 52 of them as one number). */
export const last = { hi: 0, lo: 0 };

/**
 * SipHash-2-4 of m[start, end) under `key`. Returns the low 52 bits of the 64-bit result as an
 * exact JS number; `last` holds all 64. One function with local state (the state as module
 * variables or a round helper was 10× slower: V8 keeps those in memory, not registers).
 */
export function sipHash(key: SipKey, m: Uint8Array, start: number, end: number): number {
  const k0l = key[0]!;
  const k0h = key[1]!;
  const k1l = key[2]!;
  const k1h = key[3]!;
  let v0h = (k0h ^ 0x736f6d65) >>> 0;
  let v0l = (k0l ^ 0x70736575) >>> 0;
  let v1h = (k1h ^ 0x646f7261) >>> 0;
  let v1l = (k1l ^ 0x6e646f6d) >>> 0;
  let v2h = (k0h ^ 0x6c796765) >>> 0;
  let v2l = (k0l ^ 0x6e657261) >>> 0;
  let v3h = (k1h ^ 0x74656462) >>> 0;
  let v3l = (k1l ^ 0x79746573) >>> 0;
  const n = end - start;
  const full = start + (n & ~7);
  let p = start;
  // Blocks: the full 8-byte words, then one last word with the tail and the length's low byte.
  for (let block = 0; ; block++) {
    let ml: number;
    let mh: number;
    const final = p >= full;
    if (!final) {
      ml = (m[p]! | (m[p + 1]! << 8) | (m[p + 2]! << 16) | (m[p + 3]! << 24)) >>> 0;
      mh = (m[p + 4]! | (m[p + 5]! << 8) | (m[p + 6]! << 16) | (m[p + 7]! << 24)) >>> 0;
      p += 8;
    } else {
      ml = 0;
      mh = (n & 0xff) << 24;
      const rest = end - p;
      for (let i = 0; i < rest; i++) {
        const b = m[p + i]!;
        if (i < 4) ml |= b << (8 * i);
        else mh |= b << (8 * (i - 4));
      }
      ml >>>= 0;
      mh >>>= 0;
    }
    v3h = (v3h ^ mh) >>> 0;
    v3l = (v3l ^ ml) >>> 0;
    // Two compression rounds; after the final block, 2 + 4 (finalisation, with v2 ^= 0xff between).
    const rounds = final ? 6 : 2;
    for (let r = 0; r < rounds; r++) {
      if (final && r === 2) {
        v0h = (v0h ^ mh) >>> 0;
        v0l = (v0l ^ ml) >>> 0;
        v2l = (v2l ^ 0xff) >>> 0;
      }
      let l = (v0l + v1l) >>> 0;
      v0h = (v0h + v1h + (l < v0l ? 1 : 0)) >>> 0;
      v0l = l;
      let h = v1h;
      l = v1l;
      v1h = (((h << 13) | (l >>> 19)) ^ v0h) >>> 0;
      v1l = (((l << 13) | (h >>> 19)) ^ v0l) >>> 0;
      h = v0h;
      v0h = v0l;
      v0l = h;
      l = (v2l + v3l) >>> 0;
      v2h = (v2h + v3h + (l < v2l ? 1 : 0)) >>> 0;
      v2l = l;
      h = v3h;
      l = v3l;
      v3h = (((h << 16) | (l >>> 16)) ^ v2h) >>> 0;
      v3l = (((l << 16) | (h >>> 16)) ^ v2l) >>> 0;
      l = (v0l + v3l) >>> 0;
      v0h = (v0h + v3h + (l < v0l ? 1 : 0)) >>> 0;
      v0l = l;
      h = v3h;
      l = v3l;
      v3h = (((h << 21) | (l >>> 11)) ^ v0h) >>> 0;
      v3l = (((l << 21) | (h >>> 11)) ^ v0l) >>> 0;
      l = (v2l + v1l) >>> 0;
      v2h = (v2h + v1h + (l < v2l ? 1 : 0)) >>> 0;
      v2l = l;
      h = v1h;
      l = v1l;
      v1h = (((h << 17) | (l >>> 15)) ^ v2h) >>> 0;
      v1l = (((l << 17) | (h >>> 15)) ^ v2l) >>> 0;
      h = v2h;
      v2h = v2l;
      v2l = h;
    }
    if (final) break;
    v0h = (v0h ^ mh) >>> 0;
    v0l = (v0l ^ ml) >>> 0;
  }
  const hi = (v0h ^ v1h ^ v2h ^ v3h) >>> 0;
  const lo = (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
  last.hi = hi;
  last.lo = lo;
  return (hi & 0xfffff) * 4294967296 + lo;
}
