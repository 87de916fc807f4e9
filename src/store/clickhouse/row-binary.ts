/**
 * Rows in ClickHouse's RowBinary format, written straight into one growing buffer.
 *
 * Why not JSONEachRow: a batch of a shared host's log is millions of list rows (1M lines over
 * 5,000 sites: 3.4M), and a key's bytes are already UTF-8 in the batch's dictionary. RowBinary
 * copies them as they are (length + bytes), with no string made per key, no JSON quoting, and the
 * server parses it without a text parser. Every version from 18.16 on reads it.
 */

export class RowBinaryWriter {
  #buf: Buffer;
  #len = 0;

  constructor(initial = 64 * 1024) {
    this.#buf = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.#len;
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Buffer {
    return this.#buf.subarray(0, this.#len);
  }

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const b = Buffer.allocUnsafe(size);
    this.#buf.copy(b, 0, 0, this.#len);
    this.#buf = b;
  }

  u8(v: number): void {
    this.#room(1);
    this.#buf[this.#len++] = v;
  }

  u16(v: number): void {
    this.#room(2);
    this.#buf.writeUInt16LE(v, this.#len);
    this.#len += 2;
  }

  u32(v: number): void {
    this.#room(4);
    this.#buf.writeUInt32LE(v >>> 0, this.#len);
    this.#len += 4;
  }

  /** A UInt64 from a non-negative integer below 2^53 (counts, byte sums, visitor ids). */
  u64(v: number): void {
    this.#room(8);
    this.#buf.writeUInt32LE(v % 4294967296 >>> 0, this.#len);
    this.#buf.writeUInt32LE(Math.floor(v / 4294967296) >>> 0, this.#len + 4);
    this.#len += 8;
  }

  f64(v: number): void {
    this.#room(8);
    this.#buf.writeDoubleLE(v, this.#len);
    this.#len += 8;
  }

  /** Bytes already in RowBinary (e.g. a UInt64 or a string encoded once per batch). */
  raw(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }

  #varint(n: number): void {
    this.#room(10);
    while (n >= 0x80) {
      this.#buf[this.#len++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.#buf[this.#len++] = n;
  }

  /** A String from UTF-8 bytes `src[start, end)`. */
  bytesString(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.#varint(n);
    this.#room(n);
    this.#buf.set(src.subarray(start, end), this.#len);
    this.#len += n;
  }

  string(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.#varint(n);
    this.#room(n);
    this.#len += this.#buf.write(s, this.#len, 'utf8');
  }

  stringArray(a: readonly string[]): void {
    this.#varint(a.length);
    for (const s of a) this.string(s);
  }

  /** Array(UInt64) of decimal strings (attempt ids are above 2^53). */
  u64Array(a: readonly string[]): void {
    this.#varint(a.length);
    for (const s of a) this.raw(u64Bytes(s));
  }
}

/** The 8 little-endian bytes of a decimal UInt64 (attempt ids do not fit a double). */
export function u64Bytes(decimal: string): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64LE(BigInt(decimal));
  return b;
}

/** A String in RowBinary, encoded once (site names repeat on every row of a batch). */
export function encodedString(s: string): Buffer {
  const w = new RowBinaryWriter(Buffer.byteLength(s, 'utf8') + 10);
  w.string(s);
  return Buffer.from(w.bytes());
}
