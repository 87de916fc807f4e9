/** The pieces of the ClickHouse store that need no server: RowBinary encoding, source positions, the settle arithmetic. */
import { describe, expect, it } from 'vitest';
import { positionOf } from '../../../src/store/clickhouse/ledger.js';
import { RowBinaryWriter, encodedString, u64Bytes } from '../../../src/store/clickhouse/row-binary.js';
import { waitMs } from '../../../src/store/clickhouse/settle.js';

describe('RowBinary', () => {
  it('writes strings as LEB128 length + UTF-8 bytes, also past 127 and 16383 bytes', () => {
    for (const s of ['', 'é', 'a'.repeat(127), 'b'.repeat(128), 'c'.repeat(16_384), '😀x']) {
      const w = new RowBinaryWriter(4);
      w.string(s);
      const b = w.bytes();
      let n = 0;
      let shift = 0;
      let i = 0;
      for (;;) {
        const byte = b[i++]!;
        n += (byte & 0x7f) * 2 ** shift;
        shift += 7;
        if (byte < 0x80) break;
      }
      expect(n).toBe(Buffer.byteLength(s, 'utf8'));
      expect(Buffer.from(b.subarray(i)).toString('utf8')).toBe(s);
      expect(Buffer.compare(encodedString(s), b)).toBe(0);
    }
  });

  it('writes numbers little-endian: UInt64 from doubles up to 2^53 and from decimal strings beyond', () => {
    const w = new RowBinaryWriter(1);
    w.u8(7);
    w.u16(0xbeef);
    w.u32(0xdeadbeef);
    w.u64(2 ** 53 - 1);
    w.f64(1.5);
    const b = Buffer.from(w.bytes());
    expect(b.readUInt8(0)).toBe(7);
    expect(b.readUInt16LE(1)).toBe(0xbeef);
    expect(b.readUInt32LE(3)).toBe(0xdeadbeef);
    expect(b.readBigUInt64LE(7)).toBe(2n ** 53n - 1n);
    expect(b.readDoubleLE(15)).toBe(1.5);
    expect(u64Bytes('18446744073709551615').readBigUInt64LE(0)).toBe(2n ** 64n - 1n);
    expect(u64Bytes('7534213749030242304').readBigUInt64LE(0)).toBe(7534213749030242304n);
  });

  it('copies key bytes from a dictionary slice as they are', () => {
    const dict = Buffer.from('/a/é/\u0000/', 'utf8');
    const w = new RowBinaryWriter();
    w.bytesString(dict, 2, 5);
    expect(Buffer.from(w.bytes())).toEqual(Buffer.concat([Buffer.from([3]), dict.subarray(2, 5)]));
  });
});

describe('ledger positions and the settle rule', () => {
  it('names a position by the batch’s own fingerprint and where it starts; batches without a source get one of their own', () => {
    const cp = { fpLength: 1024, fpHash: 'ab', dev: 1, ino: 2, from: { fpLength: 500, fpHash: 'cd', offset: 700 }, offset: 900, lines: 9 };
    expect(positionOf(cp, '5')).toBe('1024:ab:700');
    expect(positionOf({ ...cp, from: null }, '5')).toBe('1024:ab:0');
    expect(positionOf(null, '5')).toBe('a:5');
    expect(positionOf(null, '6')).not.toBe(positionOf(null, '5'));
  });

  it('waits until the server clock reads earliest + settle + 2 s', () => {
    expect(waitMs(100, 100, 0)).toBe(2000);
    expect(waitMs(100, 101, 0)).toBe(1000);
    expect(waitMs(100, 102, 0)).toBe(0);
    expect(waitMs(100, 102, 3)).toBe(3000);
    expect(waitMs(100, 200, 3)).toBe(0);
  });
});
