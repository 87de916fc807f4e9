/** Builds the JSON report contract from what a Store answers. Pure: no I/O, no formatting. */
import { FTP_LISTS, LIST_NAMES, TOP_LISTS, type FtpList, type ListName, type TopList } from '../core/lists.js';
import { ipPolicyText, userPolicyText } from '../core/policy.js';
import type { StoredDay, StoredReport, StoredRow } from '../store/index.js';
import type { Report, SlowRow, Totals, TopLists, TopRow } from './contract.js';
import { monthRows, previousRange } from './periods.js';

const rows = (r: readonly StoredRow[]): TopRow[] => r.map((x) => ({ key: x.key, hits: x.hits, bytes: x.bytes }));

export interface BuildOptions {
  /** The publication threshold the store applied (shown as `meta.privacy.threshold`; default DEFAULT_THRESHOLD). */
  readonly threshold?: number;
  /**
   * Rows per top list (0 = all). The store may have been asked for more (loadReport asks for at
   * least 24 so that `hours` is complete); every list but `hours` is cut to this.
   */
  readonly top?: number;
  /** The previous period's answer (`--compare`); absent or null: `previous` is null. */
  readonly previous?: StoredReport | null;
}

/**
 * The publication threshold k (docs/privacy.md): an address or user name seen fewer than k times
 * in the range is not listed (the store leaves it out before `top`); its hits are in `others`.
 */
export const DEFAULT_THRESHOLD = 3;
/** The lists of personal keys the threshold applies to. */
export const THRESHOLD_LISTS: readonly ListName[] = ['ips', 'users', 'ftpIps', 'ftpUsers'];

function totalsOf(days: readonly StoredDay[], ips: number): Totals {
  const t: Totals = { hits: 0, visitors: 0, visits: 0, pages: 0, ips, bytes: 0, bots: 0, bounces: 0, visitSeconds: 0 };
  for (const d of days) {
    t.hits += d.hits;
    t.visitors += d.visitors;
    t.visits += d.visits;
    t.pages += d.pages;
    t.bytes += d.bytes;
    t.bots += d.bots;
    t.bounces += d.bounces;
    t.visitSeconds += d.visitSeconds;
  }
  return t;
}

/** 00–23 in clock order, zeros included; keys that are not an hour are dropped. */
function hourRows(stored: readonly StoredRow[]): TopRow[] {
  const out: TopRow[] = [];
  for (let h = 0; h < 24; h++) out.push({ key: String(h).padStart(2, '0'), hits: 0, bytes: 0 });
  for (const r of stored) {
    const k = r.key.trim();
    if (!/^\d{1,2}$/.test(k)) continue;
    const row = out[Number(k)];
    if (row === undefined) continue;
    row.hits += r.hits;
    row.bytes += r.bytes;
  }
  return out;
}

/** Slow pages by cumulative time served, then key (code point order). */
function slowRows(stored: readonly StoredRow[]): SlowRow[] {
  return stored
    .map((r) => {
      const totalMs = r.totalMs ?? 0;
      return { key: r.key, hits: r.hits, bytes: r.bytes, totalMs, avgMs: r.hits > 0 ? Math.round((totalMs / r.hits) * 1000) / 1000 : 0, maxMs: r.maxMs ?? 0 };
    })
    .sort((a, b) => b.totalMs - a.totalMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function cut<T>(list: T[], top: number | undefined): T[] {
  return top !== undefined && top > 0 && list.length > top ? list.slice(0, top) : list;
}

export function buildReport(s: StoredReport, opts: BuildOptions = {}): Report {
  const totals = totalsOf(s.days, s.distinctIps);
  let ftpTransfers = 0;
  let ftpBytes = 0;
  const days = s.days.map((d) => {
    ftpTransfers += d.ftpTransfers;
    ftpBytes += d.ftpBytes;
    return { date: d.date, hits: d.hits, visitors: d.visitors, visits: d.visits, pages: d.pages, bytes: d.bytes };
  });
  const top = {} as TopLists;
  for (const l of TOP_LISTS) {
    if (l === 'hours') top.hours = hourRows(s.top.hours);
    else if (l === 'slowPages') top.slowPages = cut(slowRows(s.top.slowPages ?? []), opts.top);
    else top[l] = cut(rows(s.top[l] ?? []), opts.top);
  }
  const ftpTop = {} as Record<FtpList, TopRow[]>;
  for (const l of FTP_LISTS) ftpTop[l] = cut(rows(s.top[l] ?? []), opts.top);
  // What a list does not show (keys past `top`, under the publication threshold, which the store
  // applied, or over the per-day key cap) is its `others`: every list plus its others adds up to
  // what it counts, whatever `top` is (issue 12).
  const others: Report['others'] = {};
  const shownOf = (l: ListName): TopRow[] => (l === 'slowPages' ? top.slowPages : (FTP_LISTS as readonly string[]).includes(l) ? ftpTop[l as FtpList] : top[l as Exclude<TopList, 'slowPages'>]) ?? [];
  for (const l of LIST_NAMES) {
    let hits = (s.sums[l]?.hits ?? 0) + (s.others[l]?.hits ?? 0);
    let bytes = (s.sums[l]?.bytes ?? 0) + (s.others[l]?.bytes ?? 0);
    for (const r of shownOf(l)) {
      hits -= r.hits;
      bytes -= r.bytes;
    }
    if (hits > 0) others[l] = { hits, bytes };
  }
  const reasons: Record<string, number> = {};
  let lines = 0;
  for (const k of Object.keys(s.rejected).sort()) {
    reasons[k] = s.rejected[k]!;
    lines += s.rejected[k]!;
  }
  const prev = opts.previous ?? null;
  return {
    site: s.site,
    from: s.from,
    to: s.to,
    totals,
    days,
    months: monthRows(s.from, s.to, days),
    top,
    others,
    ftp: { transfers: ftpTransfers, bytes: ftpBytes, top: ftpTop },
    rejected: { lines, reasons },
    meta: {
      ipPolicy: s.meta.ip.map(ipPolicyText).join('; '),
      userPolicy: s.meta.user.map(userPolicyText).join('; '),
      attribution: [...s.meta.attribution],
      privacy: { ip: [...s.meta.ip], user: [...s.meta.user], rawWindowDays: s.meta.rawWindowDays, threshold: opts.threshold ?? DEFAULT_THRESHOLD },
    },
    previous: prev === null ? null : { from: prev.from, to: prev.to, totals: totalsOf(prev.days, prev.distinctIps) },
    undeduplicatedDays: [...(s.undeduplicatedDays ?? [])].filter((d) => d >= s.from && d <= s.to).sort(),
  };
}

export { previousRange };
