/**
 * CSV rendering of a Report: one long-format document (RFC 4180, CRLF line ends) that a spreadsheet
 * can filter or pivot by its first column, plus single tables for the web UI's per-table download.
 *
 * Long format, header `section,rank,key,date,hits,bytes,visitors,visits,pages,ips,bots,value`:
 *
 *   section            one row per …            columns used
 *   report             meta field               key (site, from, to, ipPolicy, userPolicy, attribution), value
 *   totals             report (one row)         hits bytes visitors visits pages ips bots
 *   days               day                      date hits bytes visitors visits pages
 *   <top list>         entry (urls, ips, …)     rank key hits bytes; the "(other)" row has no rank
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
import { FTP_LISTS, TOP_LISTS, type FtpList, type Report, type TopList } from '../contract.js';
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
  listRows(report, list).forEach((r, i) => {
    out.push(longRow({ section: list, rank: i + 1, key: r.key, hits: r.hits, bytes: r.bytes }));
  });
  const o = otherRow(report, list);
  if (o !== undefined) out.push(longRow({ section: list, key: CSV_OTHER_KEY, hits: o.hits, bytes: o.bytes }));
}

/** The whole report as one CSV document (see the module comment for its layout). */
export function renderCsv(report: Report): string {
  const out: string[] = [CSV_COLUMNS.join(',')];
  out.push(longRow({ section: 'report', key: 'site', value: report.site }));
  out.push(longRow({ section: 'report', key: 'from', value: report.from }));
  out.push(longRow({ section: 'report', key: 'to', value: report.to }));
  out.push(longRow({ section: 'report', key: 'ipPolicy', value: report.meta.ipPolicy }));
  out.push(longRow({ section: 'report', key: 'userPolicy', value: report.meta.userPolicy }));
  for (const a of report.meta.attribution) out.push(longRow({ section: 'report', key: 'attribution', value: a }));

  const t = report.totals;
  out.push(
    longRow({
      section: 'totals',
      hits: t.hits,
      bytes: t.bytes,
      visitors: t.visitors,
      visits: t.visits,
      pages: t.pages,
      ips: t.ips,
      bots: t.bots,
    }),
  );
  for (const d of report.days) {
    out.push(
      longRow({ section: 'days', date: d.date, hits: d.hits, bytes: d.bytes, visitors: d.visitors, visits: d.visits, pages: d.pages }),
    );
  }
  for (const list of TOP_LISTS) listLongRows(out, report, list);

  out.push(longRow({ section: 'ftp', hits: report.ftp.transfers, bytes: report.ftp.bytes }));
  for (const list of FTP_LISTS) listLongRows(out, report, list);

  out.push(longRow({ section: 'rejected', hits: report.rejected.lines }));
  for (const [reason, n] of sortedReasons(report)) out.push(longRow({ section: 'rejectedReasons', key: reason, hits: n }));
  return out.join(CRLF) + CRLF;
}

/**
 * One table: `days` (date,hits,bytes,visitors,visits,pages) or a top/FTP list (rank,key,hits,bytes,
 * with an unranked "(other)" row last when the key cap folded rows).
 */
export function renderCsvTable(report: Report, list: TopList | FtpList | 'days'): string {
  const out: string[] = [];
  if (list === 'days') {
    out.push('date,hits,bytes,visitors,visits,pages');
    for (const d of report.days) {
      out.push([csvText(d.date), csvNumber(d.hits), csvNumber(d.bytes), csvNumber(d.visitors), csvNumber(d.visits), csvNumber(d.pages)].join(','));
    }
  } else if (isFtpList(list) || (TOP_LISTS as readonly string[]).includes(list)) {
    out.push('rank,key,hits,bytes');
    listRows(report, list).forEach((r, i) => {
      out.push(`${i + 1},${csvText(r.key)},${csvNumber(r.hits)},${csvNumber(r.bytes)}`);
    });
    const o = otherRow(report, list);
    if (o !== undefined) out.push(`,${csvText(CSV_OTHER_KEY)},${csvNumber(o.hits)},${csvNumber(o.bytes)}`);
  } else {
    // Reachable from untyped callers (a web route parameter): refuse instead of emitting an empty table.
    throw appError('ERR_REPORT_UNKNOWN_TABLE', JSON.stringify(String(list)).slice(0, 80), ['days', ...TOP_LISTS, ...FTP_LISTS].join(', '));
  }
  return out.join(CRLF) + CRLF;
}
