/**
 * A rollup stored list by list (schema v10), so that a top-N report reads what it shows, not
 * every key of the period.
 *
 * Per list, `seg_rollup_part` holds:
 * - its **head**: the HEAD_KEYS keys of highest rank (hits; the time taken for slow pages), in
 *   hash order with their texts: a whole list when it has no more keys than that;
 * - its **body**: the whole list, only when the head is not all of it (not for a day's rollup:
 *   the day's one piece holds it);
 * - for the address list, its keys' **hashes**, for the distinct count over a range.
 * The rollup's row (`seg_rollup.lists`) keeps the **directory**: per list its number of keys,
 * its sums and the rank of the head's last key (every key outside the head ranks at most that),
 * and the period's "others". A report decides its top rows from the heads and reads a body only
 * when the heads cannot (range-lists.ts). On the 30-day report of a 10M-hit site a week's blob
 * was 20 MB, of which the address list 12 MB: the week's heads (20 lists) are 0.11 MB and its
 * address hashes 2.7 MB (bench/README.md, "Rollups stored by list").
 */
import { LIST_IDS } from '../../core/lists.js';
import { kthLargest, totalsOf, type KeyHashes } from './list-sum.js';
import { emptyList, encodeLists, keyOf, type DecodedLists, type ListSegment } from './segment-codec.js';

export const PART_HEAD = 0;
export const PART_BODY = 1;
export const PART_HASHES = 2;

/**
 * Keys in a list's head: above the 24 rows every report asks for (the hours list) and the 10 to
 * 100 a user asks for with --top, so that the heads decide the top rows of a skewed list.
 */
export const HEAD_KEYS = 256;

const DIRECTORY_VERSION = 1;
const INFO_FIELDS = 7;

/** What the directory says of one list of a rollup. */
export interface RollupListInfo {
  readonly id: number;
  /** Keys of the whole list. */
  readonly n: number;
  /** Keys in the head (n: the head is the whole list). */
  readonly headN: number;
  /** The whole list's sums. */
  readonly hits: number;
  readonly bytes: number;
  /** The rank of the head's last key: no key outside the head ranks higher (0 when headN = n). */
  readonly floor: number;
  /** Ranked by the summed time taken (slow pages), not by hits. */
  readonly byTime: boolean;
}

export interface RollupDirectory {
  readonly lists: ReadonlyMap<number, RollupListInfo>;
  readonly others: ReadonlyMap<number, { hits: number; bytes: number }>;
}

/** A part of a rollup to store. */
export interface RollupPart {
  readonly list: number;
  readonly kind: number;
  readonly data: Buffer;
}

/** The list whose report rows rank by the time taken when timed (the store's query does the same). */
const rankedByTime = (l: ListSegment): boolean => l.id === LIST_IDS.slowPages && l.timeSum !== null;

const NO_OTHERS = new Map<number, { hits: number; bytes: number }>();

/** The `max` keys of highest rank, in hash order, and the rank of the lowest of them. */
export function headOf(l: ListSegment, max: number): { head: ListSegment; floor: number } {
  const n = l.hashHi.length;
  if (n <= max) return { head: l, floor: 0 };
  const rank = rankedByTime(l) ? l.timeSum! : l.hits;
  const floor = kthLargest(rank.slice(), max);
  let ties = max;
  for (let i = 0; i < n; i++) if (rank[i]! > floor) ties--;
  const pick = new Uint32Array(max);
  let k = 0;
  let textBytes = 0;
  for (let i = 0; i < n && k < max; i++) {
    const r = rank[i]!;
    if (r > floor || (r === floor && ties-- > 0)) {
      pick[k++] = i;
      textBytes += keyOf(l, i).length;
    }
  }
  const head = emptyList({ id: l.id, n: max, textBytes, timed: l.timeSum !== null });
  let t = 0;
  for (let j = 0; j < max; j++) {
    const i = pick[j]!;
    head.hashHi[j] = l.hashHi[i]!;
    head.hashLo[j] = l.hashLo[i]!;
    head.hits[j] = l.hits[i]!;
    head.bytes[j] = l.bytes[i]!;
    if (head.timeSum !== null) {
      head.timeSum[j] = l.timeSum![i]!;
      head.timeMax![j] = l.timeMax![i]!;
    }
    const key = keyOf(l, i);
    head.text.set(key, t);
    t += key.length;
    head.textEnd[j] = t;
  }
  return { head, floor };
}

/** The address list's key hashes: [hashHi u32 × n][hashLo u32 × n]. */
function encodeHashes(l: ListSegment): Buffer {
  const n = l.hashHi.length;
  const buf = Buffer.allocUnsafeSlow(n * 8);
  new Uint32Array(buf.buffer, buf.byteOffset, n).set(l.hashHi);
  new Uint32Array(buf.buffer, buf.byteOffset + n * 4, n).set(l.hashLo);
  return buf;
}

export function decodeHashes(blob: Uint8Array): KeyHashes {
  // Typed views need 4-byte alignment: better-sqlite3's blobs have it; anything else is copied.
  const b = blob.byteOffset % 4 === 0 ? blob : new Uint8Array(blob);
  const n = b.byteLength / 8;
  if (!Number.isInteger(n)) throw new Error(`key hashes of ${b.byteLength} bytes are not a whole number of keys`);
  return { hashHi: new Uint32Array(b.buffer, b.byteOffset, n), hashLo: new Uint32Array(b.buffer, b.byteOffset + n * 4, n) };
}

/**
 * A period's summed lists as a directory and parts, one part at a time (each is inserted and
 * dropped before the next is made: a busy month holds its lists and one part). `bodies: false`
 * for a day's rollup: its one piece's lists are the bodies, stored once.
 */
export function rollupParts(summed: DecodedLists, o: { bodies: boolean } = { bodies: true }): { directory: Buffer; parts: Iterable<RollupPart> } {
  const infos: RollupListInfo[] = [];
  const heads = new Map<number, { head: ListSegment; floor: number }>();
  for (const [id, l] of summed.lists) {
    const h = headOf(l, HEAD_KEYS);
    heads.set(id, h);
    infos.push({ id, n: l.hashHi.length, headN: h.head.hashHi.length, ...totalsOf(l), floor: h.floor, byTime: rankedByTime(l) });
  }
  function* parts(): Iterable<RollupPart> {
    for (const [id, l] of summed.lists) {
      const h = heads.get(id)!;
      yield { list: id, kind: PART_HEAD, data: encodeLists([h.head], NO_OTHERS) };
      if (h.head !== l && o.bodies) yield { list: id, kind: PART_BODY, data: encodeLists([l], NO_OTHERS) };
      if (id === LIST_IDS.ips) yield { list: id, kind: PART_HASHES, data: encodeHashes(l) };
    }
  }
  return { directory: encodeDirectory({ lists: new Map(infos.map((i) => [i.id, i])), others: summed.others }), parts: parts() };
}

/** [version, lists, others] then per list the RollupListInfo fields, then per other [id, hits, bytes]: all float64, exact for these integers. */
export function encodeDirectory(d: RollupDirectory): Buffer {
  const f = new Float64Array(3 + d.lists.size * INFO_FIELDS + d.others.size * 3);
  f[0] = DIRECTORY_VERSION;
  f[1] = d.lists.size;
  f[2] = d.others.size;
  let o = 3;
  for (const i of d.lists.values()) {
    f.set([i.id, i.n, i.headN, i.hits, i.bytes, i.floor, i.byTime ? 1 : 0], o);
    o += INFO_FIELDS;
  }
  for (const [id, c] of d.others) {
    f.set([id, c.hits, c.bytes], o);
    o += 3;
  }
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}

export function decodeDirectory(blob: Uint8Array): RollupDirectory {
  const b = blob.byteOffset % 8 === 0 ? blob : new Uint8Array(blob);
  const f = new Float64Array(b.buffer, b.byteOffset, Math.floor(b.byteLength / 8));
  if (f[0] !== DIRECTORY_VERSION) throw new Error(`rollup directory version ${f[0]} is unknown`);
  const lists = new Map<number, RollupListInfo>();
  const others = new Map<number, { hits: number; bytes: number }>();
  let o = 3;
  for (let k = 0; k < f[1]!; k++, o += INFO_FIELDS) {
    lists.set(f[o]!, { id: f[o]!, n: f[o + 1]!, headN: f[o + 2]!, hits: f[o + 3]!, bytes: f[o + 4]!, floor: f[o + 5]!, byTime: f[o + 6] === 1 });
  }
  for (let k = 0; k < f[2]!; k++, o += 3) others.set(f[o]!, { hits: f[o + 1]!, bytes: f[o + 2]! });
  return { lists, others };
}
