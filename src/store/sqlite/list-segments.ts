/**
 * Schema v4's list segments (a day's counts of one top list, columns sorted by dimension id),
 * kept only for the migrations that write (v3 → v4) and read (v4 → v5) them.
 *
 * Originally: a day's counts of one top list, stored as a blob: columns sorted by dimension id.
 *
 * Why blobs instead of one row per key: a busy site has ~300k addresses a day. As rows, a batch
 * commit was one upsert per key (the slowest part of ingest) and a 30-day report summed millions
 * of rows in SQL (0.5 s for the address list alone). As sorted columns, a commit is a linear merge
 * and a report sums typed arrays (IdSums below): tens of milliseconds.
 *
 * Layout, n entries: [hits: float64 × n][bytes: float64 × n][ids: uint32 × n], 20 bytes an entry.
 * Float64 counts stay exact to 2^53 (bytes of one key can pass 2^32 in a day).
 *
 * A (site, list, day) may hold several segments: small batches (tail -F, HTTP ingest) append a
 * small segment instead of rewriting the day, and segments of similar size are merged (see
 * `mergeFrom`), so each entry is rewritten O(log n) times and a day holds O(log n) segments.
 */

const ENTRY = 20;

export interface Segment {
  readonly ids: Uint32Array;
  readonly hits: Float64Array;
  readonly bytes: Float64Array;
}

export function encodeSegment(s: Segment): Buffer {
  const n = s.ids.length;
  // Not allocUnsafe: that may hand out a slice of its pool at any offset, and typed views need
  // alignment. allocUnsafeSlow owns its memory from offset 0.
  const buf = Buffer.allocUnsafeSlow(n * ENTRY);
  new Float64Array(buf.buffer, buf.byteOffset, n).set(s.hits);
  new Float64Array(buf.buffer, buf.byteOffset + n * 8, n).set(s.bytes);
  new Uint32Array(buf.buffer, buf.byteOffset + n * 16, n).set(s.ids);
  return buf;
}

export function decodeSegment(blob: Uint8Array): Segment {
  const n = blob.byteLength / ENTRY;
  if (!Number.isInteger(n)) throw new Error(`list segment of ${blob.byteLength} bytes is not a whole number of entries`);
  // Typed views need 8-byte alignment; better-sqlite3's blobs have it (checked on 10M lines), any
  // other buffer is copied.
  const own = blob.byteOffset % 8 === 0 ? blob : new Uint8Array(blob);
  return {
    hits: new Float64Array(own.buffer, own.byteOffset, n),
    bytes: new Float64Array(own.buffer, own.byteOffset + n * 8, n),
    ids: new Uint32Array(own.buffer, own.byteOffset + n * 16, n),
  };
}

/** A segment from (id, hits, bytes) triples in any order; ids must be distinct. */
export function segmentOf(ids: Uint32Array, hits: Float64Array, bytes: Float64Array): Segment {
  const n = ids.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => ids[a]! - ids[b]!);
  const s = { ids: new Uint32Array(n), hits: new Float64Array(n), bytes: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const k = order[i]!;
    s.ids[i] = ids[k]!;
    s.hits[i] = hits[k]!;
    s.bytes[i] = bytes[k]!;
  }
  return s;
}
