/**
 * Site-day segments in memory: built from a batch part (a commit), merged with each other
 * (compaction, reports of days with several segments), and summarised (visitors, visits,
 * bounces, visit seconds, entry and exit pages). The blob layout is segment-codec.ts's.
 */
import { NO_KEY, TOTAL_FIELDS } from '../../aggregate/index.js';
import { emptyIntervals, mergeIntervals, summarizeVisits, type Intervals, type VisitSummary } from '../../aggregate/index.js';
import { LIST_IDS } from '../../core/lists.js';
import { mergeLists, summed } from './list-sum.js';
import {
  NO_HASH,
  buildList,
  decodeVisits,
  encodeLists,
  fitVisitsBlob,
  keyOf,
  visitsBlobFor,
  type DecodedLists,
  type KeyHasher,
  type ListSegment,
  type SegmentVisits,
} from './segment-codec.js';

export const ENTRY = LIST_IDS.entryPages;
export const EXIT = LIST_IDS.exitPages;
export const URLS = LIST_IDS.urls;

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

function findOrNone(urls: ListSegment, hi: number, lo: number): number {
  const k = findKey(urls, hi, lo);
  return k < 0 ? NO_KEY : k;
}

/** Byte order of two keys of a list (UTF-8 byte order is code point order). */
function keyLessIn(l: ListSegment): (a: number, b: number) => boolean {
  return (a, b) => Buffer.compare(keyOf(l, a), keyOf(l, b)) < 0;
}

function countsOf(s: VisitSummary): VisitSummaryCounts {
  return { visitors: s.visitors, visits: s.visits, bounces: s.bounces, visitSeconds: s.visitSeconds };
}

/** One id's list: one piece's, or several pieces' not yet summed. */
export type ListGroup = ListSegment | readonly ListSegment[];

/** A site-day's segments joined, its lists not yet summed. */
interface JoinedDay {
  readonly totals: Float64Array;
  readonly lists: Map<number, ListGroup>;
  readonly others: Map<number, { hits: number; bytes: number }>;
  readonly visits: SegmentVisits | null;
  /** The visits' blob (null when there are none, or the pieces are closed). */
  readonly vis: Buffer | null;
  readonly summary: VisitSummaryCounts;
}

/**
 * Merges segments of one site-day and one key generation into one: lists add, visit intervals
 * join (visits exact), entry and exit pages are recomputed from the joined visits. Closed
 * segments (no intervals) can only be merged with each other's counts.
 */
export function mergeDaySegments(segs: readonly DaySegment[], timeoutSec: number, hasher: KeyHasher): DaySegment {
  if (segs.length === 1) return segs[0]!;
  const j = joinDay(segs, timeoutSec, hasher);
  const lists = new Map<number, ListSegment>();
  for (const [id, l] of j.lists) lists.set(id, isGroup(l) ? mergeLists(l) : l);
  return { totals: j.totals, others: j.others, visits: j.visits, summary: j.summary, lists };
}

/**
 * The same merge, encoded as a stored segment's two blobs: the lists are summed straight into the
 * blob (compaction of a busy day: no merged copy of every list beside the blob).
 */
export function encodeMergedDay(segs: readonly DaySegment[], timeoutSec: number, hasher: KeyHasher): { totals: Float64Array; summary: VisitSummaryCounts; lists: Buffer; vis: Buffer | null } {
  const j = joinDay(segs, timeoutSec, hasher);
  return { totals: j.totals, summary: j.summary, lists: encodeListGroups(j.lists, j.others), vis: j.vis };
}

/** Lists of a day laid out as a blob, each group summed straight into it. */
export function encodeListGroups(lists: ReadonlyMap<number, ListGroup>, others: ReadonlyMap<number, { hits: number; bytes: number }>): Buffer {
  return encodeLists([...lists.values()].map((l) => (isGroup(l) ? summed(l) : l)), others);
}

const isGroup = (l: ListGroup): l is readonly ListSegment[] => Array.isArray(l);

/**
 * The pieces' lists grouped by id, in the order they first appear, and their `others` added.
 * Open pieces' entry and exit pages are left out: they are recomputed from the joined visits.
 */
export function groupLists(pieces: readonly DecodedLists[], open: boolean): { lists: Map<number, ListGroup>; others: Map<number, { hits: number; bytes: number }> } {
  const others = new Map<number, { hits: number; bytes: number }>();
  const byId = new Map<number, ListSegment[]>();
  for (const s of pieces) {
    for (const [id, l] of s.lists) {
      if (open && (id === ENTRY || id === EXIT)) continue;
      const g = byId.get(id);
      if (g === undefined) byId.set(id, [l]);
      else g.push(l);
    }
    for (const [id, c] of s.others) {
      const cur = others.get(id) ?? { hits: 0, bytes: 0 };
      cur.hits += c.hits;
      cur.bytes += c.bytes;
      others.set(id, cur);
    }
  }
  const lists = new Map<number, ListGroup>();
  for (const [id, g] of byId) lists.set(id, g.length === 1 ? g[0]! : g);
  return { lists, others };
}

/** One open piece's visits, with its own urls list (its entry and exit pages are hashes of it). */
export interface VisitPiece {
  readonly visits: SegmentVisits;
  readonly urls: ListSegment | undefined;
}

/** What joined visits add to the day's lists: the merged urls list, and entry and exit pages keyed by its texts. */
export interface VisitLists {
  readonly urls: ListSegment | undefined;
  readonly entryExit: ListSegment[];
}

/** Open pieces' visits joined: their lists, their intervals (blob and views) and counts. */
export interface JoinedVisits extends VisitLists {
  readonly vis: Buffer | null;
  readonly visits: SegmentVisits | null;
  readonly summary: VisitSummaryCounts;
}

/**
 * Joins the visit intervals of a site-day's open pieces. The output is written straight into its
 * blob's columns (a busy day's compaction: no second set of interval arrays beside the pieces and
 * the blob; 10M lines, 500k clients: ~700k intervals, 29 MB). `urlSources`: the pieces' urls
 * lists (grouped as groupLists gives them), merged here once.
 */
export function joinVisits(pieces: readonly VisitPiece[], urlSources: ListGroup | undefined, timeoutSec: number, hasher: KeyHasher): JoinedVisits {
  const urls = urlSources === undefined ? undefined : isGroup(urlSources) ? mergeLists(urlSources) : urlSources;
  let total = 0;
  for (const p of pieces) total += p.visits.n;
  // Entry and exit re-keyed from the hashes of the piece's own urls list into the merged one.
  const remap = (own: ListSegment | undefined, hi: number, lo: number): number =>
    (hi === NO_HASH && lo === NO_HASH) || own === undefined || urls === undefined || findKey(own, hi, lo) < 0 ? NO_KEY : findOrNone(urls, hi, lo);
  const keyLess = urls === undefined ? () => false : keyLessIn(urls);
  const sorted = pieces.every((p) => inVisitOrder(p.visits));
  let blob: Buffer;
  let merged: Intervals & { length: number };
  if (sorted) {
    // Joined in place in the blob; entry and exit keys are kept in the entryHi and exitHi
    // columns until they are turned into hashes below.
    const b = visitsBlobFor(total);
    const c = b.columns;
    const cols = { length: total, visitor: c.visitor, first: c.first, last: c.last, pages: c.pages, entry: c.entryHi, entryTime: c.entryTime, exit: c.exitHi, exitTime: c.exitTime };
    mergeInto(cols, pieces, remap);
    merged = mergeIntervals(cols, timeoutSec, keyLess, true);
    blob = b.blob;
  } else {
    const all = emptyIntervals(total);
    concatInto(all, pieces, remap);
    merged = mergeIntervals(all, timeoutSec, keyLess, false);
    blob = visitsBlobFor(merged.length).blob;
    const c = decodeVisits(blob);
    for (const k of ['visitor', 'first', 'last', 'pages', 'entryTime', 'exitTime'] as const) c[k].set(merged[k]);
    c.entryHi.set(merged.entry);
    c.exitHi.set(merged.exit);
  }
  const s = summarizeVisits(merged);
  const entryExit = entryExitLists(s, urls, hasher);
  const n = merged.length;
  if (n === 0) return { urls, vis: null, visits: null, summary: countsOf(s), entryExit };
  const c = decodeVisits(blob);
  for (let i = 0; i < n; i++) {
    const e = c.entryHi[i]!;
    const x = c.exitHi[i]!;
    c.entryHi[i] = e === NO_KEY ? NO_HASH : urls!.hashHi[e]!;
    c.entryLo[i] = e === NO_KEY ? NO_HASH : urls!.hashLo[e]!;
    c.exitHi[i] = x === NO_KEY ? NO_HASH : urls!.hashHi[x]!;
    c.exitLo[i] = x === NO_KEY ? NO_HASH : urls!.hashLo[x]!;
  }
  const vis = fitVisitsBlob(blob, n);
  return { urls, vis, visits: decodeVisits(vis), summary: countsOf(s), entryExit };
}

/** The day's lists once its visits are joined: the merged urls list, and entry and exit pages. */
export function withVisitLists(lists: Map<number, ListGroup>, v: VisitLists): void {
  if (v.urls !== undefined) lists.set(URLS, v.urls);
  for (const l of v.entryExit) lists.set(l.id, l);
}

function joinDay(segs: readonly DaySegment[], timeoutSec: number, hasher: KeyHasher): JoinedDay {
  const totals = new Float64Array(TOTAL_FIELDS);
  for (const s of segs) for (let f = 0; f < TOTAL_FIELDS; f++) totals[f] = totals[f]! + s.totals[f]!;
  const open = segs.every((s) => s.visits !== null);
  const { lists, others } = groupLists(segs, open);
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
    return { totals, lists, others, visits: null, vis: null, summary };
  }
  // The visits need the merged urls list (entry and exit pages are re-keyed into it).
  const v = joinVisits(
    segs.map((s) => ({ visits: s.visits!, urls: s.lists.get(URLS) })),
    lists.get(URLS),
    timeoutSec,
    hasher,
  );
  withVisitLists(lists, v);
  return { totals, lists, others, visits: v.visits, vis: v.vis, summary: v.summary };
}

type Remap = (own: ListSegment | undefined, hi: number, lo: number) => number;

/** Whether a piece's intervals are in (visitor, first) order (every stored piece's are). */
function inVisitOrder(v: SegmentVisits): boolean {
  for (let i = 1; i < v.n; i++) {
    const d = v.visitor[i]! - v.visitor[i - 1]!;
    if (d < 0 || (d === 0 && v.first[i]! < v.first[i - 1]!)) return false;
  }
  return true;
}

function copyVisit(v: SegmentVisits, i: number, own: ListSegment | undefined, all: Intervals, o: number, remap: Remap): void {
  all.visitor[o] = v.visitor[i]!;
  all.first[o] = v.first[i]!;
  all.last[o] = v.last[i]!;
  all.pages[o] = v.pages[i]!;
  all.entryTime[o] = v.entryTime[i]!;
  all.exitTime[o] = v.exitTime[i]!;
  all.entry[o] = remap(own, v.entryHi[i]!, v.entryLo[i]!);
  all.exit[o] = remap(own, v.exitHi[i]!, v.exitLo[i]!);
}

/**
 * The pieces' intervals in (visitor, first) order, each piece being in that order: a k-way merge,
 * ties to the earlier piece (what a stable sort of the pieces one after the other gives).
 */
function mergeInto(all: Intervals, pieces: readonly VisitPiece[], remap: Remap): void {
  const vs = pieces.map((p) => p.visits);
  const owns = pieces.map((p) => p.urls);
  const at = new Uint32Array(vs.length);
  let o = 0;
  for (;;) {
    let best = -1;
    let bv = 0;
    let bf = 0;
    for (let p = 0; p < vs.length; p++) {
      const v = vs[p]!;
      const i = at[p]!;
      if (i >= v.n) continue;
      const x = v.visitor[i]!;
      if (best < 0 || x < bv || (x === bv && v.first[i]! < bf)) {
        best = p;
        bv = x;
        bf = v.first[i]!;
      }
    }
    if (best < 0) return;
    copyVisit(vs[best]!, at[best]!, owns[best], all, o++, remap);
    at[best] = at[best]! + 1;
  }
}

/** The pieces' intervals one after the other (a piece out of order: mergeIntervals sorts). */
function concatInto(all: Intervals, pieces: readonly VisitPiece[], remap: Remap): void {
  let o = 0;
  for (const p of pieces) {
    const v = p.visits;
    const own = p.urls;
    for (let i = 0; i < v.n; i++) copyVisit(v, i, own, all, o++, remap);
  }
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
