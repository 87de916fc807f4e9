/**
 * What the pages read from the store besides the report itself: the day of the live panel, the
 * month history, the overview's 30 days per site, and the operator's view of every site. All of
 * it goes through loadReport, like the report, so the numbers agree with `weblog report`.
 */
import { addDays } from '../../core/dates.js';
import { weblogDeletionDay } from '../../pipeline/index.js';
import { continuousDays, type DayRow, loadReport, type MonthRow, monthsBetween, type Report } from '../../report/index.js';
import type { AccountStore, Store } from '../../store/index.js';
import type { OperatorRow, SiteSummary } from './views.js';

/** Days in the overview's headline numbers and sparklines. */
export const OVERVIEW_DAYS = 30;
/** Months in a site page's history chart. */
export const HISTORY_MONTHS = 12;

const zeroDay = (date: string): DayRow => ({ date, hits: 0, visitors: 0, visits: 0, pages: 0, bytes: 0 });

/** One day's numbers of a site (zeros when it has none). */
export async function todayOf(store: Store, site: string, day: string): Promise<DayRow> {
  const r = await loadReport(store, { site, from: day, to: day, top: 1 });
  return r?.days.find((d) => d.date === day) ?? zeroDay(day);
}

/** The HISTORY_MONTHS months up to the month of `to`, zeros included. */
export async function monthHistory(store: Store, site: string, to: string): Promise<MonthRow[]> {
  const months = monthsBetween(`${Number(to.slice(0, 4)) - 1}-${to.slice(5, 7)}-01`, to).slice(-HISTORY_MONTHS);
  const r = await loadReport(store, { site, from: `${months[0]}-01`, to, top: 1 });
  return r?.months ?? [];
}

/** The last OVERVIEW_DAYS days with data of a site, ending on its last day with data. */
export async function recentOf(store: Store, site: string, lastDay: string): Promise<{ report: Report; axis: DayRow[] } | null> {
  const report = await loadReport(store, { site, from: addDays(lastDay, -(OVERVIEW_DAYS - 1)), to: lastDay, top: 1 });
  return report === null ? null : { report, axis: continuousDays(report.from, report.to, report.days) };
}

export async function siteSummaries(store: Store, sites: readonly string[]): Promise<SiteSummary[]> {
  const retention = new Map((await store.retention()).map((r) => [r.site, r]));
  const out: SiteSummary[] = [];
  for (const site of sites) {
    const r = retention.get(site);
    const last = r?.lastDay ?? null;
    const recent = last === null ? null : await recentOf(store, site, last);
    out.push({ site, from: r?.firstDay ?? null, to: last, ip: recent?.report.meta.privacy.ip ?? null, recent });
  }
  return out;
}

export async function operatorRows(
  store: Store,
  accounts: AccountStore,
  sites: readonly string[],
  lastIngest: ReadonlyMap<string, Date>,
): Promise<OperatorRow[]> {
  const retention = new Map((await store.retention()).map((r) => [r.site, r]));
  const owners = new Map((await accounts.sites()).map((a) => [a.site, a.customer]));
  const raw = await store.rawFiles();
  const out: OperatorRow[] = [];
  for (const site of sites) {
    const r = retention.get(site);
    const last = r?.lastDay ?? null;
    // Without days (rejected lines only) the store's default range still carries the rejects.
    const recent = await loadReport(store, { site, from: last === null ? null : addDays(last, -(OVERVIEW_DAYS - 1)), to: last, top: 1 });
    const files = raw.filter((f) => f.site === site);
    const contractEnd = r?.contractEnd ?? null;
    out.push({
      site,
      customer: owners.get(site) ?? null,
      hits30: recent?.totals.hits ?? 0,
      rejected: recent?.rejected.lines ?? 0,
      lastDay: last,
      lastIngest: lastIngest.get(site) ?? null,
      rawWindowDays: r?.rawWindowDays ?? 0,
      rawDays: files.length,
      rawBytes: files.reduce((a, f) => a + f.bytes, 0),
      contractEnd,
      deletedOn: contractEnd === null ? null : weblogDeletionDay(contractEnd),
    });
  }
  return out;
}
