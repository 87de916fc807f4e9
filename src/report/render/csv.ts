/**
 * CSV rendering of a Report: one long-format document (RFC 4180, CRLF line ends) that a spreadsheet
 * can filter or pivot by its first column, plus single tables for the web UI's per-table download.
 *
 * Long format, header `section,rank,key,date,hits,bytes,visitors,visits,pages,ips,bots,value,
 * bounces,visitSeconds,totalMs,avgMs,maxMs` (the last five were added later; columns are only
 * ever appended):
 *
 *   section            one row per …            columns used
 *   report             meta field               key (site, from, to, ipPolicy, userPolicy, rawWindowDays, threshold,
 *                                               attribution, previousFrom, previousTo), value
 *   totals             report (one row)         hits bytes visitors visits pages ips bots bounces visitSeconds
 *   previous           report (one row, --compare)  the previous period's totals, as `totals`
 *   days               day with data            date hits bytes visitors visits pages
 *   months             month of the range       date (YYYY-MM) hits bytes visitors visits pages
 *   undeduplicatedDays day                      date
 *   <top list>         entry (urls, ips, …)     rank key hits bytes; the "(other)" row has no rank;
 *                                               hours: all 24 in clock order; slowPages adds totalMs avgMs maxMs
 *   ftp                report (one row)         hits (= transfers) bytes
 *   ftpFiles|ftpIps|ftpUsers  entry             rank key hits (= transfers) bytes
 *   rejected           report (one row)         hits (= rejected lines)
 *   rejectedReasons    reason                   key (reason id) hits (= lines)
 *
 * Keys are written as stored (no display labels), with two safety changes: control characters
 * (C0, DEL, C1, bidi controls) become visible `\xHH` escapes, and formula injection is neutralised: a
 * text cell starting with = + - @ TAB or CR gets a leading apostrophe, which spreadsheets show as text.
 */

import { appError } from '../../core/errors.js';
import { FTP_LISTS, TOP_LISTS, type FtpList, type Report, type TopList, type Totals } from '../contract.js';
import { escapeControls, isFtpList, listRows, otherRow, sortedReasons } from './format.js';

export const CSV_COLUMNS = [
  'section',
  'rank',
  'key',
  'date',
  'hits',
  'bytes',
  'visitors',
  'visits',
  'pages',
  'ips',
  'bots',
  'value',
  'bounces',
  'visitSeconds',
  'totalMs',
  'avgMs',
  'maxMs',
] as const;
type Column = (typeof CSV_COLUMNS)[number];
type Row = Partial<Record<Column, string | number>>;

/** Key of the row that carries what the per-day key cap folded away. */
export const CSV_OTHER_KEY = '(other)';

const CRLF = '\r\n';

function needsQuotes(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x2c || c === 0x0a || c === 0x0d) return true;
  }
  return false;
}

/**
 * One text cell: control characters made visible (a CSV gets `cat`ed to terminals too), formula
 * starts neutralised, then quoted when RFC 4180 requires it.
 */
export function csvText(s: string): string {
  let v = escapeControls(s);
  const c = v.charCodeAt(0);
  // = + - @ TAB CR: what Excel, LibreOffice and Google Sheets start a formula (or DDE call) with.
  if (c === 0x3d || c === 0x2b || c === 0x2d || c === 0x40 || c === 0x09 || c === 0x0d) v = `'${v}`;
  return needsQuotes(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function csvNumber(n: number): string {
  // Numbers are ours, but a NaN from a broken store must not turn into a text cell.
  return Number.isFinite(n) ? String(n) : '';
}

function csvCell(v: string | number | undefined): string {
  if (v === undefined) return '';
  return typeof v === 'number' ? csvNumber(v) : csvText(v);
}

function longRow(r: Row): string {
  let line = '';
  for (let i = 0; i < CSV_COLUMNS.length; i++) {
    if (i > 0) line += ',';
    line += csvCell(r[CSV_COLUMNS[i] as Column]);
  }
  return line;
}

function listLongRows(out: string[], report: Report, list: TopList | FtpList): void {
  if (list === 'slowPages') {
    report.top.slowPages.forEach((r, i) => {
      out.push(longRow({ section: list, rank: i + 1, key: r.key, hits: r.hits, bytes: r.bytes, totalMs: r.totalMs, avgMs: r.avgMs, maxMs: r.maxMs }));
    });
    return;
  }
  listRows(report, list).forEach((r, i) => {
    out.push(longRow({ section: list, rank: i + 1, key: r.key, hits: r.hits, bytes: r.bytes }));
  });
  const o = otherRow(report, list);
  if (o !== undefined) out.push(longRow({ section: list, key: CSV_OTHER_KEY, hits: o.hits, bytes: o.bytes }));
}

function totalsRow(section: string, t: Totals): string {
  return longRow({
    section,
    hits: t.hits,
    bytes: t.bytes,
    visitors: t.visitors,
    visits: t.visits,
    pages: t.pages,
    ips: t.ips,
    bots: t.bots,
    bounces: t.bounces,
    visitSeconds: t.visitSeconds,
  });
}

/** The whole report as one CSV document (see the module comment for its layout). */
export function renderCsv(report: Report): string {
  const out: string[] = [CSV_COLUMNS.join(',')];
  out.push(longRow({ section: 'report', key: 'site', value: report.site }));
  out.push(longRow({ section: 'report', key: 'from', value: report.from }));
  out.push(longRow({ section: 'report', key: 'to', value: report.to }));
  out.push(longRow({ section: 'report', key: 'ipPolicy', value: report.meta.ipPolicy }));
  out.push(longRow({ section: 'report', key: 'userPolicy', value: report.meta.userPolicy }));
  out.push(longRow({ section: 'report', key: 'rawWindowDays', value: String(report.meta.privacy.rawWindowDays) }));
  out.push(longRow({ section: 'report', key: 'threshold', value: String(report.meta.privacy.threshold) }));
  for (const a of report.meta.attribution) out.push(longRow({ section: 'report', key: 'attribution', value: a }));
  if (report.previous !== null) {
    out.push(longRow({ section: 'report', key: 'previousFrom', value: report.previous.from }));
    out.push(longRow({ section: 'report', key: 'previousTo', value: report.previous.to }));
  }

  out.push(totalsRow('totals', report.totals));
  if (report.previous !== null) out.push(totalsRow('previous', report.previous.totals));
  for (const d of report.days) {
    out.push(
      longRow({ section: 'days', date: d.date, hits: d.hits, bytes: d.bytes, visitors: d.visitors, visits: d.visits, pages: d.pages }),
    );
  }
  for (const x of report.months) {
    out.push(longRow({ section: 'months', date: x.month, hits: x.hits, bytes: x.bytes, visitors: x.visitors, visits: x.visits, pages: x.pages }));
  }
  for (const d of report.undeduplicatedDays) out.push(longRow({ section: 'undeduplicatedDays', date: d }));
  for (const list of TOP_LISTS) listLongRows(out, report, list);

  out.push(longRow({ section: 'ftp', hits: report.ftp.transfers, bytes: report.ftp.bytes }));
  for (const list of FTP_LISTS) listLongRows(out, report, list);

  out.push(longRow({ section: 'rejected', hits: report.rejected.lines }));
  for (const [reason, n] of sortedReasons(report)) out.push(longRow({ section: 'rejectedReasons', key: reason, hits: n }));
  return out.join(CRLF) + CRLF;
}

/**
 * One table: `days` (date,hits,bytes,visitors,visits,pages), `months` (month,…) or a top/FTP list
 * (rank,key,hits,bytes, with an unranked "(other)" row last when the key cap folded rows;
 * slowPages adds totalMs,avgMs,maxMs).
 */
export function renderCsvTable(report: Report, list: TopList | FtpList | 'days' | 'months'): string {
  const out: string[] = [];
  if (list === 'days' || list === 'months') {
    out.push(`${list === 'days' ? 'date' : 'month'},hits,bytes,visitors,visits,pages`);
    const rows = list === 'days' ? report.days.map((d) => ({ ...d, k: d.date })) : report.months.map((x) => ({ ...x, k: x.month }));
    for (const d of rows) {
      out.push([csvText(d.k), csvNumber(d.hits), csvNumber(d.bytes), csvNumber(d.visitors), csvNumber(d.visits), csvNumber(d.pages)].join(','));
    }
  } else if (list === 'slowPages') {
    out.push('rank,key,hits,bytes,totalMs,avgMs,maxMs');
    report.top.slowPages.forEach((r, i) => {
      out.push(`${i + 1},${csvText(r.key)},${csvNumber(r.hits)},${csvNumber(r.bytes)},${csvNumber(r.totalMs)},${csvNumber(r.avgMs)},${csvNumber(r.maxMs)}`);
    });
  } else if (isFtpList(list) || (TOP_LISTS as readonly string[]).includes(list)) {
    out.push('rank,key,hits,bytes');
    listRows(report, list).forEach((r, i) => {
      out.push(`${i + 1},${csvText(r.key)},${csvNumber(r.hits)},${csvNumber(r.bytes)}`);
    });
    const o = otherRow(report, list);
    if (o !== undefined) out.push(`,${csvText(CSV_OTHER_KEY)},${csvNumber(o.hits)},${csvNumber(o.bytes)}`);
  } else {
    // Reachable from untyped callers (a web route parameter): refuse instead of emitting an empty table.
    throw appError('ERR_REPORT_UNKNOWN_TABLE', JSON.stringify(String(list)).slice(0, 80), ['days', 'months', ...TOP_LISTS, ...FTP_LISTS].join(', '));
  }
  return out.join(CRLF) + CRLF;
}
