/**
 * Batch parts for store tests, from a readable description of site-days: totals, lists of
 * key → hits (bytes = hits × 10 unless given), and visit intervals.
 */
import { LIST_IDS, LIST_SLOTS, type ListName } from '../../src/core/lists.js';
import { NO_KEY, TOTAL_FIELDS, type Batch, type BatchPart, type CheckpointMove, type ListColumns, type RejectCount, type SiteMeta } from '../../src/aggregate/index.js';
import { isoToDay } from '../../src/core/dates.js';

export interface IntervalSpec {
  visitor: number;
  first: number;
  last: number;
  pages?: number;
  entry?: string;
  entryTime?: number;
  exit?: string;
  exitTime?: number;
}

export interface DaySpec {
  site: string;
  date: string;
  hits?: number;
  pages?: number;
  bytes?: number;
  bots?: number;
  ftpTransfers?: number;
  ftpBytes?: number;
  /** Key generation of the visitor ids ('' when no visits). */
  gen?: string;
  list?: Partial<Record<ListName, Record<string, number | [hits: number, bytes: number] | [hits: number, bytes: number, timeSumUs: number, timeMaxUs: number]>>>;
  others?: Partial<Record<ListName, [hits: number, bytes: number]>>;
  visits?: IntervalSpec[];
}

export function partOf(days: readonly DaySpec[], rejected: readonly RejectCount[] = []): BatchPart {
  const keys: string[] = [];
  const keyIds = new Map<string, number>();
  const key = (k: string): number => {
    let id = keyIds.get(k);
    if (id === undefined) {
      id = keys.length;
      keys.push(k);
      keyIds.set(k, id);
    }
    return id;
  };
  const n = days.length;
  const totals = new Float64Array(n * TOTAL_FIELDS);
  days.forEach((d, sd) => {
    const t = [d.hits ?? 0, d.pages ?? 0, d.bytes ?? 0, d.bots ?? 0, d.ftpTransfers ?? 0, d.ftpBytes ?? 0];
    totals.set(t, sd * TOTAL_FIELDS);
  });
  const lists: (ListColumns | null)[] = new Array<ListColumns | null>(LIST_SLOTS).fill(null);
  const names = new Set<ListName>();
  for (const d of days) for (const name of Object.keys(d.list ?? {})) names.add(name as ListName);
  for (const name of names) {
    const start = new Uint32Array(n + 1);
    const k: number[] = [];
    const hits: number[] = [];
    const bytes: number[] = [];
    const ts: number[] = [];
    const tm: number[] = [];
    days.forEach((d, sd) => {
      for (const [kk, v] of Object.entries(d.list?.[name] ?? {})) {
        k.push(key(kk));
        const [h, b, s, m] = Array.isArray(v) ? v : [v, v * 10];
        hits.push(h);
        bytes.push(b);
        ts.push(s ?? 0);
        tm.push(m ?? 0);
      }
      start[sd + 1] = k.length;
    });
    const timed = name === 'slowPages';
    lists[LIST_IDS[name]] = {
      start,
      key: Uint32Array.from(k),
      hits: Float64Array.from(hits),
      bytes: Float64Array.from(bytes),
      ...(timed ? { timeSum: Float64Array.from(ts), timeMax: Float64Array.from(tm) } : {}),
    };
  }
  const vStart = new Uint32Array(n + 1);
  const iv: (IntervalSpec & { sd: number })[] = [];
  days.forEach((d, sd) => {
    const sorted = [...(d.visits ?? [])].sort((a, b) => a.visitor - b.visitor || a.first - b.first);
    iv.push(...sorted.map((x) => ({ ...x, sd })));
    vStart[sd + 1] = iv.length;
  });
  const oSd: number[] = [];
  const oList: number[] = [];
  const oHits: number[] = [];
  const oBytes: number[] = [];
  days.forEach((d, sd) => {
    for (const [name, [h, b]] of Object.entries(d.others ?? {}) as [ListName, [number, number]][]) {
      oSd.push(sd);
      oList.push(LIST_IDS[name]);
      oHits.push(h);
      oBytes.push(b);
    }
  });
  const pageKey = (p: string | undefined): number => (p === undefined ? NO_KEY : key(p));
  // Entry and exit keys are keys of the dictionary too (the aggregator puts them in urls).
  const entries = iv.map((x) => pageKey(x.entry));
  const exits = iv.map((x) => pageKey(x.exit));
  const allTexts = keys.map((k) => Buffer.from(k, 'utf8'));
  const allOffsets = new Uint32Array(allTexts.length + 1);
  allTexts.forEach((t, i) => (allOffsets[i + 1] = allOffsets[i]! + t.length));
  return {
    keys: { bytes: Buffer.concat(allTexts), offsets: allOffsets },
    site: days.map((d) => d.site),
    day: Int32Array.from(days, (d) => isoToDay(d.date)),
    keyGen: days.map((d) => ((d.visits ?? []).length > 0 ? (d.gen ?? 'g1') : '')),
    totals,
    lists,
    others: { sd: Uint32Array.from(oSd), list: Uint8Array.from(oList), hits: Float64Array.from(oHits), bytes: Float64Array.from(oBytes) },
    visits: {
      start: vStart,
      visitor: Float64Array.from(iv, (x) => x.visitor),
      first: Uint32Array.from(iv, (x) => x.first),
      last: Uint32Array.from(iv, (x) => x.last),
      pages: Uint32Array.from(iv, (x) => x.pages ?? 0),
      entry: Uint32Array.from(entries),
      entryTime: Uint32Array.from(iv, (x) => x.entryTime ?? x.first),
      exit: Uint32Array.from(exits),
      exitTime: Uint32Array.from(iv, (x) => x.exitTime ?? x.last),
    },
    rejected,
  };
}

export const META: SiteMeta = { ip: [{ mode: 'mask', v4: 24, v6: 48 }], user: [{ mode: 'pseudonym' }], attribution: ['DB-IP'], rawWindowDays: 7 };

export function batchOf(
  days: readonly DaySpec[],
  extra: { checkpoint?: CheckpointMove | null; rejected?: RejectCount[]; raw?: Batch['raw']; parts?: BatchPart[]; sites?: Map<string, SiteMeta> } = {},
): Batch {
  const sites = new Map<string, SiteMeta>(extra.sites ?? []);
  for (const d of days) if (!sites.has(d.site)) sites.set(d.site, d.site === 'a.example' ? META : { ...META, rawWindowDays: 0 });
  for (const r of extra.rejected ?? []) if (r.site !== '' && !sites.has(r.site)) sites.set(r.site, META);
  return {
    parts: extra.parts ?? [partOf(days, extra.rejected ?? [])],
    sites,
    checkpoint: extra.checkpoint ?? null,
    raw: extra.raw ?? [],
    lines: 0,
  };
}
