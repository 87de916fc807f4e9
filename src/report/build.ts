/** Builds the JSON report contract from what a Store answers. Pure: no I/O, no formatting. */
import { FTP_LISTS, TOP_LISTS, type FtpList, type ListName, type TopList } from '../core/lists.js';
import type { StoredReport, StoredRow } from '../store/store.js';
import type { Report, TopRow } from './contract.js';

const rows = (r: readonly StoredRow[]): TopRow[] => r.map((x) => ({ key: x.key, hits: x.hits, bytes: x.bytes }));

export interface BuildOptions {
  /**
   * Publication threshold k: an IP or user name seen fewer than k times in the range is not
   * listed; its hits and bytes are folded into `others`. Totals stay exact. 1 lists everything.
   */
  readonly threshold: number;
}

/** The documented default k for `ips` and `users` (docs/privacy.md). */
export const DEFAULT_THRESHOLD = 3;
const THRESHOLD_LISTS: readonly TopList[] = ['ips', 'users'];

export function buildReport(s: StoredReport, opts: BuildOptions = { threshold: DEFAULT_THRESHOLD }): Report {
  const totals = { hits: 0, visitors: 0, visits: 0, pages: 0, ips: s.distinctIps, bytes: 0, bots: 0 };
  let ftpTransfers = 0;
  let ftpBytes = 0;
  const days = s.days.map((d) => {
    totals.hits += d.hits;
    totals.visitors += d.visitors;
    totals.visits += d.visits;
    totals.pages += d.pages;
    totals.bytes += d.bytes;
    totals.bots += d.bots;
    ftpTransfers += d.ftpTransfers;
    ftpBytes += d.ftpBytes;
    return { date: d.date, hits: d.hits, visitors: d.visitors, visits: d.visits, pages: d.pages, bytes: d.bytes };
  });
  const top = {} as Record<TopList, TopRow[]>;
  for (const l of TOP_LISTS) top[l] = rows(s.top[l]);
  const ftpTop = {} as Record<FtpList, TopRow[]>;
  for (const l of FTP_LISTS) ftpTop[l] = rows(s.top[l]);
  const others: Report['others'] = {};
  for (const [l, c] of Object.entries(s.others) as [ListName, { hits: number; bytes: number }][]) {
    if (c.hits > 0) others[l] = { hits: c.hits, bytes: c.bytes };
  }
  if (opts.threshold > 1) {
    for (const l of THRESHOLD_LISTS) {
      const keep = top[l].filter((r) => r.hits >= opts.threshold);
      if (keep.length === top[l].length) continue;
      const o = (others[l] ??= { hits: 0, bytes: 0 });
      for (const r of top[l]) {
        if (r.hits >= opts.threshold) continue;
        o.hits += r.hits;
        o.bytes += r.bytes;
      }
      top[l] = keep;
    }
  }
  const reasons: Record<string, number> = {};
  let lines = 0;
  for (const k of Object.keys(s.rejected).sort()) {
    reasons[k] = s.rejected[k]!;
    lines += s.rejected[k]!;
  }
  return {
    site: s.site,
    from: s.from,
    to: s.to,
    totals,
    days,
    top,
    others,
    ftp: { transfers: ftpTransfers, bytes: ftpBytes, top: ftpTop },
    rejected: { lines, reasons },
    meta: { ipPolicy: s.meta.ipPolicy, userPolicy: s.meta.userPolicy, attribution: [...s.meta.attribution] },
  };
}
