/**
 * Rollups: the lists of a site's whole ISO week or calendar month summed into one stored blob
 * (`seg_rollup`, schema v8), so that a report over a long range reads a few blobs instead of
 * one per day (365 days of a 10M-hit site: 280 MB of day lists, summed 365 ways). A busy day
 * of one piece has a rollup of its own (schema v11): not a sum, only its heads and address
 * hashes (rollup-parts.ts), so that a report reads the heads of the days its weeks and months do
 * not cover instead of their whole lists (a 10M-hit month: 6 MB a day).
 *
 * A rollup only stands in for lists: a report still reads every day's totals and visit summary
 * from `seg`. It is built at the end of an ingest for periods that have ended, were touched by
 * the ingest and are big enough to be worth it; triggers on `seg` delete it as soon as a piece of
 * one of its days is added or removed (late lines, compaction, retention, a site's deletion), so
 * a stored rollup always equals the sum of its days.
 */
import { dayToIso, isoToDay, isoWeekOf, monthOf } from '../../core/dates.js';
import { mergeLists, summed } from './list-sum.js';
import { encodeLists, type DecodedLists, type ListSegment } from './segment-codec.js';

/** Days are YYYYMMDD integers in the store. */
export interface Period {
  readonly first: number;
  readonly last: number;
}

/** YYYYMMDD ↔ day numbers (core/dates.ts does the calendar). */
const dayNumber = (d: number): number => isoToDay(`${Math.floor(d / 10000)}-${String(Math.floor(d / 100) % 100).padStart(2, '0')}-${String(d % 100).padStart(2, '0')}`);
const yyyymmdd = (n: number): number => Number(dayToIso(n).replaceAll('-', ''));
const span = (p: Period): number => dayNumber(p.last) - dayNumber(p.first);

/** The ISO week (Monday to Sunday) and the calendar month of a day. */
export function periodsOf(day: number): readonly Period[] {
  const n = dayNumber(day);
  return [isoWeekOf(n), monthOf(n)].map((p) => ({ first: yyyymmdd(p.first), last: yyyymmdd(p.last) }));
}

/** A rollup of one day: its heads stand for the day's one piece, whose lists are its whole lists. */
export const isDay = (p: Period): boolean => p.first === p.last;

/**
 * Whether a period with data from day lo to day hi is worth a rollup of its own: not a month
 * whose data lies in one week (that week's rollup stands for it).
 */
export function worthRolling(p: Period, lo: number, hi: number): boolean {
  const month = span(p) > 6;
  return !(month && periodsOf(lo)[0]!.first === periodsOf(hi)[0]!.first);
}

/**
 * The rollups a report over [lo, hi] reads: among the stored ones inside the range, the longest
 * first (months before weeks before days), none overlapping another.
 */
export function chooseRollups<T extends Period>(stored: readonly T[], lo: number, hi: number): T[] {
  const inside = stored.filter((p) => p.first >= lo && p.last <= hi);
  inside.sort((a, b) => span(b) - span(a) || a.first - b.first);
  const chosen: T[] = [];
  for (const p of inside) if (chosen.every((c) => p.last < c.first || p.first > c.last)) chosen.push(p);
  return chosen.sort((a, b) => a.first - b.first);
}

/** Days covered by the chosen rollups. */
export function covers(chosen: readonly Period[], day: number): boolean {
  for (const p of chosen) if (day >= p.first && day <= p.last) return true;
  return false;
}

/**
 * Segments merged into the running sum at once while summing a period, at most: a chunk's blobs
 * and the running sum are what is held (a day of the bench's 10M-line week: 14–16 MB of lists).
 */
const CHUNK = 8;
const CHUNK_BYTES = 16 * 1024 * 1024;

/** One segment's lists, decoded, and the size of its blob. */
export interface PeriodPiece {
  readonly lists: DecodedLists;
  readonly bytes: number;
}

/**
 * Sums the lists and the "others" of a period's segments into one lists blob. `next` yields the
 * period's segments one at a time; up to CHUNK of them (CHUNK_BYTES of blobs) are merged into
 * the running sum at once, so a busy month never holds all of its days' blobs. `merged` is told
 * the blob bytes each chunk leaves behind (to collect them: core/memory.ts releaseBuffers).
 */
export function sumPeriod(next: () => PeriodPiece | null, merged: (bytes: number) => void = () => {}): Buffer {
  const acc = new Map<number, ListSegment>();
  const others = new Map<number, { hits: number; bytes: number }>();
  for (;;) {
    let done = false;
    const chunk: DecodedLists[] = [];
    let bytes = 0;
    while (chunk.length < CHUNK && bytes < CHUNK_BYTES) {
      const d = next();
      if (d === null) {
        done = true;
        break;
      }
      chunk.push(d.lists);
      bytes += d.bytes;
    }
    const byId = new Map<number, ListSegment[]>();
    for (const [id, l] of acc) byId.set(id, [l]);
    for (const d of chunk) {
      for (const [id, l] of d.lists) {
        const g = byId.get(id);
        if (g === undefined) byId.set(id, [l]);
        else g.push(l);
      }
      for (const [id, c] of d.others) {
        const o = others.get(id);
        if (o === undefined) others.set(id, { hits: c.hits, bytes: c.bytes });
        else {
          o.hits += c.hits;
          o.bytes += c.bytes;
        }
      }
    }
    if (done) {
      // The last chunk is summed straight into the blob: no merged copy of every list besides.
      return encodeLists([...byId.values()].map((g) => (g.length === 1 ? g[0]! : summed(g))), others);
    }
    // What dies with this merge: the chunk's blobs and the running sum it replaces.
    let dead = bytes;
    for (const [id, g] of byId) {
      const old = acc.get(id);
      if (old !== undefined && g.length > 1) dead += old.text.length + old.hashHi.length * (old.timeSum === null ? 28 : 44);
      acc.set(id, mergeLists(g));
    }
    chunk.length = 0;
    byId.clear();
    merged(dead);
  }
}
