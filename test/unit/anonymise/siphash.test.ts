import { describe, expect, it } from 'vitest';
import { last, sipHash, sipKeyOf } from '../../../src/anonymise/siphash.js';

// SipHash-2-4 test vectors of the reference implementation (Aumasson & Bernstein, vectors.h):
// key 00 01 … 0f, message 00 01 … (n-1), 64-bit output read little-endian.
const VECTORS: readonly [number, string][] = [
  [0, '726fdb47dd0e0e31'],
  [1, '74f839c593dc67fd'],
  [7, 'ab0200f58b01d137'],
  [8, '93f5f5799a932462'],
  [15, 'a129ca6149be45e5'],
  [63, '958a324ceb064572'],
];

describe('sipHash', () => {
  const key = sipKeyOf(Uint8Array.from({ length: 16 }, (_, i) => i));
  for (const [n, hex] of VECTORS) {
    it(`matches the reference vector for ${n} bytes`, () => {
      const m = Uint8Array.from({ length: n }, (_, i) => i);
      const top52 = sipHash(key, m, 0, n);
      expect(last.hi.toString(16).padStart(8, '0') + last.lo.toString(16).padStart(8, '0')).toBe(hex);
      expect(top52).toBe(Number(BigInt(`0x${hex}`) & 0xfffffffffffffn));
    });
  }

  it('hashes a range of a larger buffer like the bytes alone', () => {
    const m = Uint8Array.from({ length: 40 }, (_, i) => (i * 7) & 255);
    expect(sipHash(key, m, 5, 29)).toBe(sipHash(key, m.slice(5, 29), 0, 24));
  });

  it('depends on the key', () => {
    const m = Buffer.from('192.0.2.1');
    const other = sipKeyOf(Uint8Array.from({ length: 16 }, (_, i) => 15 - i));
    expect(sipHash(key, m, 0, m.length)).not.toBe(sipHash(other, m, 0, m.length));
  });
});
