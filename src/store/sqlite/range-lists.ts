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
import { distinctKeys, kthLargest, sumLists, topRows, type KeyHashes, type SumRow } from './list-sum.js';
import type { RollupListInfo } from './rollup-parts.js';
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
  let hits = 0;
  let bytes = 0;
  for (let k = 0; k < s.n; k++) {
    hits += s.hits[k]!;
    bytes += s.bytes[k]!;
  }
  const rank = q.byTime && s.timeSum !== null ? s.timeSum : s.hits;
  let rows = topRows(s, lists, q.limit, rank);
  if (q.min > 1) {
    // The floor is among keys with enough hits: rank only those.
    const ok = new Float64Array(rank.length);
    for (let k = 0; k < s.n; k++) ok[k] = s.hits[k]! >= q.min ? rank[k]! : -1;
    rows = topRows(s, lists, q.limit, ok).filter((r) => r.hits >= q.min);
  }
  return { rows, sums: s.n > 0 ? { hits, bytes } : null, whole: true };
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

  const s = sumLists(exactLists);
  const sRank = byTime && s.timeSum !== null ? s.timeSum : s.hits;
  const cands = new Map<string, Candidate>();
  let floors = 0;
  for (const r of partial) {
    floors += r.info.floor;
    const h = r.head;
    for (let p = 0; p < h.hashHi.length; p++) {
      const k = hashKey(h.hashHi[p]!, h.hashLo[p]!);
      let c = cands.get(k);
      if (c === undefined) {
        c = { hits: 0, bytes: 0, timeSum: 0, timeMax: 0, seen: 0, seenFloors: 0, key: keyOf(h, p) };
        const i = findKey(s, exactLists, h.hashHi[p]!, h.hashLo[p]!);
        if (i >= 0) {
          c.hits = s.hits[i]!;
          c.bytes = s.bytes[i]!;
          if (s.timeSum !== null) {
            c.timeSum = s.timeSum[i]!;
            c.timeMax = s.timeMax![i]!;
          }
        }
        cands.set(k, c);
      }
      c.hits += h.hits[p]!;
      c.bytes += h.bytes[p]!;
      if (h.timeSum !== null) {
        c.timeSum += h.timeSum[p]!;
        if (h.timeMax![p]! > c.timeMax) c.timeMax = h.timeMax![p]!;
      }
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
  // A key in no head: the days' count plus every floor.
  if (floors >= t) return whole();
  for (let i = 0; i < s.n; i++) {
    if (sRank[i]! + floors < t) continue;
    const l = exactLists[s.seg[i]!]!;
    if (!cands.has(hashKey(l.hashHi[s.idx[i]!]!, l.hashLo[s.idx[i]!]!))) return whole();
  }
  const rows: SumRow[] = [];
  for (const c of exact) if (rankOf(c) >= t) rows.push({ key: c.key, hits: c.hits, bytes: c.bytes, timeSum: c.timeSum, timeMax: c.timeMax });
  let hits = 0;
  let bytes = 0;
  for (let k = 0; k < s.n; k++) {
    hits += s.hits[k]!;
    bytes += s.bytes[k]!;
  }
  for (const r of partial) {
    hits += r.info.hits;
    bytes += r.info.bytes;
  }
  return { rows, sums: { hits, bytes }, whole: false };
}

/** Entry of the sums `s` (in hash order) with the hash (hi, lo), or -1. */
function findKey(s: ReturnType<typeof sumLists>, lists: readonly ListSegment[], hi: number, lo: number): number {
  let a = 0;
  let b = s.n - 1;
  while (a <= b) {
    const m = (a + b) >>> 1;
    const l = lists[s.seg[m]!]!;
    const mh = l.hashHi[s.idx[m]!]!;
    const ml = l.hashLo[s.idx[m]!]!;
    if (mh < hi || (mh === hi && ml < lo)) a = m + 1;
    else if (mh > hi || ml > lo) b = m - 1;
    else return m;
  }
  return -1;
}

/** Distinct keys over the days' lists and the rollups' key hashes. */
export function rangeDistinct(days: readonly ListSegment[], rolled: readonly KeyHashes[]): number {
  return distinctKeys([...days, ...rolled]);
}
