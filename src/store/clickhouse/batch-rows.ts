/**
 * A batch's parts as RowBinary rows for each table (migrations.ts, version 3), tagged with the
 * commit attempt. Keys go from the part's UTF-8 dictionary to the buffer as bytes: no string per
 * key. What each row means:
 * - site_day: a site-day's totals; list_row: one key of one list of a site-day (slowPages with
 *   its time); list_other: keys beyond the per-day cap; visit: one visit interval of a visitor
 *   (pages, entry and exit page by time); rejected, site_meta, raw_file: as in the batch.
 */
import { NO_KEY, TOTAL_FIELDS, type Batch, type BatchPart, type SiteMeta } from '../../aggregate/index.js';
import { appError } from '../../core/errors.js';
import { isStorableDay } from '../../core/dates.js';
import { LIST_IDS } from '../../core/lists.js';
import { RowBinaryWriter, encodedString, u64Bytes } from './row-binary.js';

export interface TableRows {
  readonly table: string;
  readonly columns: readonly string[];
  readonly body: Uint8Array;
}

export const COLUMNS = {
  site_day: ['site', 'day', 'attempt', 'hits', 'pages', 'bytes', 'bots', 'ftp_transfers', 'ftp_bytes'],
  list_row: ['site', 'list', 'day', 'key', 'attempt', 'hits', 'bytes', 'time_sum', 'time_max'],
  list_other: ['site', 'list', 'day', 'attempt', 'hits', 'bytes'],
  visit: ['site', 'day', 'gen', 'visitor', 'attempt', 'first', 'last', 'pages', 'entry', 'entry_time', 'exit', 'exit_time'],
  rejected: ['site', 'reason', 'attempt', 'lines'],
  site_meta: ['site', 'attempt', 'ip_policy', 'user_policy', 'attribution', 'raw_window_days'],
  raw_file: ['site', 'day', 'attempt', 'bytes', 'lines'],
} as const;

const SLOW = LIST_IDS.slowPages;

/** Refuses a batch with a day no store can hold, before anything of it is written. */
export function checkDays(batch: Batch): void {
  for (const p of batch.parts) {
    for (let sd = 0; sd < p.day.length; sd++) {
      if (!isStorableDay(p.day[sd]!)) throw appError('ERR_STORE_WRITE', `day ${p.day[sd]} is outside 1970-01-01 … 2105-12-31`);
    }
  }
}

/** Encodes the rows of `batch` for `attempt`; `meta` are the sites whose meta must be written. */
export function encodeBatch(batch: Batch, attempt: string, meta: ReadonlyMap<string, SiteMeta>): TableRows[] {
  const a = u64Bytes(attempt);
  const siteBytes = new Map<string, Buffer>();
  const site = (s: string): Buffer => {
    let b = siteBytes.get(s);
    if (b === undefined) {
      b = encodedString(s);
      siteBytes.set(s, b);
    }
    return b;
  };
  const days = new RowBinaryWriter();
  const lists = new RowBinaryWriter(1 << 20);
  const others = new RowBinaryWriter(1024);
  const visits = new RowBinaryWriter(1 << 18);
  const rejects = new RowBinaryWriter(1024);
  for (const p of batch.parts) {
    const sites = p.site.map(site);
    encodePart(p, sites, a, days, lists, others, visits);
    for (const r of p.rejected) {
      rejects.raw(site(r.site));
      rejects.string(r.reason);
      rejects.raw(a);
      rejects.u64(r.lines);
    }
  }
  const metas = new RowBinaryWriter(1024);
  for (const [s, m] of meta) {
    metas.raw(site(s));
    metas.raw(a);
    metas.string(JSON.stringify(m.ip));
    metas.string(JSON.stringify(m.user));
    metas.stringArray(m.attribution);
    metas.u32(m.rawWindowDays);
  }
  const raws = new RowBinaryWriter(1024);
  for (const r of batch.raw) {
    raws.raw(site(r.site));
    raws.string(r.day);
    raws.raw(a);
    raws.u64(r.bytes);
    raws.u64(r.lines);
  }
  const out: TableRows[] = [];
  const add = (table: keyof typeof COLUMNS, w: RowBinaryWriter): void => {
    if (w.length > 0) out.push({ table, columns: COLUMNS[table], body: w.bytes() });
  };
  add('site_day', days);
  add('list_row', lists);
  add('list_other', others);
  add('visit', visits);
  add('rejected', rejects);
  add('site_meta', metas);
  add('raw_file', raws);
  return out;
}

function encodePart(
  p: BatchPart,
  sites: readonly Buffer[],
  a: Buffer,
  days: RowBinaryWriter,
  lists: RowBinaryWriter,
  others: RowBinaryWriter,
  visits: RowBinaryWriter,
): void {
  const dict = p.keys;
  const n = p.site.length;
  for (let sd = 0; sd < n; sd++) {
    days.raw(sites[sd]!);
    days.u16(p.day[sd]!);
    days.raw(a);
    const t = sd * TOTAL_FIELDS;
    // Totals in the order of the columns: hits, pages, bytes, bots, ftp transfers, ftp bytes.
    for (let f = 0; f < TOTAL_FIELDS; f++) days.u64(p.totals[t + f]!);
  }
  for (let id = 0; id < p.lists.length; id++) {
    const l = p.lists[id];
    if (!l) continue;
    const timed = id === SLOW && l.timeSum !== undefined;
    for (let sd = 0; sd < n; sd++) {
      for (let i = l.start[sd]!; i < l.start[sd + 1]!; i++) {
        const k = l.key[i]!;
        lists.raw(sites[sd]!);
        lists.u8(id);
        lists.u16(p.day[sd]!);
        lists.bytesString(dict.bytes, dict.offsets[k]!, dict.offsets[k + 1]!);
        lists.raw(a);
        lists.u64(l.hits[i]!);
        lists.u64(l.bytes[i]!);
        lists.u64(timed ? l.timeSum![i]! : 0);
        lists.u64(timed ? l.timeMax![i]! : 0);
      }
    }
  }
  const o = p.others;
  for (let i = 0; i < o.sd.length; i++) {
    const sd = o.sd[i]!;
    others.raw(sites[sd]!);
    others.u8(o.list[i]!);
    others.u16(p.day[sd]!);
    others.raw(a);
    others.u64(o.hits[i]!);
    others.u64(o.bytes[i]!);
  }
  const v = p.visits;
  const gens = p.keyGen.map((g) => encodedString(g));
  for (let sd = 0; sd < n; sd++) {
    for (let i = v.start[sd]!; i < v.start[sd + 1]!; i++) {
      visits.raw(sites[sd]!);
      visits.u16(p.day[sd]!);
      visits.raw(gens[sd]!);
      visits.u64(v.visitor[i]!);
      visits.raw(a);
      visits.u32(v.first[i]!);
      visits.u32(v.last[i]!);
      visits.u32(v.pages[i]!);
      const e = v.entry[i]!;
      if (e === NO_KEY) visits.string('');
      else visits.bytesString(dict.bytes, dict.offsets[e]!, dict.offsets[e + 1]!);
      visits.u32(v.entryTime[i]!);
      const x = v.exit[i]!;
      if (x === NO_KEY) visits.string('');
      else visits.bytesString(dict.bytes, dict.offsets[x]!, dict.offsets[x + 1]!);
      visits.u32(v.exitTime[i]!);
    }
  }
}

