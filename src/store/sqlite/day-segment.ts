/**
 * Site-day segments in memory: built from a batch part (a commit), merged with each other
 * (compaction, reports of days with several segments), and summarised (visitors, visits,
 * bounces, visit seconds, entry and exit pages). The blob layout is segment-codec.ts's.
 */
import { NO_KEY, TOTAL_FIELDS } from '../../aggregate/index.js';
import { emptyIntervals, mergeIntervals, summarizeVisits, type Intervals, type VisitSummary } from '../../aggregate/index.js';
import { LIST_IDS } from '../../core/lists.js';
import { NO_HASH, buildList, keyOf, type DecodedLists, type KeyHasher, type ListSegment, type SegmentVisits } from './segment-codec.js';

export const ENTRY = LIST_IDS.entryPages;
export const EXIT = LIST_IDS.exitPages;
const URLS = LIST_IDS.urls;

/** A site-day segment, decoded. */
export interface DaySegment {
  readonly totals: Float64Array;
  readonly lists: Map<number, ListSegment>;
  readonly others: Map<number, { hits: number; bytes: number }>;
  /** null once the day's visits are closed (its key is gone): then `summary` is final. */
  readonly visits: SegmentVisits | null;
  readonly summary: VisitSummaryCounts;
}

export interface VisitSummaryCounts {
  visitors: number;
  visits: number;
  bounces: number;
  visitSeconds: number;
}

/** Binary search of (hi, lo) in a list sorted by hash; -1 when absent. */
export function findKey(l: ListSegment, hi: number, lo: number): number {
  let a = 0;
  let b = l.hashHi.length - 1;
  while (a <= b) {
    const m = (a + b) >>> 1;
    const h = l.hashHi[m]!;
    const x = h < hi || (h === hi && l.hashLo[m]! < lo) ? -1 : h === hi && l.hashLo[m] === lo ? 0 : 1;
    if (x === 0) return m;
    if (x < 0) a = m + 1;
    else b = m - 1;
  }
  return -1;
}

/** Entry and exit page counts as lists, keyed by the urls list's texts. */
function entryExitLists(s: VisitSummary, urls: ListSegment | undefined, hasher: KeyHasher): ListSegment[] {
  if (urls === undefined) return [];
  const make = (id: number, m: Map<number, number>): ListSegment => {
    const keys = [...m.keys()];
    return buildList({ id, n: keys.length, key: (i) => keyOf(urls, keys[i]!), hits: (i) => m.get(keys[i]!)!, bytes: () => 0 }, hasher);
  };
  const out: ListSegment[] = [];
  if (s.entries.size > 0) out.push(make(ENTRY, s.entries));
  if (s.exits.size > 0) out.push(make(EXIT, s.exits));
  return out;
}

/** Intervals of a segment with entry/exit as indexes into its urls list (NO_KEY for none). */
function intervalsOf(v: SegmentVisits, urls: ListSegment | undefined): Intervals & { length: number } {
  const n = v.n;
  const out = emptyIntervals(n);
  out.visitor.set(v.visitor);
  out.first.set(v.first);
  out.last.set(v.last);
  out.pages.set(v.pages);
  out.entryTime.set(v.entryTime);
  out.exitTime.set(v.exitTime);
  for (let i = 0; i < n; i++) {
    out.entry[i] = v.entryHi[i] === NO_HASH && v.entryLo[i] === NO_HASH ? NO_KEY : urls === undefined ? NO_KEY : findOrNone(urls, v.entryHi[i]!, v.entryLo[i]!);
    out.exit[i] = v.exitHi[i] === NO_HASH && v.exitLo[i] === NO_HASH ? NO_KEY : urls === undefined ? NO_KEY : findOrNone(urls, v.exitHi[i]!, v.exitLo[i]!);
  }
  return out;
}

function findOrNone(urls: ListSegment, hi: number, lo: number): number {
  const k = findKey(urls, hi, lo);
  return k < 0 ? NO_KEY : k;
}

/** Byte order of two keys of a list (UTF-8 byte order is code point order). */
function keyLessIn(l: ListSegment): (a: number, b: number) => boolean {
  return (a, b) => Buffer.compare(keyOf(l, a), keyOf(l, b)) < 0;
}

function visitsFrom(m: Intervals & { length: number }, urls: ListSegment | undefined): SegmentVisits {
  const n = m.length;
  const entryHi = new Uint32Array(n);
  const entryLo = new Uint32Array(n);
  const exitHi = new Uint32Array(n);
  const exitLo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const e = m.entry[i]!;
    const x = m.exit[i]!;
    entryHi[i] = e === NO_KEY ? NO_HASH : urls!.hashHi[e]!;
    entryLo[i] = e === NO_KEY ? NO_HASH : urls!.hashLo[e]!;
    exitHi[i] = x === NO_KEY ? NO_HASH : urls!.hashHi[x]!;
    exitLo[i] = x === NO_KEY ? NO_HASH : urls!.hashLo[x]!;
  }
  return {
    n,
    visitor: m.visitor.slice(0, n),
    first: m.first.slice(0, n),
    last: m.last.slice(0, n),
    pages: m.pages.slice(0, n),
    entryTime: m.entryTime.slice(0, n),
    exitTime: m.exitTime.slice(0, n),
    entryHi,
    entryLo,
    exitHi,
    exitLo,
  };
}

function countsOf(s: VisitSummary): VisitSummaryCounts {
  return { visitors: s.visitors, visits: s.visits, bounces: s.bounces, visitSeconds: s.visitSeconds };
}

/** The sum of two lists with the same id (a linear merge by hash). */
export function mergeLists(a: ListSegment, b: ListSegment): ListSegment {
  const na = a.hashHi.length;
  const nb = b.hashHi.length;
  const cap = na + nb;
  const timed = a.timeSum !== null || b.timeSum !== null;
  const hashHi = new Uint32Array(cap);
  const hashLo = new Uint32Array(cap);
  const hits = new Float64Array(cap);
  const bytes = new Float64Array(cap);
  const timeSum = timed ? new Float64Array(cap) : null;
  const timeMax = timed ? new Float64Array(cap) : null;
  const textEnd = new Uint32Array(cap);
  const text = new Uint8Array(a.text.length + b.text.length);
  let i = 0;
  let j = 0;
  let o = 0;
  let t = 0;
  const take = (l: ListSegment, k: number, into: number, add: boolean): void => {
    hits[into] = (add ? hits[into]! : 0) + l.hits[k]!;
    bytes[into] = (add ? bytes[into]! : 0) + l.bytes[k]!;
    if (timed) {
      const s = l.timeSum ? l.timeSum[k]! : 0;
      const m = l.timeMax ? l.timeMax[k]! : 0;
      timeSum![into] = (add ? timeSum![into]! : 0) + s;
      timeMax![into] = add ? Math.max(timeMax![into]!, m) : m;
    }
  };
  const emit = (l: ListSegment, k: number): void => {
    hashHi[o] = l.hashHi[k]!;
    hashLo[o] = l.hashLo[k]!;
    const kb = keyOf(l, k);
    text.set(kb, t);
    t += kb.length;
    textEnd[o] = t;
    take(l, k, o, false);
    o++;
  };
  while (i < na || j < nb) {
    if (j >= nb) emit(a, i++);
    else if (i >= na) emit(b, j++);
    else {
      const ah = a.hashHi[i]!;
      const bh = b.hashHi[j]!;
      const al = a.hashLo[i]!;
      const bl = b.hashLo[j]!;
      if (ah < bh || (ah === bh && al < bl)) emit(a, i++);
      else if (bh < ah || (ah === bh && bl < al)) emit(b, j++);
      else {
        emit(a, i++);
        take(b, j++, o - 1, true);
      }
    }
  }
  return {
    id: a.id,
    hashHi: hashHi.subarray(0, o),
    hashLo: hashLo.subarray(0, o),
    hits: hits.subarray(0, o),
    bytes: bytes.subarray(0, o),
    timeSum: timeSum?.subarray(0, o) ?? null,
    timeMax: timeMax?.subarray(0, o) ?? null,
    textEnd: textEnd.subarray(0, o),
    text: text.subarray(0, t),
  };
}

/**
 * Merges segments of one site-day and one key generation into one: lists add, visit intervals
 * join (visits exact), entry and exit pages are recomputed from the joined visits. Closed
 * segments (no intervals) can only be merged with each other's counts.
 */
export function mergeDaySegments(segs: readonly DaySegment[], timeoutSec: number, hasher: KeyHasher): DaySegment {
  if (segs.length === 1) return segs[0]!;
  const totals = new Float64Array(TOTAL_FIELDS);
  const lists = new Map<number, ListSegment>();
  const others = new Map<number, { hits: number; bytes: number }>();
  const open = segs.every((s) => s.visits !== null);
  for (const s of segs) {
    for (let f = 0; f < TOTAL_FIELDS; f++) totals[f] = totals[f]! + s.totals[f]!;
    for (const [id, l] of s.lists) {
      if (open && (id === ENTRY || id === EXIT)) continue;
      const cur = lists.get(id);
      lists.set(id, cur === undefined ? l : mergeLists(cur, l));
    }
    for (const [id, c] of s.others) {
      const cur = others.get(id) ?? { hits: 0, bytes: 0 };
      cur.hits += c.hits;
      cur.bytes += c.bytes;
      others.set(id, cur);
    }
  }
  if (!open) {
    // Visits of closed segments cannot be joined any more: their counts add (never happens for
    // one generation in practice: a generation's segments close together).
    const summary = { visitors: 0, visits: 0, bounces: 0, visitSeconds: 0 };
    for (const s of segs) {
      summary.visitors += s.summary.visitors;
      summary.visits += s.summary.visits;
      summary.bounces += s.summary.bounces;
      summary.visitSeconds += s.summary.visitSeconds;
    }
    return { totals, lists, others, visits: null, summary };
  }
  const urls = lists.get(URLS);
  let total = 0;
  for (const s of segs) total += s.visits!.n;
  const all = emptyIntervals(total);
  let o = 0;
  for (const s of segs) {
    const iv = intervalsOf(s.visits!, s.lists.get(URLS));
    const own = s.lists.get(URLS);
    // Re-key entry/exit from the segment's urls list into the merged one.
    for (let i = 0; i < iv.length; i++, o++) {
      all.visitor[o] = iv.visitor[i]!;
      all.first[o] = iv.first[i]!;
      all.last[o] = iv.last[i]!;
      all.pages[o] = iv.pages[i]!;
      all.entryTime[o] = iv.entryTime[i]!;
      all.exitTime[o] = iv.exitTime[i]!;
      const e = iv.entry[i]!;
      const x = iv.exit[i]!;
      all.entry[o] = e === NO_KEY || urls === undefined ? NO_KEY : findOrNone(urls, own!.hashHi[e]!, own!.hashLo[e]!);
      all.exit[o] = x === NO_KEY || urls === undefined ? NO_KEY : findOrNone(urls, own!.hashHi[x]!, own!.hashLo[x]!);
    }
  }
  const merged = mergeIntervals(all, timeoutSec, urls === undefined ? () => false : keyLessIn(urls));
  const summary = summarizeVisits(merged);
  for (const l of entryExitLists(summary, urls, hasher)) lists.set(l.id, l);
  return { totals, lists, others, visits: merged.length > 0 ? visitsFrom(merged, urls) : null, summary: countsOf(summary) };
}

/** A decoded row: its lists blob decoded, its visits blob decoded (or null). */
export function segmentOfRow(totals: Float64Array, lists: DecodedLists, visits: SegmentVisits | null, summary: VisitSummaryCounts): DaySegment {
  return { totals, lists: lists.lists, others: lists.others, visits, summary };
}

/** The segment with its visits closed: counts kept, intervals dropped. */
export function closeSegment(s: DaySegment): DaySegment {
  return { ...s, visits: null };
}

export { keyOf };
