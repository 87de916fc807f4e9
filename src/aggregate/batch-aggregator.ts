/**
 * The aggregate stage: AnonHits in, a BatchPart out.
 *
 * Per line it bumps a dozen counters keyed by (site-day, key id) in typed-array hash tables
 * (PairIndex) and feeds the visit table: integer work, no string, no object. What the ids mean is
 * only looked up when the batch is drained, once per distinct key: display text (UTF-8, invalid
 * bytes as \xHH, scrubbed), the User-Agent's browser / OS / device / versions, the Referer's
 * URL / site / search term, and what the privacy policy shows of an address or user
 * (AnonKeys). Counts of keys with the same display text merge there.
 */
import type { AnonHit, AnonKeys } from '../core/anon-hit.js';
import { ByteInterner } from '../core/interner.js';
import { LIST_IDS, LIST_SLOTS, type ListName } from '../core/lists.js';
import { F64Column, PairIndex, U32Column } from '../core/pair-index.js';
import type { ReferrerInfo, UaInfo } from '../core/record.js';
import {
  NO_KEY,
  T_BOTS,
  T_BYTES,
  T_FTP_BYTES,
  T_FTP_TRANSFERS,
  T_HITS,
  T_PAGES,
  TOTAL_FIELDS,
  type BatchPart,
  type ListColumns,
  type OtherColumns,
  type RejectCount,
  type VisitColumns,
} from './batch-data.js';
import { VisitTable } from './visit-table.js';

/** What the ids of an AnonHit mean: the dictionaries of the stages that made them. */
export interface KeyDisplay {
  /** Display text of a path-dictionary key (scrubbed); also the urls / entry / exit key. */
  path(id: number): string;
  ua(id: number): UaInfo;
  /** The Referer's classification (kind 'internal' is decided per site: refInternal). */
  ref(id: number): ReferrerInfo;
  refInternal(sd: number, id: number): boolean;
  method(id: number): string;
  protocol(id: number): string;
  fileType(id: number): string;
  /** Scrubs URL-like text derived from a Referer (URL, search term). */
  scrub(text: string): string;
}

/** The batch's site-days: slot → (site, day). */
export interface SiteDayIndex {
  readonly count: number;
  site(sd: number): string;
  day(sd: number): number;
}

export interface AggregatorOptions {
  /** Seconds of inactivity after which a visitor's next hit opens a new visit. */
  readonly visitTimeoutSec: number;
  /** Keys kept per site, day and list in one batch; the rest is counted in `others`. */
  readonly topKeysPerDay: number;
  /** GoAccess --ignore-crawlers: bot hits only count in `bots`. */
  readonly ignoreCrawlers: boolean;
}

// Counters the hot path keeps, each keyed by (site-day, id). Several output lists come from one
// counter at drain (a User-Agent gives five, a Referer three).
const R_IPS = 0;
const R_USERS = 1;
const R_URLS = 2;
const R_NOT_FOUND = 3;
const R_STATUS = 4;
const R_UA = 5;
const R_REF = 6;
const R_COUNTRY = 7;
const R_METHOD = 8;
const R_PROTOCOL = 9;
const R_FILE_TYPE = 10;
const R_SLOW = 11;
const R_FTP_FILES = 12;
const R_FTP_IPS = 13;
const R_FTP_USERS = 14;
const RAW_LISTS = 15;

/** The output lists a raw counter's overflow (keys past the cap) is shown under. */
const OVERFLOW_LISTS: readonly (readonly ListName[])[] = [
  ['ips'],
  ['users'],
  ['urls'],
  ['notFound'],
  ['statusCodes'],
  ['browsers', 'os', 'devices', 'browserVersions', 'osVersions'],
  ['referrers', 'referringSites'],
  ['countries'],
  ['methods'],
  ['protocols'],
  ['fileTypes'],
  ['slowPages'],
  ['ftpFiles'],
  ['ftpIps'],
  ['ftpUsers'],
];

class RawCounter {
  readonly index = new PairIndex(1024);
  readonly hits = new F64Column(1024);
  readonly bytes = new F64Column(1024);
  /** Distinct keys per site-day (the cap). */
  readonly perDay = new U32Column(256);
  readonly timeSum: F64Column | null;
  readonly timeMax: F64Column | null;
  constructor(timed: boolean) {
    this.timeSum = timed ? new F64Column(1024) : null;
    this.timeMax = timed ? new F64Column(1024) : null;
  }
  clear(): void {
    this.index.clear();
    this.perDay.data.fill(0);
  }
}

/** An output list being built: (sd, display key) → counts. */
class ListBuilder {
  readonly index = new PairIndex(1024);
  readonly hits = new F64Column(1024);
  readonly bytes = new F64Column(1024);
  readonly timeSum: F64Column | null;
  readonly timeMax: F64Column | null;
  constructor(timed: boolean) {
    this.timeSum = timed ? new F64Column(1024) : null;
    this.timeMax = timed ? new F64Column(1024) : null;
  }
  add(sd: number, key: number, hits: number, bytes: number): number {
    const before = this.index.size;
    const id = this.index.add(sd, key);
    if (id === before) {
      this.hits.ensure(id);
      this.bytes.ensure(id);
      this.hits.data[id] = hits;
      this.bytes.data[id] = bytes;
    } else {
      this.hits.data[id] = this.hits.data[id]! + hits;
      this.bytes.data[id] = this.bytes.data[id]! + bytes;
    }
    return id;
  }
  /** Grouped by site-day (a counting sort), as ListColumns. */
  columns(sdCount: number): ListColumns | null {
    const n = this.index.size;
    if (n === 0) return null;
    const start = new Uint32Array(sdCount + 1);
    for (let i = 0; i < n; i++) start[this.index.keyA(i) + 1] = start[this.index.keyA(i) + 1]! + 1;
    for (let s = 0; s < sdCount; s++) start[s + 1] = start[s + 1]! + start[s]!;
    const at = start.slice(0, sdCount);
    const key = new Uint32Array(n);
    const hits = new Float64Array(n);
    const bytes = new Float64Array(n);
    const timeSum = this.timeSum ? new Float64Array(n) : undefined;
    const timeMax = this.timeMax ? new Float64Array(n) : undefined;
    for (let i = 0; i < n; i++) {
      const sd = this.index.keyA(i);
      const o = at[sd]!;
      at[sd] = o + 1;
      key[o] = this.index.keyB(i);
      hits[o] = this.hits.data[i]!;
      bytes[o] = this.bytes.data[i]!;
      if (timeSum) timeSum[o] = this.timeSum!.data[i]!;
      if (timeMax) timeMax[o] = this.timeMax!.data[i]!;
    }
    return { start, key, hits, bytes, ...(timeSum ? { timeSum, timeMax: timeMax! } : {}) };
  }
}

export interface BatchAggregator {
  add(hit: AnonHit): void;
  /** A line of `site` ('' when unknown) that was rejected. */
  reject(site: string, reason: string): void;
  /** Lines added or rejected since the last drain. */
  readonly pending: number;
  /** Bytes held by the batch's tables (for the batch budget). */
  readonly memoryBytes: number;
  /** The batch, and a fresh start. `keys` must answer for every site-day and id added. */
  drain(sites: SiteDayIndex, keys: AnonKeys): BatchPart;
  /** A fresh start without a batch: what was added is dropped (its input failed or was refused). */
  discard(): void;
}

/** `display` is asked on the hot path too, once per distinct page path a batch (entry and exit pages). */
export function createBatchAggregator(opts: AggregatorOptions, display: KeyDisplay): BatchAggregator {
  const cap = opts.topKeysPerDay;
  const raw: RawCounter[] = Array.from({ length: RAW_LISTS }, (_, i) => new RawCounter(i === R_SLOW));
  const totals = new F64Column(256 * TOTAL_FIELDS);
  const hours = new F64Column(256 * 48);
  let sdSeen = 0;
  const otherIndex = new PairIndex(64);
  const otherHits = new F64Column(64);
  const otherBytes = new F64Column(64);
  let rejected = new Map<string, Map<string, number>>();
  let pending = 0;

  // Entry and exit pages are display keys: the output dictionary is built while lines come, for
  // page views, so that ties of page views in one second break by the text, whatever the order.
  let outKeys = new ByteInterner(4096);
  let pathKey = new Int32Array(1024).fill(-1);
  const keyLess = (a: number, b: number): boolean => compareKeys(outKeys, a, b) < 0;
  const visits = new VisitTable(opts.visitTimeoutSec, keyLess);

  /** Make site-day `sd` addressable, zeroed. */
  function touch(sd: number): void {
    if (sd < sdSeen) return;
    totals.ensure((sd + 1) * TOTAL_FIELDS);
    hours.ensure((sd + 1) * 48);
    totals.data.fill(0, sdSeen * TOTAL_FIELDS, (sd + 1) * TOTAL_FIELDS);
    hours.data.fill(0, sdSeen * 48, (sd + 1) * 48);
    for (const r of raw) {
      r.perDay.ensure(sd);
    }
    sdSeen = sd + 1;
  }

  function bump(r: RawCounter, list: number, sd: number, key: number, bytes: number): number {
    let id = r.index.get(sd, key);
    if (id >= 0) {
      r.hits.data[id] = r.hits.data[id]! + 1;
      r.bytes.data[id] = r.bytes.data[id]! + bytes;
      return id;
    }
    if (r.perDay.data[sd]! >= cap) {
      const before = otherIndex.size;
      const o = otherIndex.add(sd, list);
      otherHits.ensure(o);
      otherBytes.ensure(o);
      if (o === before) {
        otherHits.data[o] = 0;
        otherBytes.data[o] = 0;
      }
      otherHits.data[o] = otherHits.data[o]! + 1;
      otherBytes.data[o] = otherBytes.data[o]! + bytes;
      return -1;
    }
    r.perDay.data[sd] = r.perDay.data[sd]! + 1;
    id = r.index.add(sd, key);
    r.hits.ensure(id);
    r.bytes.ensure(id);
    r.hits.data[id] = 1;
    r.bytes.data[id] = bytes;
    return id;
  }

  /** A fresh batch. */
  function reset(): void {
    for (const r of raw) r.clear();
    totals.data.fill(0, 0, sdSeen * TOTAL_FIELDS);
    hours.data.fill(0, 0, sdSeen * 48);
    sdSeen = 0;
    otherIndex.clear();
    visits.clear();
    rejected = new Map();
    pending = 0;
    outKeys = new ByteInterner(4096);
    pathKey.fill(-1);
  }

  function pageKey(path: number): number {
    if (path >= pathKey.length) {
      let n = pathKey.length * 2;
      while (n <= path) n *= 2;
      const p = new Int32Array(n).fill(-1);
      p.set(pathKey);
      pathKey = p;
    }
    let k = pathKey[path]!;
    if (k < 0) {
      k = outKeys.internText(display.path(path));
      pathKey[path] = k;
    }
    return k;
  }

  return {
    add(h) {
      pending++;
      const sd = h.sd;
      touch(sd);
      const b = h.bytes;
      const t = totals.data;
      const base = sd * TOTAL_FIELDS;
      if (h.bot) {
        t[base + T_BOTS] = t[base + T_BOTS]! + 1;
        if (opts.ignoreCrawlers) return;
      }
      if (h.ftp) {
        t[base + T_FTP_TRANSFERS] = t[base + T_FTP_TRANSFERS]! + 1;
        t[base + T_FTP_BYTES] = t[base + T_FTP_BYTES]! + b;
        bump(raw[R_FTP_FILES]!, R_FTP_FILES, sd, h.path, b);
        if (h.ipKey >= 0) bump(raw[R_FTP_IPS]!, R_FTP_IPS, sd, h.ipKey, b);
        if (h.userKey >= 0) bump(raw[R_FTP_USERS]!, R_FTP_USERS, sd, h.userKey, b);
        return;
      }
      t[base + T_HITS] = t[base + T_HITS]! + 1;
      t[base + T_BYTES] = t[base + T_BYTES]! + b;
      if (h.page) t[base + T_PAGES] = t[base + T_PAGES]! + 1;
      if (h.countsAsVisitor && h.client >= 0) visits.hit(sd, h.client, h.time, h.page ? pageKey(h.path) : NO_KEY);
      if (h.ipKey >= 0) bump(raw[R_IPS]!, R_IPS, sd, h.ipKey, b);
      if (h.userKey >= 0) bump(raw[R_USERS]!, R_USERS, sd, h.userKey, b);
      bump(raw[R_URLS]!, R_URLS, sd, h.path, b);
      if (h.status === 404) bump(raw[R_NOT_FOUND]!, R_NOT_FOUND, sd, h.path, b);
      bump(raw[R_STATUS]!, R_STATUS, sd, h.status, b);
      const hh = hours.data;
      hh[sd * 48 + h.hour] = hh[sd * 48 + h.hour]! + 1;
      hh[sd * 48 + 24 + h.hour] = hh[sd * 48 + 24 + h.hour]! + b;
      bump(raw[R_UA]!, R_UA, sd, h.ua, b);
      if (h.ref >= 0) bump(raw[R_REF]!, R_REF, sd, h.ref, b);
      if (h.country > 0) bump(raw[R_COUNTRY]!, R_COUNTRY, sd, h.country, b);
      if (h.method >= 0) bump(raw[R_METHOD]!, R_METHOD, sd, h.method, b);
      if (h.protocol >= 0) bump(raw[R_PROTOCOL]!, R_PROTOCOL, sd, h.protocol, b);
      bump(raw[R_FILE_TYPE]!, R_FILE_TYPE, sd, h.fileType + 1, b);
      if (h.timeTakenUs >= 0) {
        const r = raw[R_SLOW]!;
        const id = bump(r, R_SLOW, sd, h.path, b);
        if (id >= 0) {
          const first = r.hits.data[id] === 1;
          r.timeSum!.ensure(id);
          r.timeMax!.ensure(id);
          r.timeSum!.data[id] = first ? h.timeTakenUs : r.timeSum!.data[id]! + h.timeTakenUs;
          if (first || h.timeTakenUs > r.timeMax!.data[id]!) r.timeMax!.data[id] = h.timeTakenUs;
        }
      }
    },

    reject(site, reason) {
      pending++;
      let m = rejected.get(site);
      if (m === undefined) {
        m = new Map();
        rejected.set(site, m);
      }
      m.set(reason, (m.get(reason) ?? 0) + 1);
    },

    get pending() {
      return pending;
    },

    get memoryBytes() {
      let n = outKeys.memoryBytes + visits.memoryBytes + totals.data.byteLength + hours.data.byteLength;
      for (const r of raw) n += r.index.memoryBytes + r.hits.data.byteLength * 2;
      return n;
    },

    drain(sites, keys) {
      const disp = display;
      const sdCount = sites.count;
      touch(sdCount - 1);
      const builders = new Map<number, ListBuilder>();
      const builder = (list: ListName): ListBuilder => {
        const id = LIST_IDS[list];
        let b = builders.get(id);
        if (b === undefined) {
          b = new ListBuilder(list === 'slowPages');
          builders.set(id, b);
        }
        return b;
      };
      const text = (s: string): number => outKeys.internText(s);

      // Keys whose display depends only on the id: one lookup per distinct id.
      const memo = (f: (id: number) => number): ((id: number) => number) => {
        const m = new Map<number, number>();
        return (id) => {
          let k = m.get(id);
          if (k === undefined) {
            k = f(id);
            m.set(id, k);
          }
          return k;
        };
      };
      const pathText = (id: number): number => pageKey(id);
      const statusText = memo((s) => text(s === 0 ? '-' : String(s)));
      const countryText = memo((c) => text(String.fromCharCode(c >> 8, c & 255)));
      const methodText = memo((m) => text(disp.method(m)));
      const protocolText = memo((p) => text(disp.protocol(p)));
      const fileTypeText = memo((f) => text(f === 0 ? '-' : disp.fileType(f - 1)));
      const NONE = -1;
      const uaTexts = new Map<number, Int32Array>();
      const uaText = (id: number): Int32Array => {
        let k = uaTexts.get(id);
        if (k === undefined) {
          const u = disp.ua(id);
          k = Int32Array.of(text(u.browser), text(u.os), text(u.device), u.browserVersion === '' ? NONE : text(u.browserVersion), u.osVersion === '' ? NONE : text(u.osVersion));
          uaTexts.set(id, k);
        }
        return k;
      };
      const refTexts = new Map<number, Int32Array>();
      const refText = (id: number): Int32Array => {
        let k = refTexts.get(id);
        if (k === undefined) {
          const r = disp.ref(id);
          k =
            r.spam || r.kind === 'none'
              ? Int32Array.of(NONE, NONE, NONE)
              : Int32Array.of(r.url === '' ? NONE : text(disp.scrub(r.url)), r.site === '' ? NONE : text(r.site), r.term === '' ? NONE : text(disp.scrub(r.term)));
          refTexts.set(id, k);
        }
        return k;
      };
      const each = (r: RawCounter, f: (sd: number, key: number, hits: number, bytes: number, i: number) => void): void => {
        const n = r.index.size;
        for (let i = 0; i < n; i++) f(r.index.keyA(i), r.index.keyB(i), r.hits.data[i]!, r.bytes.data[i]!, i);
      };

      const ipList = (r: RawCounter, list: ListName): void => {
        const lb = builder(list);
        each(r, (sd, key, h, by) => {
          const t = keys.ipText(sd, key);
          if (t !== '') lb.add(sd, text(t), h, by);
        });
      };
      ipList(raw[R_IPS]!, 'ips');
      ipList(raw[R_FTP_IPS]!, 'ftpIps');
      const userList = (r: RawCounter, list: ListName): void => {
        const lb = builder(list);
        each(r, (sd, key, h, by) => {
          const t = keys.userText(sd, key);
          if (t !== '') lb.add(sd, text(t), h, by);
        });
      };
      userList(raw[R_USERS]!, 'users');
      userList(raw[R_FTP_USERS]!, 'ftpUsers');
      const ur = builder('urls');
      each(raw[R_URLS]!, (sd, key, h, by) => ur.add(sd, pathText(key), h, by));
      const nf = builder('notFound');
      each(raw[R_NOT_FOUND]!, (sd, key, h, by) => nf.add(sd, pathText(key), h, by));
      const ff = builder('ftpFiles');
      each(raw[R_FTP_FILES]!, (sd, key, h, by) => ff.add(sd, pathText(key), h, by));
      const st = builder('statusCodes');
      each(raw[R_STATUS]!, (sd, key, h, by) => st.add(sd, statusText(key), h, by));
      const co = builder('countries');
      each(raw[R_COUNTRY]!, (sd, key, h, by) => co.add(sd, countryText(key), h, by));
      const me = builder('methods');
      each(raw[R_METHOD]!, (sd, key, h, by) => me.add(sd, methodText(key), h, by));
      const pr = builder('protocols');
      each(raw[R_PROTOCOL]!, (sd, key, h, by) => pr.add(sd, protocolText(key), h, by));
      const ft = builder('fileTypes');
      each(raw[R_FILE_TYPE]!, (sd, key, h, by) => ft.add(sd, fileTypeText(key), h, by));
      const uaLists = [builder('browsers'), builder('os'), builder('devices'), builder('browserVersions'), builder('osVersions')];
      each(raw[R_UA]!, (sd, key, h, by) => {
        const k = uaText(key);
        for (let j = 0; j < 5; j++) if (k[j]! !== NONE) uaLists[j]!.add(sd, k[j]!, h, by);
      });
      const refLists = [builder('referrers'), builder('referringSites'), builder('searchTerms')];
      each(raw[R_REF]!, (sd, key, h, by) => {
        if (disp.refInternal(sd, key)) return;
        const k = refText(key);
        for (let j = 0; j < 3; j++) if (k[j]! !== NONE) refLists[j]!.add(sd, k[j]!, h, by);
      });
      const slow = builder('slowPages');
      const rs = raw[R_SLOW]!;
      each(rs, (sd, key, h, by, i) => {
        const id = slow.add(sd, pathText(key), h, by);
        slow.timeSum!.ensure(id);
        slow.timeMax!.ensure(id);
        const fresh = slow.hits.data[id] === h;
        slow.timeSum!.data[id] = (fresh ? 0 : slow.timeSum!.data[id]!) + rs.timeSum!.data[i]!;
        const m = rs.timeMax!.data[i]!;
        if (fresh || m > slow.timeMax!.data[id]!) slow.timeMax!.data[id] = m;
      });
      const hr = builder('hours');
      const hourKeys = Array.from({ length: 24 }, (_, h) => text(h < 10 ? `0${h}` : String(h)));
      for (let sd = 0; sd < sdCount; sd++) {
        for (let h = 0; h < 24; h++) {
          const n = hours.data[sd * 48 + h]!;
          if (n > 0) hr.add(sd, hourKeys[h]!, n, hours.data[sd * 48 + 24 + h]!);
        }
      }

      const lists: (ListColumns | null)[] = new Array<ListColumns | null>(LIST_SLOTS).fill(null);
      for (const [id, lb] of builders) lists[id] = lb.columns(sdCount);

      const visitCols = drainVisits(visits, sdCount, keys);
      const others = drainOthers(otherIndex, otherHits, otherBytes);

      const site: string[] = new Array<string>(sdCount);
      const day = new Int32Array(sdCount);
      const keyGen: string[] = new Array<string>(sdCount);
      for (let sd = 0; sd < sdCount; sd++) {
        site[sd] = sites.site(sd);
        day[sd] = sites.day(sd);
        keyGen[sd] = visitCols.start[sd + 1]! > visitCols.start[sd]! ? keys.keyGen(sd) : '';
      }
      const dict = { bytes: outKeys.arena.slice(0, outKeys.size === 0 ? 0 : outKeys.offsetOf(outKeys.size - 1) + outKeys.lengthOf(outKeys.size - 1)), offsets: dictOffsets(outKeys) };
      const rej: RejectCount[] = [];
      for (const [s, m] of rejected) for (const [reason, lines] of m) rej.push({ site: s, reason, lines });

      const part: BatchPart = {
        keys: dict,
        site,
        day,
        keyGen,
        totals: totals.data.slice(0, sdCount * TOTAL_FIELDS),
        lists,
        others,
        visits: visitCols,
        rejected: rej,
      };
      reset();
      return part;
    },

    discard: reset,
  };
}

/** Byte order of two keys of the dictionary (UTF-8 byte order is code point order). */
function compareKeys(d: ByteInterner, a: number, b: number): number {
  if (a === b) return 0;
  const arena = d.arena;
  const ao = d.offsetOf(a);
  const bo = d.offsetOf(b);
  const al = d.lengthOf(a);
  const bl = d.lengthOf(b);
  const n = Math.min(al, bl);
  for (let i = 0; i < n; i++) {
    const x = arena[ao + i]!;
    const y = arena[bo + i]!;
    if (x !== y) return x - y;
  }
  return al - bl;
}

function dictOffsets(d: ByteInterner): Uint32Array {
  const n = d.size;
  const off = new Uint32Array(n + 1);
  // Interned in order, so key k starts where key k-1 ended.
  for (let k = 0; k < n; k++) off[k] = d.offsetOf(k);
  off[n] = n === 0 ? 0 : d.offsetOf(n - 1) + d.lengthOf(n - 1);
  return off;
}

function drainOthers(index: PairIndex, hits: F64Column, bytes: F64Column): OtherColumns {
  // Expand each raw counter's overflow into the output lists it feeds.
  const sdA: number[] = [];
  const listA: number[] = [];
  const hitsA: number[] = [];
  const bytesA: number[] = [];
  for (let i = 0; i < index.size; i++) {
    for (const list of OVERFLOW_LISTS[index.keyB(i)]!) {
      sdA.push(index.keyA(i));
      listA.push(LIST_IDS[list]);
      hitsA.push(hits.data[i]!);
      bytesA.push(bytes.data[i]!);
    }
  }
  return { sd: Uint32Array.from(sdA), list: Uint8Array.from(listA), hits: Float64Array.from(hitsA), bytes: Float64Array.from(bytesA) };
}

function drainVisits(visits: VisitTable, sdCount: number, keys: AnonKeys): VisitColumns {
  const nv = visits.visitors;
  // Count intervals per site-day, then place them, then sort each site-day's by (visitor, first).
  const start = new Uint32Array(sdCount + 1);
  let total = 0;
  for (let v = 0; v < nv; v++) {
    let n = 0;
    for (let i = visits.headOf(v); i !== -1; i = visits.next(i)) n++;
    start[visits.sdOf(v) + 1] = start[visits.sdOf(v) + 1]! + n;
    total += n;
  }
  for (let s = 0; s < sdCount; s++) start[s + 1] = start[s + 1]! + start[s]!;
  const at = start.slice(0, sdCount);
  const visitor = new Float64Array(total);
  const first = new Uint32Array(total);
  const last = new Uint32Array(total);
  const pages = new Uint32Array(total);
  const entry = new Uint32Array(total);
  const entryTime = new Uint32Array(total);
  const exit = new Uint32Array(total);
  const exitTime = new Uint32Array(total);
  for (let v = 0; v < nv; v++) {
    const sd = visits.sdOf(v);
    const id = keys.visitorId(sd, visits.clientOf(v));
    for (let i = visits.headOf(v); i !== -1; i = visits.next(i)) {
      const o = at[sd]!;
      at[sd] = o + 1;
      visitor[o] = id;
      first[o] = visits.first(i);
      last[o] = visits.last(i);
      pages[o] = visits.pages(i);
      entry[o] = visits.entry(i);
      entryTime[o] = visits.entryTime(i);
      exit[o] = visits.exit(i);
      exitTime[o] = visits.exitTime(i);
    }
  }
  // Sort each site-day's intervals by (visitor, first): what stores merge.
  for (let s = 0; s < sdCount; s++) {
    const lo = start[s]!;
    const hi = start[s + 1]!;
    if (hi - lo < 2) continue;
    const order = new Uint32Array(hi - lo);
    for (let i = 0; i < order.length; i++) order[i] = lo + i;
    order.sort((a, b) => visitor[a]! - visitor[b]! || first[a]! - first[b]!);
    const perm = <T extends Float64Array | Uint32Array>(arr: T): void => {
      const copy = arr.slice(lo, hi);
      for (let i = 0; i < order.length; i++) arr[lo + i] = copy[order[i]! - lo]!;
    };
    perm(visitor);
    perm(first);
    perm(last);
    perm(pages);
    perm(entry);
    perm(entryTime);
    perm(exit);
    perm(exitTime);
  }
  return { start, visitor, first, last, pages, entry, entryTime, exit, exitTime };
}
