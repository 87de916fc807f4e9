/**
 * Merging the visit intervals of several parts of one site-day (batches, worker threads, web
 * servers, late files): per visitor, intervals closer than the visit timeout are joined, exactly
 * as VisitTable joins hits. The visits of a union of parts are the connected components of the
 * parts' intervals under that rule, so merging in any grouping and order gives the visits of one
 * ordered run (test/unit/aggregate/visit-table.test.ts checks this with fast-check).
 */
import { NO_KEY, type Intervals } from './batch-data.js';
import type { KeyLess } from './visit-table.js';

/** What a day's visits add up to. */
export interface VisitSummary {
  visitors: number;
  visits: number;
  /** Visits with exactly one page view. */
  bounces: number;
  /** Sum of (last − first) over visits, seconds. */
  visitSeconds: number;
  /** Visits per entry / exit key. */
  entries: Map<number, number>;
  exits: Map<number, number>;
}

export function emptyIntervals(n: number): Intervals & { length: number } {
  return {
    length: n,
    visitor: new Float64Array(n),
    first: new Uint32Array(n),
    last: new Uint32Array(n),
    pages: new Uint32Array(n),
    entry: new Uint32Array(n),
    entryTime: new Uint32Array(n),
    exit: new Uint32Array(n),
    exitTime: new Uint32Array(n),
  };
}

/** Copies interval `i` of `src` to `o` of `dst`, keys mapped through `keyMap` (null: same space). */
export function copyInterval(src: Intervals, i: number, dst: Intervals, o: number, keyMap: ((k: number) => number) | null): void {
  dst.visitor[o] = src.visitor[i]!;
  dst.first[o] = src.first[i]!;
  dst.last[o] = src.last[i]!;
  dst.pages[o] = src.pages[i]!;
  const e = src.entry[i]!;
  const x = src.exit[i]!;
  dst.entry[o] = e === NO_KEY || keyMap === null ? e : keyMap(e);
  dst.exit[o] = x === NO_KEY || keyMap === null ? x : keyMap(x);
  dst.entryTime[o] = src.entryTime[i]!;
  dst.exitTime[o] = src.exitTime[i]!;
}

/**
 * Joins the intervals of `all` into visits, sorted by (visitor, first). `all` must hold every
 * part's intervals of one site-day in one key space. `sorted`: `all` is in (visitor, first)
 * order already (stored pieces are, and a k-way merge keeps it), so it is joined in place: no
 * order array, no sort and no second copy of every interval (a busy day's compaction holds ~40
 * bytes less per interval). Ties must then be in the order a stable sort of the parts, one after
 * the other, gives, so that joins, and with them entry and exit pages, are the same.
 */
export function mergeIntervals(all: Intervals & { length: number }, timeoutSec: number, keyLess: KeyLess, sorted = false): Intervals & { length: number } {
  const n = all.length;
  const v = all.visitor;
  const f = all.first;
  let order: Uint32Array | null = null;
  if (!sorted) {
    order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => v[a]! - v[b]! || f[a]! - f[b]!);
  }
  // In place, interval o is written only after every input up to it was read (o <= k).
  const out = order === null ? all : emptyIntervals(n);
  let o = -1;
  for (let k = 0; k < n; k++) {
    const i = order === null ? k : order[k]!;
    if (o >= 0 && out.visitor[o] === v[i] && f[i]! <= out.last[o]! + timeoutSec) {
      joinInto(out, o, all, i, keyLess);
      continue;
    }
    copyInterval(all, i, out, ++o, null);
  }
  return { ...sliceIntervals(out, o + 1), length: o + 1 };
}

function joinInto(d: Intervals, o: number, s: Intervals, i: number, keyLess: KeyLess): void {
  if (s.last[i]! > d.last[o]!) d.last[o] = s.last[i]!;
  if (s.first[i]! < d.first[o]!) d.first[o] = s.first[i]!;
  const p = s.pages[i]!;
  // A visit's entry and exit are its pages'; between intervals without pages, the earliest entry
  // and the latest exit, as between pages: the same whatever order intervals of one second join in.
  if (p === 0 && d.pages[o]! > 0) return;
  if (d.pages[o] === 0 && p > 0) {
    d.entry[o] = s.entry[i]!;
    d.entryTime[o] = s.entryTime[i]!;
    d.exit[o] = s.exit[i]!;
    d.exitTime[o] = s.exitTime[i]!;
  } else {
    const et = s.entryTime[i]!;
    if (et < d.entryTime[o]! || (et === d.entryTime[o] && keyLess(s.entry[i]!, d.entry[o]!))) {
      d.entry[o] = s.entry[i]!;
      d.entryTime[o] = et;
    }
    const xt = s.exitTime[i]!;
    if (xt > d.exitTime[o]! || (xt === d.exitTime[o] && keyLess(d.exit[o]!, s.exit[i]!))) {
      d.exit[o] = s.exit[i]!;
      d.exitTime[o] = xt;
    }
  }
  d.pages[o] = d.pages[o]! + p;
}

function sliceIntervals(a: Intervals, n: number): Intervals {
  return {
    visitor: a.visitor.subarray(0, n),
    first: a.first.subarray(0, n),
    last: a.last.subarray(0, n),
    pages: a.pages.subarray(0, n),
    entry: a.entry.subarray(0, n),
    entryTime: a.entryTime.subarray(0, n),
    exit: a.exit.subarray(0, n),
    exitTime: a.exitTime.subarray(0, n),
  };
}

/** Visitors, visits, bounces, visit seconds, entry and exit pages of merged intervals. */
export function summarizeVisits(m: Intervals & { length: number }): VisitSummary {
  const s: VisitSummary = { visitors: 0, visits: m.length, bounces: 0, visitSeconds: 0, entries: new Map(), exits: new Map() };
  let prev = NaN;
  for (let i = 0; i < m.length; i++) {
    if (m.visitor[i] !== prev) {
      s.visitors++;
      prev = m.visitor[i]!;
    }
    s.visitSeconds += m.last[i]! - m.first[i]!;
    const p = m.pages[i]!;
    if (p === 1) s.bounces++;
    if (p > 0) {
      const e = m.entry[i]!;
      const x = m.exit[i]!;
      s.entries.set(e, (s.entries.get(e) ?? 0) + 1);
      s.exits.set(x, (s.exits.get(x) ?? 0) + 1);
    }
  }
  return s;
}
