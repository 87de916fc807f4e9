/**
 * A day's visitor set, persisted between batches so that unique visitors and visits stay exact
 * when a day is ingested in several runs (rotated files, tail -F, a resumed ingest).
 *
 * Encoding: a blob of n records, sorted by visitor id: [id: float64][first: uint32][last: uint32].
 * 16 bytes per visitor per day; ids are keyed hashes (see anonymise), so the blob identifies no one
 * once the day's key is destroyed.
 */
import type { VisitorSet } from './delta.js';

const REC = 16;

export interface MergeResult {
  blob: Buffer;
  /** Visitors in the delta that were not in the stored set. */
  newVisitors: number;
  /** Visits of the delta that continue a stored visit (within the timeout): subtract them. */
  continuedVisits: number;
  total: number;
}

export function encodeVisitors(v: VisitorSet): Buffer {
  const buf = Buffer.allocUnsafe(v.ids.length * REC);
  for (let i = 0; i < v.ids.length; i++) {
    buf.writeDoubleLE(v.ids[i]!, i * REC);
    buf.writeUInt32LE(v.first[i]!, i * REC + 8);
    buf.writeUInt32LE(v.last[i]!, i * REC + 12);
  }
  return buf;
}

export function countVisitors(blob: Buffer | null): number {
  return blob === null ? 0 : blob.length / REC;
}

/** Merge a batch's visitors into a stored blob (null: none stored yet). */
export function mergeVisitors(stored: Buffer | null, delta: VisitorSet, timeoutSec: number): MergeResult {
  const ids = delta.ids;
  if (stored === null || stored.length === 0) {
    return { blob: encodeVisitors(delta), newVisitors: ids.length, continuedVisits: 0, total: ids.length };
  }
  const n = stored.length / REC;
  const out = Buffer.allocUnsafe(stored.length + ids.length * REC);
  let i = 0;
  let j = 0;
  let o = 0;
  let newVisitors = 0;
  let continued = 0;
  while (i < n || j < ids.length) {
    const sid = i < n ? stored.readDoubleLE(i * REC) : Infinity;
    const did = j < ids.length ? ids[j]! : Infinity;
    if (sid < did) {
      stored.copy(out, o, i * REC, i * REC + REC);
      i++;
    } else if (did < sid) {
      out.writeDoubleLE(did, o);
      out.writeUInt32LE(delta.first[j]!, o + 8);
      out.writeUInt32LE(delta.last[j]!, o + 12);
      newVisitors++;
      j++;
    } else {
      const s = { first: delta.first[j]!, last: delta.last[j]! };
      const sFirst = stored.readUInt32LE(i * REC + 8);
      const sLast = stored.readUInt32LE(i * REC + 12);
      // The batch's first hit of this visitor opened a visit; it is the same visit when it
      // follows the stored last hit within the timeout.
      if (s.first >= sLast && s.first - sLast <= timeoutSec) continued++;
      else if (s.first < sLast && s.last >= sFirst) continued++;
      out.writeDoubleLE(did, o);
      out.writeUInt32LE(Math.min(sFirst, s.first), o + 8);
      out.writeUInt32LE(Math.max(sLast, s.last), o + 12);
      i++;
      j++;
    }
    o += REC;
  }
  return { blob: out.subarray(0, o), newVisitors, continuedVisits: continued, total: o / REC };
}
