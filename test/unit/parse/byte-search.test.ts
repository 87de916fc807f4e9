import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { findByte, findEither, hasByte, indexOfByte } from '../../../src/parse/byte-search.js';

/** Bytes at an arbitrary offset inside a larger buffer (so word boundaries fall anywhere), with wanted bytes around the range. */
const arb = fc.record({
  bytes: fc.uint8Array({ minLength: 0, maxLength: 80 }),
  offset: fc.integer({ min: 0, max: 7 }),
  from: fc.nat(),
  cut: fc.nat(),
  c1: fc.constantFrom(34, 92, 0, 255, 63),
  c2: fc.constantFrom(34, 92, 1, 128),
});

describe('byte-search', () => {
  it('finds bytes as a byte loop does, inside the range only, at any alignment', () => {
    fc.assert(
      fc.property(arb, ({ bytes, offset, from, cut, c1, c2 }) => {
        const backing = new Uint8Array(bytes.length + 16).fill(c1);
        backing.set(bytes, offset + 4);
        const b = backing.subarray(offset + 4 - (offset % 3), offset + 4 + bytes.length);
        const base = offset % 3;
        const start = base + (bytes.length === 0 ? 0 : from % (bytes.length + 1));
        const end = Math.max(start, base + bytes.length - (bytes.length === 0 ? 0 : cut % (bytes.length + 1)));
        let either = end;
        let one = end;
        for (let i = start; i < end; i++) {
          if (either === end && (b[i] === c1 || b[i] === c2)) either = i;
          if (one === end && b[i] === c1) one = i;
        }
        expect(findEither(b, start, end, c1, c2)).toBe(either);
        expect(findByte(b, start, end, c1)).toBe(one);
        expect(hasByte(b, start, end, c1)).toBe(one < end);
      }),
      { numRuns: 5000 },
    );
  });

  it('indexOfByte works on Buffers and plain Uint8Arrays alike', () => {
    const u = new Uint8Array([1, 34, 2, 34]);
    expect(indexOfByte(u, 0, 34)).toBe(1);
    expect(indexOfByte(u, 2, 34)).toBe(3);
    expect(indexOfByte(Buffer.from([5, 6]), 0, 34)).toBe(-1);
    expect(indexOfByte(u.subarray(2), 0, 34)).toBe(1);
  });
});
