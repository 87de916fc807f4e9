/**
 * One top list of a report over a range: the days' lists, read whole, and the rollups' heads
 * (rollup-parts.ts), with a rollup's whole list read only when the heads cannot decide.
 *
 * The rows a report shows are the keys whose rank (hits; the time taken for slow pages) is at
 * least the limit-th largest, ties included, among the keys with at least `min` hits. A key in
 * the head of every rollup whose head is not its whole list has its exact sums. A key missing
 * from such a head ranks there at most that head's floor, so an upper bound of its rank is known,
 * and a key in no head at all ranks at most the days' count plus every floor. When at least
 * `limit` exact keys pass and every other key's upper bound is below the limit-th largest exact
 * rank, those exact keys are the rows, as summing every whole list would give them. Otherwise
 * (a flat list, a large --top, --top 0) every whole list is read and summed: the same rows,
 * at the old price.
 */
import { distinctKeys, kthLargest, sumLists, topRows, totalsOf, type KeyHashes, type SumRow } from './list-sum.js';
import type { RollupListInfo } from './rollup-parts.js';
import { findKey } from './day-segment.js';
import { keyOf, type ListSegment } from './segment-codec.js';

/** One rollup's part of a list. */
export interface RolledList {
  readonly info: RollupListInfo;
  readonly head: ListSegment;
  /** The whole list (its body, or the head when that is all of it), read when asked. */
  readonly whole: () => ListSegment;
}

export interface RangeListQuery {
  /** Rows wanted; < 0: every key. */
  readonly limit: number;
  /** Keys with fewer hits are not shown (the publication threshold); ≤ 1: no threshold. */
  readonly min: number;
  /** Rank by the summed time taken when any part is timed (slow pages). */
  readonly byTime: boolean;
}

export interface RangeList {
  /** The candidate rows: every key the top `limit` can hold, ties included, unordered. */
  readonly rows: SumRow[];
  /** Sums over every key of the list; null when the list has no key. */
  readonly sums: { hits: number; bytes: number } | null;
  /** Whether every whole list was read. */
  readonly whole: boolean;
}

/** The rows and sums of the sum of `lists`, every key at hand. */
function fromWhole(lists: readonly ListSegment[], q: RangeListQuery): RangeList {
  const s = sumLists(lists);
  const rank = q.byTime && s.timeSum !== null ? s.timeSum : s.hits;
  let rows: SumRow[];
  if (q.min > 1) {
    // The floor is among keys with enough hits: rank only those.
    const ok = new Float64Array(rank.length);
    for (let k = 0; k < s.n; k++) ok[k] = s.hits[k]! >= q.min ? rank[k]! : -1;
    rows = topRows(s, lists, q.limit, ok).filter((r) => r.hits >= q.min);
  } else rows = topRows(s, lists, q.limit, rank);
  return { rows, sums: s.n > 0 ? totalsOf(s) : null, whole: true };
}

const hashKey = (hi: number, lo: number): string => `${hi}:${lo}`;

/** A key seen in a head: what is known of its sums. */
interface Candidate {
  hits: number;
  bytes: number;
  timeSum: number;
  timeMax: number;
  /** Partial rollups whose head holds it. */
  seen: number;
  /** Sum of the floors of the partial rollups whose head holds it. */
  seenFloors: number;
  key: Uint8Array;
}

export function rangeList(days: readonly ListSegment[], rolled: readonly RolledList[], q: RangeListQuery): RangeList {
  const complete = rolled.filter((r) => r.info.headN === r.info.n);
  const partial = rolled.filter((r) => r.info.headN < r.info.n);
  const exactLists = [...days, ...complete.map((r) => r.head)];
  const whole = (): RangeList => fromWhole([...exactLists, ...partial.map((r) => r.whole())], q);
  if (partial.length === 0) return fromWhole(exactLists, q);
  if (q.limit <= 0) return whole();
  const timed = exactLists.some((l) => l.timeSum !== null) || partial.some((r) => r.head.timeSum !== null);
  const byTime = q.byTime && timed;
  // Heads ranked otherwise than this query ranks cannot bound it; nor can a time rank bound hits.
  if (partial.some((r) => r.info.byTime !== byTime) || (byTime && q.min > 1)) return whole();

  const cands = new Map<string, Candidate>();
  let floors = 0;
  for (const r of partial) {
    floors += r.info.floor;
    const h = r.head;
    for (let p = 0; p < h.hashHi.length; p++) {
      const hi = h.hashHi[p]!;
      const lo = h.hashLo[p]!;
      const k = hashKey(hi, lo);
      let c = cands.get(k);
      if (c === undefined) {
        // Its counts in the exact lists, looked up: they are not summed (a busy day's address
        // list is ~100k keys, and a report of 30 days has two such days besides its weeks).
        c = { hits: 0, bytes: 0, timeSum: 0, timeMax: 0, seen: 0, seenFloors: 0, key: keyOf(h, p) };
        for (const l of exactLists) {
          const i = findKey(l, hi, lo);
          if (i >= 0) addEntry(c, l, i);
        }
        cands.set(k, c);
      }
      addEntry(c, h, p);
      c.seen++;
      c.seenFloors += r.info.floor;
    }
  }
  const rankOf = (c: Candidate): number => (byTime ? c.timeSum : c.hits);
  const exact: Candidate[] = [];
  for (const c of cands.values()) if (c.seen === partial.length && (q.min <= 1 || c.hits >= q.min)) exact.push(c);
  if (exact.length < q.limit) return whole();
  const ranks = new Float64Array(exact.length);
  for (let i = 0; i < exact.length; i++) ranks[i] = rankOf(exact[i]!);
  const t = kthLargest(ranks, q.limit);
  // A key missing from some head may still reach t: only the whole lists can tell.
  for (const c of cands.values()) if (c.seen < partial.length && rankOf(c) + floors - c.seenFloors >= t) return whole();
  // A key in no head: what the exact lists count of it plus every floor. First bounded by each
  // exact list's largest rank outside the candidates; if that is not enough, summed key by key.
  if (floors >= t) return whole();
  if (outsideBound(exactLists, cands, byTime) + floors >= t) {
    const s = sumLists(exactLists);
    for (let i = 0; i < s.n; i++) {
      const l = exactLists[s.seg[i]!]!;
      const r = byTime ? (s.timeSum === null ? 0 : s.timeSum[i]!) : s.hits[i]!;
      if (r + floors >= t && !cands.has(hashKey(l.hashHi[s.idx[i]!]!, l.hashLo[s.idx[i]!]!))) return whole();
    }
  }
  const rows: SumRow[] = [];
  for (const c of exact) if (rankOf(c) >= t) rows.push({ key: c.key, hits: c.hits, bytes: c.bytes, timeSum: c.timeSum, timeMax: c.timeMax });
  const sums = { hits: 0, bytes: 0 };
  for (const t of [...exactLists.map(totalsOf), ...partial.map((r) => r.info)]) {
    sums.hits += t.hits;
    sums.bytes += t.bytes;
  }
  return { rows, sums, whole: false };
}

function addEntry(c: Candidate, l: ListSegment, i: number): void {
  c.hits += l.hits[i]!;
  c.bytes += l.bytes[i]!;
  if (l.timeSum !== null) {
    c.timeSum += l.timeSum[i]!;
    if (l.timeMax![i]! > c.timeMax) c.timeMax = l.timeMax![i]!;
  }
}

/** The sum over `lists` of each one's largest rank among keys that are not candidates: no such key counts more in them. */
function outsideBound(lists: readonly ListSegment[], cands: ReadonlyMap<string, Candidate>, byTime: boolean): number {
  let bound = 0;
  for (const l of lists) {
    const rank = byTime ? l.timeSum : l.hits;
    if (rank === null) continue;
    let m = 0;
    for (let i = 0; i < rank.length; i++) if (rank[i]! > m && !cands.has(hashKey(l.hashHi[i]!, l.hashLo[i]!))) m = rank[i]!;
    bound += m;
  }
  return bound;
}

/** Distinct keys over the days' lists and the rollups' key hashes. */
export function rangeDistinct(days: readonly ListSegment[], rolled: readonly KeyHashes[]): number {
  return distinctKeys([...days, ...rolled]);
}
